@testable import TTSSuite
import Foundation
import Testing
@testable import TTSModels

/// `routing: affinity` in the replica pool: an item's requests stay on one replica, items spread,
/// a failing replica moves only its own items, a saturated one spills.
@Suite struct EndpointRoutingTests {
    let urls = ["http://a:8000/v1", "http://b:8000/v1", "http://c:8000/v1"]
    let items = (0..<600).map { "item-\($0)" }

    @Test func anItemsRequestsStayOnOneReplicaAndItemsSpread() {
        let pool = EndpointPool(urls: urls, routing: .affinity, capacity: 1024)
        var home: [String: Int] = [:]
        for _ in 0..<3 {
            for item in items {
                let i = pool.acquire(key: item)
                #expect(home[item] == nil || home[item] == i, "\(item) moved")
                home[item] = i
            }
            for item in items { pool.release(home[item]!, replicaFault: false) }
        }
        let counts = (0..<3).map { r in home.values.filter { $0 == r }.count }
        #expect(counts.allSatisfy { $0 > 150 && $0 < 250 }, "items per replica: \(counts)")
        #expect(pool.spilledCount == 0)
        // Another pool (another process, another machine) routes the same way: only the URLs and the key decide.
        let again = EndpointPool(urls: urls, routing: .affinity, capacity: 1024)
        #expect(items.allSatisfy { item in
            let i = again.acquire(key: item)
            again.release(i, replicaFault: false)
            return i == home[item]
        })
    }

    @Test func aFailingReplicaMovesOnlyItsOwnItems() {
        let pool = EndpointPool(urls: urls, routing: .affinity, capacity: 1024)
        var home: [String: Int] = [:]
        for item in items {
            home[item] = pool.acquire(key: item)
            pool.release(home[item]!, replicaFault: false)
        }
        let r = pool.acquire(key: items[0])
        pool.release(r, replicaFault: true)  // replica r cools down
        for item in items {
            let i = pool.acquire(key: item)
            pool.release(i, replicaFault: false)
            if home[item] == r {
                #expect(i != r)
            } else {
                #expect(i == home[item], "\(item) left a healthy replica")
            }
        }
    }

    @Test func aSaturatedReplicaSpillsToTheLeastLoaded() {
        // Two replicas, max_concurrency 4: a replica holding 2 requests is saturated.
        let pool = EndpointPool(urls: Array(urls.prefix(2)), routing: .affinity, capacity: 4)
        let first = pool.acquire(key: "x")
        #expect(pool.acquire(key: "x") == first)
        let third = pool.acquire(key: "x")
        #expect(third != first && pool.spilledCount == 1)
        pool.release(first, replicaFault: false)
        #expect(pool.acquire(key: "x") == first, "back home once it has room")
    }

    @Test func leastLoadedAndKeylessRequestsIgnoreAffinity() {
        let pool = EndpointPool(urls: urls, routing: .leastLoaded)
        #expect(Set((0..<3).map { _ in pool.acquire(key: "same") }) == [0, 1, 2])
        let affinity = EndpointPool(urls: urls, routing: .affinity)
        #expect(Set((0..<3).map { _ in affinity.acquire(key: nil) }) == [0, 1, 2])
    }

    @Test func theSuiteNamesTheRoutingAndItIsNotFingerprinted() throws {
        func load(_ routing: String) throws -> Suite {
            let dir = try makeTempDir("routing")
            let text = """
                suite: r
                task: {generate: {kind: arithmetic, items: 4}}
                models:
                  m: {kind: openai, base_urls: ["http://a:1/v1", "http://b:1/v1"], model: x\(routing)}
                verifiers: {math: {kind: math}}
                strategies: {single: {kind: single}}
                systems: {matrix: {model: [m], strategy: [single], verifier: [math]}}

                """
            return try SuiteLoader.load(path: try writeFile(dir, "r.yaml", text))
        }
        let byDefault = try load(""), leastLoaded = try load(", routing: least_loaded")
        guard case .openai(let p) = byDefault.models[0].kind, case .openai(let q) = leastLoaded.models[0].kind else {
            Issue.record("not openai models")
            return
        }
        #expect(p.routing == .affinity && q.routing == .leastLoaded)
        #expect(byDefault.fingerprint == leastLoaded.fingerprint, "which replica answers does not change a sample")
        let error = #expect(throws: SuiteError.self) { try load(", routing: sticky") }
        #expect(error?.description.contains("affinity") == true && error?.description.contains("least_loaded") == true)
    }
}
