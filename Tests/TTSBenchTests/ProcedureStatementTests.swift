@testable import TTSBench
@testable import TTSSuite
import AdaStop
import Foundation
import GRDB
import Testing

/// Every leaderboard (Markdown, HTML, JSON) and `compare` name the procedure that decided and its
/// guarantee, from what ran: closed testing for a small suite, Holm over exact pairwise tests
/// beyond the closed test's size. Deterministic systems generate one seed.
@Suite struct ProcedureStatementTests {
    static func suite(name: String, strategies: [String]) -> String {
        suiteYAML(
            name: name, seed: 7, task: ["name: arith", "generate: {kind: arithmetic, items: 20, digits: 2}"],
            models: standardModels,
            strategies: ["single: {kind: single, temperature: 0.0}", "maj2: {kind: majority, n: 2, temperature: 0.8}",
                         "maj3: {kind: majority, n: 3, temperature: 0.8}", "maj4: {kind: majority, n: 4, temperature: 0.8}",
                         "bon2: {kind: best_of_n, n: 2, temperature: 0.8, scorer: rm}",
                         "bon4: {kind: best_of_n, n: 4, temperature: 0.8, scorer: rm}"],
            systems: ["matrix: {model: [weak, mid, strong], strategy: [\(strategies.joined(separator: ", "))], verifier: [math]}"],
            tail: ["compare: {group_size: 3, max_interims: 3, permutations: 500}"])
    }

    struct Published {
        var md: String
        var html: String
        var adastop: [String: Any]
        var systems: [[String: Any]]
        var db: String
        var path: String
    }

    static func publish(_ name: String, strategies: [String]) async throws -> Published {
        let dir = try makeTempDir("procedure-\(name)")
        let path = try writeFile(dir, "\(name).yaml", suite(name: name, strategies: strategies))
        var options = Session.Options.quiet(in: dir)
        _ = try await Session.open(suitePath: path, options: options).publish()
        let out = dir + "/out/\(name)/"
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "leaderboard.json"))) as? [String: Any])
        return Published(md: try String(contentsOfFile: out + "leaderboard.md", encoding: .utf8),
                         html: try String(contentsOfFile: out + "index.html", encoding: .utf8),
                         adastop: try #require(json["adastop"] as? [String: Any]),
                         systems: try #require(json["systems"] as? [[String: Any]]), db: options.databasePath, path: path)
    }

    @Test("a 3-system suite states closed testing and its strong guarantee in every format")
    func threeSystems() async throws {
        let p = try await Self.publish("three", strategies: ["maj4"])
        let closed = Procedure(scheme: .closed, rule: .absolute, comparisons: 3)
        #expect(p.adastop["procedure"] as? String == "closed")
        #expect(p.adastop["guarantee"] as? String == closed.guarantee)
        for text in [p.md, p.html] {
            #expect(text.contains("closed testing over equality partitions"))
            #expect(text.contains("Guarantee: family-wise error at most alpha whatever the true differences (strong control)"))
            #expect(!text.contains("Holm"))
        }
        // compare: one comparison, named with its own guarantee.
        var options = Session.Options()
        options.databasePath = p.db
        options.showProgress = false
        let report = try await Session.compare(suitePath: p.path, "weak/maj4", "strong/maj4", options: options)
        #expect(report.text().contains("Procedure: closed testing over equality partitions; the error of the verdict is at most alpha."))
        #expect(report.json().contains("\"procedure\": \"closed\""))
    }

    @Test("an 18-system suite states Holm, never closed testing; deterministic systems generate one seed")
    func eighteenSystems() async throws {
        let p = try await Self.publish("eighteen", strategies: ["single", "maj2", "maj3", "maj4", "bon2", "bon4"])
        #expect(p.systems.count == 18)
        #expect(p.adastop["procedure"] as? String == "holm")
        #expect(p.adastop["permutation"] as? String == "closed", "the setting is kept as written")
        for text in [p.md, p.html] {
            #expect(text.contains("Holm's step-down over exact pairwise permutation tests"))
            #expect(text.contains("Guarantee: family-wise error at most alpha whatever the true differences (strong control)"))
            #expect(!text.contains("closed testing"))
        }
        // The three greedy systems: one seed generated, read for every seed index.
        let greedy = p.systems.filter { ($0["strategy"] as? String) == "single" }
        #expect(greedy.count == 3)
        for s in greedy {
            #expect(s["deterministic"] as? Bool == true)
            #expect(s["seeds_generated"] as? Int == 1)
            let seeds = try #require(s["seeds"] as? Int)
            #expect(seeds >= 3)
            #expect(p.md.contains("1 (deterministic, read \(seeds) times)"))
            #expect((s["ci_high"] as! Double) - (s["ci_low"] as! Double) > 0.05, "the interval counts items")
        }
        #expect(p.systems.filter { ($0["strategy"] as? String) != "single" }.allSatisfy { $0["deterministic"] as? Bool == false })
        let greedySamples = try await DatabaseQueue(path: p.db).read {
            try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM samples WHERE temperature = 0") ?? -1
        }
        #expect(greedySamples == 3 * 20, "three models x 20 items, generated once")
    }
}

