@testable import TTSSuite
import Foundation
import GRDB
import Testing

/// `routing: affinity` over two real llama.cpp replicas, each behind a logging proxy: every
/// request of an item lands on one replica (read from the proxies' logs), and a replica killed
/// mid-run loses nothing.
@Suite("affinity routing over two llama.cpp replicas", .serialized,
       .enabled(if: llamaAvailable || requireInputs, Comment(rawValue: skipMessage)))
struct AffinityRoutingTests {
    init() throws {
        try #require(llamaAvailable, "TTSBENCH_REQUIRE_INPUTS=1 but \(skipMessage)")
    }

    /// 20 items x (greedy + majority@6): 140 requests, one per sample (llama.cpp ignores n).
    func suite(_ a: String, _ b: String, routing: String = "affinity") -> String {
        additionSuite(name: "affinity", models: """
              tiny:
                kind: openai
                base_urls: ["\(a)/v1", "\(b)/v1"]
                routing: \(routing)
                model: tiny-add
                api: completions
                max_concurrency: 256    # a replica saturates at 128 in flight: never here (8 items x 7 requests), so nothing spills
                timeout: 20
                max_retries: 8
                retry_base_delay: 0.05
                stop: ["\\n"]
                supports_n: false
            """, strategies: """
              single: {kind: single, temperature: 0.0, max_tokens: 8}
              maj6: {kind: majority, n: 6, temperature: 0.8, max_tokens: 8}
            """, systems: """
              matrix: {model: [tiny], strategy: [single, maj6], verifier: [exact]}
            """, limit: 20)
    }

    /// The prompts a replica's proxy logged, one per request.
    func prompts(_ log: String) throws -> [String] {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["prompt"] as? String
        }
    }

    func seedRuns(_ db: String) throws -> [String] {
        var config = Configuration()
        config.readonly = true
        return try DatabaseQueue(path: db, configuration: config).read { db in
            try Row.fetchAll(db, sql: "SELECT system_name, seed_index, accuracy, tokens_per_item FROM seed_runs ORDER BY system_name, seed_index")
                .map { "\($0["system_name"] as String) \($0["seed_index"] as Int) \($0["accuracy"] as Double) \($0["tokens_per_item"] as Double)" }
        }
    }

    func texts(_ db: String) throws -> [String] {
        var config = Configuration()
        config.readonly = true
        return try DatabaseQueue(path: db, configuration: config).read { db in
            try String.fetchAll(db, sql: "SELECT item_id || '|' || temperature || '|' || sample_index || '|' || text FROM samples ORDER BY 1")
        }
    }

    @Test func eachItemLandsOnOneReplicaAndAKilledReplicaLosesNothing() async throws {
        let serverA = try await LlamaServer.shared.url()
        let serverB = try await LlamaServer.second.url()
        let dir = try makeTempDir("affinity")

        // 1. Both replicas up: every item's requests on one replica, both replicas used.
        let logA = dir + "/a.log", logB = dir + "/b.log"
        let proxyA = try await Proxy(upstream: serverA, log: logA)
        let proxyB = try await Proxy(upstream: serverB, log: logB)
        let straight = try await runSuite(suite(proxyA.url, proxyB.url), dir: dir, db: dir + "/straight.sqlite")
        proxyA.stop()
        proxyB.stop()
        #expect(straight.samplesGenerated == 140)
        let onA = try prompts(logA), onB = try prompts(logB)
        #expect(onA.count + onB.count == 140, "one request per sample: \(onA.count) + \(onB.count)")
        let shared = Set(onA).intersection(Set(onB))
        #expect(shared.isEmpty, "items whose requests went to both replicas: \(shared.sorted())")
        #expect(Set(onA).count >= 3 && Set(onB).count >= 3, "the items spread over both replicas: \(Set(onA).count) and \(Set(onB).count)")

        // The same with least_loaded: the samples of an item scatter (what affinity fixes).
        let scatterA = dir + "/sa.log", scatterB = dir + "/sb.log"
        let pa = try await Proxy(upstream: serverA, log: scatterA)
        let pb = try await Proxy(upstream: serverB, log: scatterB)
        _ = try await runSuite(suite(pa.url, pb.url, routing: "least_loaded"), dir: dir, db: dir + "/scatter.sqlite")
        pa.stop()
        pb.stop()
        #expect(!Set(try prompts(scatterA)).intersection(Set(try prompts(scatterB))).isEmpty)
        #expect(try texts(dir + "/scatter.sqlite") == texts(dir + "/straight.sqlite"), "routing never changes a sample")

        // 2. Replica B killed mid-run: the run finishes, every sample recorded without error, the same numbers.
        let killA = dir + "/ka.log", killB = dir + "/kb.log"
        let ka = try await Proxy(upstream: serverA, log: killA)
        // B holds every request 3 s before forwarding it, so at the kill (after its 10th request
        // arrived) its requests are still unanswered even when this task gets there late (a run
        // with 140 requests in flight at once can otherwise finish B's share first).
        let kb = try await Proxy(upstream: serverB, delay: 3, log: killB)
        let yaml = suite(ka.url, kb.url)
        let db = dir + "/killed.sqlite"
        let run = Task { try await runSuite(yaml, dir: dir, db: db) }
        let deadline = Date().addingTimeInterval(60)
        while (try? prompts(killB).count) ?? 0 < 10 && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        kb.stop()
        let beforeKill = try prompts(killB).count
        let killed = try await run.value
        ka.stop()
        #expect(beforeKill >= 10 && beforeKill < 70, "B was killed mid-run, after \(beforeKill) requests")
        #expect(killed.samplesGenerated == 140)
        #expect(try storeCounts(db).samples == 140)
        #expect(try storeCounts(db).failedSamples == 0, "nothing lost")
        // B's items met the dead replica (connection refused or reset), were retried and answered by A.
        let retried: Int = try query(db, "SELECT COUNT(*) FROM samples WHERE attempts > 1") ?? 0
        #expect(retried >= 1, "requests retried after the kill: \(retried)")
        #expect(try seedRuns(db) == seedRuns(dir + "/straight.sqlite"), "the same seed runs as the run without the kill")
        #expect(try texts(db) == texts(dir + "/straight.sqlite"))
        #expect(killed.leaderboard.rows.map { "\($0.name) \($0.mean) \($0.ciLow) \($0.ciHigh) \($0.rank)" } == straight.leaderboard.rows.map { "\($0.name) \($0.mean) \($0.ciLow) \($0.ciHigh) \($0.rank)" })
    }
}