/// `deterministic: true` on an endpoint model: off by default, in the fingerprint only when set,
/// and it makes temperature-0 samples read seed 0's for every seed index.
@Suite struct DeterministicModelTests {
    static func endpointSuite(_ extra: String) -> String {
        """
        suite: det
        seed: 3
        task:
          name: arith
          generate: {kind: arithmetic, items: 5, digits: 2}
        models:
          api: {kind: openai, base_url: "http://127.0.0.1:9/v1", model: m\(extra)}
          sim: {kind: simulated, ability: 0.5}
        verifiers:
          math: {kind: math}
        strategies:
          single: {kind: single, temperature: 0.0}
          maj2: {kind: majority, n: 2, temperature: 0.8}
        systems:
          matrix: {model: [api, sim], strategy: [single, maj2], verifier: [math]}

        """
    }

    @Test func theKeyIsOffByDefaultAndEntersTheFingerprintOnlyWhenSet() throws {
        let dir = try makeTempDir("deterministic")
        let plain = try SuiteLoader.load(path: try writeFile(dir, "a.yaml", Self.endpointSuite("")))
        let off = try SuiteLoader.load(path: try writeFile(dir, "b.yaml", Self.endpointSuite(", deterministic: false")))
        let on = try SuiteLoader.load(path: try writeFile(dir, "c.yaml", Self.endpointSuite(", deterministic: true")))
        #expect(plain.model("api")!.fingerprint == off.model("api")!.fingerprint)
        #expect(plain.fingerprint == off.fingerprint)
        #expect(plain.model("api")!.fingerprint != on.model("api")!.fingerprint)
        #expect(!plain.model("api")!.deterministicAtZero && on.model("api")!.deterministicAtZero)
        #expect(plain.model("sim")!.deterministicAtZero)
        // Seed 7 reads seed 0's greedy samples on a deterministic model, its own otherwise.
        #expect(on.model("api")!.sampleSeed(7, temperature: 0) == 0)
        #expect(on.model("api")!.sampleSeed(7, temperature: 0.8) == 7)
        #expect(plain.model("api")!.sampleSeed(7, temperature: 0) == 7)
        // Only a greedy single-sample system on a deterministic model is deterministic.
        let systems = Dictionary(uniqueKeysWithValues: on.systems.map { ($0.name, on.isDeterministic($0)) })
        #expect(systems == ["api/single": true, "api/maj2": false, "sim/single": true, "sim/maj2": false])
        #expect(!plain.isDeterministic(plain.systems.first { $0.name == "api/single" }!))
        let bad = try writeFile(dir, "d.yaml", Self.endpointSuite(", deterministic: maybe"))
        #expect(throws: SuiteError.self) { try SuiteLoader.load(path: bad) }
    }
}
