@testable import TTSBench
@testable import TTSReport
@testable import TTSSuite
@testable import TTSStore
@testable import TTSCore
import Foundation
import GRDB
import Testing

/// Leaderboards: rank groups against the decisions, formats, byte identity, variants, provenance.
@Suite struct LeaderboardTests {
    static func row(_ name: String, _ mean: Double) -> Leaderboard.Row {
        Leaderboard.Row(name: name, model: "m", modelLabel: "m", strategy: "s", strategyLabel: "s", verifier: "v", simulated: true,
                        mean: mean, ciLow: mean, ciHigh: mean, seeds: 5, rank: "", tokensPerItem: 1, callsPerItem: 1, failures: 0)
    }
    static func decision(_ a: String, _ b: String, _ d: String) -> Leaderboard.DecisionRow {
        Leaderboard.DecisionRow(a: a, b: b, decision: d, interim: 0)
    }

    /// `rows` ordered and ranked against `decisions` (higher is better), as a leaderboard does.
    static func ranked(_ rows: [Leaderboard.Row], _ decisions: [Leaderboard.DecisionRow]) -> [Leaderboard.Row] {
        var ordered = LeaderboardBuilder.order(rows, decisions: decisions, higherIsBetter: true)
        LeaderboardBuilder.assignRanks(&ordered, decisions: decisions)
        return ordered
    }

    /// The two properties docs/leaderboard.md promises, checked over every pair.
    static func expectConsistent(_ rows: [Leaderboard.Row], _ decisions: [Leaderboard.DecisionRow], sourceLocation: SourceLocation = #_sourceLocation) {
        func rankNumber(_ r: Leaderboard.Row) -> Int { Int(r.rank.trimmingCharacters(in: CharacterSet(charactersIn: "="))) ?? -1 }
        let byName = Dictionary(uniqueKeysWithValues: rows.map { ($0.name, $0) })
        for d in decisions {
            guard let a = byName[d.a], let b = byName[d.b] else { continue }
            switch d.decision {
            case "larger": #expect(rankNumber(a) < rankNumber(b), "\(d.a) beat \(d.b) but ranks \(a.rank) vs \(b.rank)", sourceLocation: sourceLocation)
            case "smaller": #expect(rankNumber(b) < rankNumber(a), "\(d.b) beat \(d.a) but ranks \(b.rank) vs \(a.rank)", sourceLocation: sourceLocation)
            default: break
            }
        }
        let separated = Set(decisions.filter { $0.decision != "equal" }.map { [$0.a, $0.b].sorted().joined(separator: "|") })
        for a in rows { for b in rows where a.name < b.name && a.rank == b.rank {
            #expect(!separated.contains([a.name, b.name].sorted().joined(separator: "|")),
                    "\(a.name) and \(b.name) share rank \(a.rank) although the test separated them", sourceLocation: sourceLocation)
        } }
    }

    @Test func rankGroupsShareOnlyWhatTheTestCouldNotSeparate() {
        let rows = [Self.row("a", 0.9), Self.row("b", 0.8), Self.row("c", 0.79), Self.row("d", 0.5)]
        let decisions = [Self.decision("a", "b", "larger"), Self.decision("a", "c", "larger"), Self.decision("a", "d", "larger"),
                         Self.decision("b", "c", "equal"), Self.decision("b", "d", "larger"), Self.decision("c", "d", "larger")]
        let ordered = Self.ranked(rows, decisions)
        #expect(ordered.map(\.rank) == ["1", "2=", "2=", "4"])
        Self.expectConsistent(ordered, decisions)
    }

    @Test func aDecisionWinsOverMeansThatDisagree() {
        // b was decided better than a (at an early interim), though a's final mean is higher.
        let rows = [Self.row("a", 0.61), Self.row("b", 0.60), Self.row("c", 0.2)]
        let decisions = [Self.decision("a", "b", "smaller"), Self.decision("a", "c", "larger"), Self.decision("b", "c", "larger")]
        let ordered = Self.ranked(rows, decisions)
        #expect(ordered.map(\.name) == ["b", "a", "c"])
        #expect(ordered.map(\.rank) == ["1", "2", "3"])
        Self.expectConsistent(ordered, decisions)
    }

    @Test func aChainOfEqualsDoesNotMergeSeparatedSystems() {
        // a = b, b = c, but a > c: a and c must not share a rank.
        let rows = [Self.row("a", 0.7), Self.row("b", 0.65), Self.row("c", 0.6)]
        let decisions = [Self.decision("a", "b", "equal"), Self.decision("b", "c", "equal"), Self.decision("a", "c", "larger")]
        let ordered = Self.ranked(rows, decisions)
        #expect(ordered.map(\.rank) == ["1=", "1=", "3"])
        Self.expectConsistent(ordered, decisions)
    }

    @Test func withoutDecisionsRanksFollowTheMeans() {
        let rows = Self.ranked([Self.row("x", 0.5), Self.row("y", 0.5), Self.row("z", 0.9)], [])
        #expect(rows.map(\.name) == ["z", "x", "y"])
        #expect(rows.map(\.rank) == ["1", "2", "3"])
    }

    @Test func csvQuotesPerRFC4180() {
        #expect(CSVRenderer.field("plain") == "plain")
        #expect(CSVRenderer.field("a,b") == "\"a,b\"")
        #expect(CSVRenderer.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVRenderer.field("two\nlines") == "\"two\nlines\"")
        var row = Self.row("m/s,odd", 0.5)
        row.rank = "1"
        let board = Leaderboard(suite: "t", fingerprint: "f", metric: "accuracy", rows: [row], decisions: [])
        let text = CSVRenderer().render(board)
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines.count == 3 && lines[2].isEmpty, "CRLF after every record")
        #expect(lines[0].split(separator: ",").count == CSVRenderer.header.count)
        #expect(lines[1].hasPrefix("1,\"m/s,odd\",m,s,s,v,,,true,0.5,0.5,0.5,5,,,,1,1,,,0"))
    }

    @Test func variantsSectionIsParsedWithLocatedErrors() throws {
        let dir = try makeTempDir("lb-variants-errors")
        func load(_ extra: String) throws -> Suite {
            try SuiteLoader.load(path: try writeFile(dir, "s.yaml", baseSuite + extra))
        }
        let ok = try load("leaderboard:\n  variants: [multi_temperature, fusion]\n  multi_temperature: {temperatures: [0.4, 0.8, 1.2]}\n  fusion: {fuser: strong}\n")
        #expect(ok.leaderboard.variants == [.multiTemperature, .fusion])
        // maj4 and bon4 have the same N and temperature on each model: one pair of twins per model, given to maj4.
        #expect(ok.systems.map(\.name).filter { $0.contains("~") } == [
            "weak/maj4~multi_temperature", "weak/maj4~fusion", "mid/maj4~multi_temperature", "mid/maj4~fusion",
            "strong/maj4~multi_temperature", "strong/maj4~fusion"])
        #expect(ok.systems.firstIndex { $0.name == "mid/maj4~fusion" }! == ok.systems.firstIndex { $0.name == "mid/maj4" }! + 2)
        let twin = ok.strategy("maj4~fusion")!
        #expect(twin.samplesPerItem == 4 && twin.referencedModels == ["strong"])
        #expect(Set(ok.systems.map(\.fingerprint)).count == ok.systems.count)

        let cases: [(String, Int, String)] = [
            ("leaderboard:\n  variants: [fusoin]\n", 20, "fusoin"),
            ("leaderboard:\n  variants: [fusion]\n  fusion: {fuser: stron}\n", 21, "did you mean 'strong'"),
            ("leaderboard:\n  variants: [fusion]\n  multi_temperature: {temperatures: [0.4]}\n", 21, "does not list"),
            ("leaderboard:\n  variants: [multi_temperature]\n  multi_temperature: {temperatures: [0.4, 0.4]}\n", 21, "repeats temperature"),
            ("leaderboard:\n  variant: [fusion]\n", 20, "variant"),
        ]
        for (extra, line, fragment) in cases {
            do {
                _ = try load(extra)
                Issue.record("expected an error for \(extra)")
            } catch let error as SuiteError {
                #expect(error.line == line, "\(error)")
                #expect(error.description.contains(fragment), "\(error)")
            }
        }
    }

    @Test func variantNamesAreRecognisedFromTheDatabaseAlone() {
        #expect(Variants.parse(systemName: "mid/maj8~fusion", strategy: "maj8~fusion") == ("mid/maj8", "fusion"))
        #expect(Variants.parse(systemName: "mid/maj8~multi_temperature", strategy: "maj8~multi_temperature") == ("mid/maj8", "multi_temperature"))
        #expect(Variants.parse(systemName: "mid/maj8", strategy: "maj8") == (nil, nil))
        #expect(Variants.parse(systemName: "x~other", strategy: "s~other") == (nil, nil))
    }

    struct Published: Sendable {
        var dir: String
        var db: String
        var board: Leaderboard
        var files: [String: Data]
    }

    /// One small suite with variants, published once for the tests below (2 interims of 3 seeds: quick).
    actor Cache {
        static let shared = Cache()
        private var task: Task<Published, any Error>?
        func get() async throws -> Published {
            if let task { return try await task.value }
            let task = Task { try await LeaderboardTests.publishSmall() }
            self.task = task
            return try await task.value
        }
    }

    static func published() async throws -> Published { try await Cache.shared.get() }

    static func publishSmall() async throws -> Published {
        let dir = try makeTempDir("lb-publish")
        _ = try writeFile(dir, "small.yaml", baseSuite.replacingOccurrences(of: "items: 40", with: "items: 30") + """
            compare: {group_size: 3, max_interims: 2, permutations: 1000}
            leaderboard:
              variants: [multi_temperature, fusion]
              multi_temperature: {temperatures: [0.4, 1.0]}
              fusion: {fuser: strong}

            """)
        var options = Session.Options.quiet(in: dir)
        let report = try await Session.open(suitePath: dir + "/small.yaml", options: options).publish()
        var files: [String: Data] = [:]
        for path in report.files { files[(path as NSString).lastPathComponent] = try Data(contentsOf: URL(fileURLWithPath: path)) }
        return Published(dir: dir, db: options.databasePath, board: report.leaderboard, files: files)
    }

    @Test func publishWritesFiveFilesAndRegeneratingGivesIdenticalBytes() async throws {
        let p = try await Self.published()
        #expect(Set(p.files.keys) == ["leaderboard.md", "leaderboard.csv", "leaderboard.json", "index.html", "provenance.json"])
        let reader = try StoreReader(path: p.db)
        let again = p.dir + "/again"
        _ = try LeaderboardFiles.write(reader: reader, suite: "small", directory: again, formats: LeaderboardFormat.allCases)
        for (name, data) in p.files {
            #expect(try Data(contentsOf: URL(fileURLWithPath: again + "/" + name)) == data, "\(name) differs when regenerated")
        }
    }

    @Test func jsonFollowsTheDocumentedSchema() async throws {
        let p = try await Self.published()
        let json = try #require(try JSONSerialization.jsonObject(with: p.files["leaderboard.json"]!) as? [String: Any])
        #expect(json["suite"] as? String == "small")
        #expect(json["metric"] as? String == "accuracy")
        let systems = try #require(json["systems"] as? [[String: Any]])
        #expect(systems.count == p.board.rows.count)
        let required = ["name", "model", "strategy", "verifier", "variant_of", "variant", "mean", "ci_low", "ci_high", "seeds", "rank",
                        "tokens_per_item", "calls_per_item", "cost_per_item", "failures"]
        for s in systems { for key in required { #expect(s.keys.contains(key), "system lacks \(key)") } }
        let twins = systems.filter { !($0["variant_of"] is NSNull) }
        #expect(twins.count == 6)
        #expect(Set(twins.compactMap { $0["variant"] as? String }) == ["multi_temperature", "fusion"])
        for s in systems where s["variant_of"] is NSNull { #expect(s["variant"] is NSNull) }
        let decisions = try #require(json["decisions"] as? [[String: Any]])
        #expect(!decisions.isEmpty)
        for d in decisions { for key in ["a", "b", "decision", "interim"] { #expect(d.keys.contains(key)) } }
        #expect(try JSONSerialization.jsonObject(with: p.files["provenance.json"]!) is [String: Any])
    }

    @Test func theJointPermutationSchemeRunsAndIsReported() async throws {
        let dir = try makeTempDir("lb-joint")
        _ = try writeFile(dir, "joint.yaml", baseSuite.replacingOccurrences(of: "items: 40", with: "items: 20") + """
            compare: {group_size: 3, max_interims: 2, permutations: 500, permutation: joint}

            """)
        var options = Session.Options.quiet(in: dir)
        let report = try await Session.open(suitePath: dir + "/joint.yaml", options: options).publish()
        #expect(report.leaderboard.settings?.permutation == "joint")
        let md = try String(contentsOfFile: dir + "/out/small/leaderboard.md", encoding: .utf8)
        #expect(md.contains("pool shared, joint permutation step-down, early accept below 0.9 seed sd, beta 0.25."))
        // joint guarantees the error only when every compared system is equal, and says so.
        #expect(md.contains("Guarantee: family-wise error at most alpha only when every compared system is equal (weak control)"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/out/small/leaderboard.json"))) as? [String: Any])
        #expect((json["adastop"] as? [String: Any])?["permutation"] as? String == "joint")
        // The default: closed testing with early accept, both named in every output.
        let p = try await Self.published()
        let defaultJSON = try #require(try JSONSerialization.jsonObject(with: p.files["leaderboard.json"]!) as? [String: Any])
        let adastop = try #require(defaultJSON["adastop"] as? [String: Any])
        #expect(adastop["permutation"] as? String == "closed")
        #expect(adastop["futility"] as? String == "0.9 seed sd, beta 0.25")
        #expect(p.board.settings?.permutation == "closed")
        // More systems than closed testing enumerates: what ran is Holm, and the leaderboard says so.
        #expect(adastop["procedure"] as? String == "holm")
        #expect(String(decoding: p.files["leaderboard.md"]!, as: UTF8.self)
            .contains("Holm's step-down over exact pairwise permutation tests, early accept below 0.9 seed sd, beta 0.25."))
    }

    @Test("intervals cover items and seeds: a greedy system's interval has width, and it holds its mean")
    func twoWayIntervals() async throws {
        let board = try await Self.published().board
        let greedy = board.rows.filter { $0.strategy == "single" }
        try #require(!greedy.isEmpty)
        for r in greedy {
            #expect(r.ciHigh - r.ciLow > 0.05, "\(r.name): [\(r.ciLow), \(r.ciHigh)] on 30 items")
            #expect(r.ciLow <= r.mean && r.mean <= r.ciHigh)
        }
        // The same table resampled over seeds only would give a point for a greedy system: the
        // width comes from the items.
        for r in board.rows {
            #expect(r.ciLow <= r.mean && r.mean <= r.ciHigh, "\(r.name)")
            if let d = r.vsTop { #expect(d.ciLow <= d.difference && d.difference <= d.ciHigh, "\(r.name)") }
        }
        let md = board.decisions.isEmpty ? "" : MarkdownRenderer().render(board)
        #expect(md.contains("two-way bootstrap interval over items and seeds"))
    }

    @Test("every decision carries the paired item test; a clear gap has a small p, a self-comparison p = 1")
    func itemTests() async throws {
        let board = try await Self.published().board
        try #require(!board.decisions.isEmpty)
        for d in board.decisions {
            let t = try #require(d.itemTest, "\(d.a) vs \(d.b)")
            #expect(t.items == 30 && t.pValue > 0 && t.pValue <= 1)
            #expect(abs(t.difference - (d.meanA - d.meanB)) < 0.35, "item difference near the seed-mean difference")
        }
        // strong/bon4 vs weak/single: a large gap on 30 items.
        let clear = try #require(board.decisions.first { Set([$0.a, $0.b]) == ["strong/bon4", "weak/single"] })
        #expect(clear.itemTest!.pValue < 0.001)
        #expect(PairedItemTest.run([0, 0, 0], seed: "x").pValue == 1)
        // A constant gain on every item: every sign flip but the data's own is smaller.
        #expect(PairedItemTest.run(Array(repeating: 0.5, count: 20), seed: "x", flips: 999).pValue < 0.01)
        let json = String(decoding: JSONRenderer().render(board).utf8, as: UTF8.self)
        #expect(json.contains("\"item_test\": {\"difference\": "))
        let md = MarkdownRenderer().render(board)
        #expect(md.contains("Item test p"))
        #expect(md.contains("paired permutation test over items"))
    }

    @Test func ranksOfThePublishedBoardMatchItsDecisions() async throws {
        let board = try await Self.published().board
        Self.expectConsistent(board.rows, board.decisions)
        // Twins were compared like any system.
        let twins = board.rows.filter { $0.variantOf != nil }
        for t in twins {
            #expect(board.decisions.contains { [$0.a, $0.b].contains(t.name) }, "\(t.name) was never compared")
            #expect(t.vsBase != nil)
        }
        #expect(board.rows.dropFirst().allSatisfy { $0.vsTop != nil })
    }

    @Test func markdownShowsTwinsBesideTheirBase() async throws {
        let md = String(decoding: try await Self.published().files["leaderboard.md"]!, as: UTF8.self)
        #expect(md.contains("## Variants"))
        #expect(md.contains("| mid/maj4 | "))
        #expect(md.contains("mid/maj4~fusion"))
        let table = md.components(separatedBy: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| Rank") }
        #expect(!table.isEmpty)
    }

    @Test func provenanceHoldsNoKeyAndNoClock() async throws {
        let text = String(decoding: try await Self.published().files["provenance.json"]!, as: UTF8.self)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        for key in ["suite_fingerprint", "ttsbench_version", "git_commit", "dependencies", "fingerprint_version", "dataset", "models",
                    "seeds", "dates", "adastop"] {
            #expect(json.keys.contains(key), "provenance lacks \(key)")
        }
    }

    /// A key planted in the environment variable an endpoint names, and credentials in its URL,
    /// appear in no published file and nowhere in the database; a second publish a second later
    /// writes the same bytes (no clock of the writing run enters them).
    @Test func aPlantedKeyIsNeverWrittenAndNoClockEntersTheBytes() async throws {
        let dir = try makeTempDir("lb-planted")
        let key = "sk-planted-\(UUID().uuidString)"
        setenv("TTSBENCH_PLANTED_KEY", key, 1)
        defer { unsetenv("TTSBENCH_PLANTED_KEY") }
        let suitePath = try writeFile(dir, "planted.yaml", """
            suite: planted
            seed: 5
            task: {generate: {kind: arithmetic, items: 12}}
            models:
              m: {kind: simulated, ability: 0.5}
              remote: {kind: openai, base_url: "http://user:hunter2-planted@127.0.0.1:9/v1?token=query-planted", model: x,
                       api_key_env: TTSBENCH_PLANTED_KEY}
            verifiers:
              math: {kind: math}
            strategies:
              maj4: {kind: majority, n: 4, temperature: 0.8}
              single: {kind: single, temperature: 0.0}
            systems:
              matrix: {model: [m], strategy: [maj4, single], verifier: [math]}
            compare: {group_size: 2, max_interims: 1, permutations: 200}

            """)
        var options = Session.Options.quiet(in: dir)
        let first = try await Session.open(suitePath: suitePath, options: options).publish()
        let firstBytes = try first.files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        let provenance = String(decoding: firstBytes[first.files.firstIndex { $0.hasSuffix("provenance.json") }!], as: UTF8.self)
        #expect(provenance.contains("\"api_key_env\": \"TTSBENCH_PLANTED_KEY\"") && provenance.contains("http://127.0.0.1:9/v1"))
        for secret in [key, "hunter2-planted", "query-planted"] {
            for (path, bytes) in zip(first.files, firstBytes) {
                #expect(!String(decoding: bytes, as: UTF8.self).contains(secret), "\(secret) written to \(path)")
            }
            for file in try FileManager.default.contentsOfDirectory(atPath: dir) where file.hasPrefix("db.sqlite") {
                let raw = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + file))
                #expect(raw.range(of: Data(secret.utf8)) == nil, "\(secret) stored in \(file)")
            }
        }
        // A second later, the same database and suite: the same bytes.
        try await Task.sleep(for: .milliseconds(1100))
        options.outputDirectory = dir + "/again"
        let second = try await Session.open(suitePath: suitePath, options: options).publish()
        #expect(try second.files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) } == firstBytes)
    }

    @Test func latencyAndCurvesComeFromTheDatabaseForEveryRow() async throws {
        let p = try await Self.published()
        // Every row, twins included, has its latency; the estimator curves are there.
        #expect(p.board.rows.allSatisfy { $0.latencyMsPerItem != nil && $0.latencyMsPerItem! > 0 })
        #expect(p.board.curves.contains { $0.source == "estimator" && $0.family == "majority" })
        #expect(p.board.curves.contains { $0.source == "estimator" && $0.family == "pass" })
    }

    @Test func aFileSuiteRegeneratesWithoutItsSuiteOrDataFile() async throws {
        let dir = try makeTempDir("lb-file")
        let items = (0..<12).map { "{\"id\": \"q\($0)\", \"question\": \"What is \($0) + \($0)?\", \"answer\": \"\($0 * 2)\"}" }
        _ = try writeFile(dir, "q.jsonl", items.joined(separator: "\n") + "\n")
        let suitePath = try writeFile(dir, "file.yaml", suiteYAML(
            name: "filesuite", seed: 3, task: ["{file: q.jsonl}"], models: ["m: {kind: simulated, ability: 0.5}"],
            strategies: Array(standardStrategies.dropFirst()),
            systems: ["matrix: {model: [m], strategy: [maj4, bon4], verifier: [math]}"],
            tail: ["compare: {group_size: 2, max_interims: 2, permutations: 200}"]))
        var options = Session.Options.quiet(in: dir)
        let report = try await Session.open(suitePath: suitePath, options: options).publish()
        let first = try report.files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        try FileManager.default.removeItem(atPath: dir + "/q.jsonl")
        try FileManager.default.removeItem(atPath: suitePath)
        let (board, files) = try LeaderboardFiles.write(reader: try StoreReader(path: options.databasePath), suite: "filesuite",
                                                        directory: dir + "/again", formats: LeaderboardFormat.allCases)
        #expect(try files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) } == first)
        #expect(board.rows.allSatisfy { $0.latencyMsPerItem != nil })
        #expect(board.curves.contains { $0.source == "estimator" && $0.family == "best_of_n" })
        let provenance = try String(contentsOfFile: dir + "/again/provenance.json", encoding: .utf8)
        #expect(provenance.contains("\"file_sha256\": \"") && provenance.contains("\"source\": \"file: q.jsonl\""))
    }

    /// The no-answer rate is recorded at run time and shown on every row; the HTML lists the
    /// completions no rule read. A regex that never matches reads nothing; the default reads all.
    @Test func theNoAnswerRateAndExamplesComeFromTheDatabase() async throws {
        let dir = try makeTempDir("lb-noanswer")
        let items = (0..<6).map { "{\"id\": \"q\($0)\", \"question\": \"What is \($0) + \($0)?\", \"answer\": \"\($0 * 2)\"}" }
        _ = try writeFile(dir, "q.jsonl", items.joined(separator: "\n") + "\n")
        func publish(_ name: String, _ extract: String) async throws -> (Leaderboard, String) {
            let suitePath = try writeFile(dir, name + ".yaml", """
                suite: \(name)
                seed: 3
                task: {file: q.jsonl\(extract)}
                models:
                  m: {kind: simulated, ability: 0.5}
                verifiers:
                  math: {kind: math}
                strategies:
                  one: {kind: single, temperature: 0.0}
                  maj3: {kind: majority, n: 3, temperature: 0.8}
                systems:
                  matrix: {model: [m], strategy: [one, maj3], verifier: [math]}
                compare: {group_size: 2, max_interims: 1, permutations: 100}

                """)
            var options = Session.Options.quiet(in: dir)
            let report = try await Session.open(suitePath: suitePath, options: options).publish()
            let html = try String(contentsOfFile: dir + "/out/\(name)/index.html", encoding: .utf8)
            return (report.leaderboard, html)
        }
        let (never, neverHTML) = try await publish("never", ", extract: {regex: 'NEVER(\\d+)', group: 1}")
        #expect(never.rows.count == 2 && never.rows.allSatisfy { $0.noAnswerRate == 1 && $0.mean == 0 })
        #expect(never.rows.allSatisfy { !$0.noAnswerExamples.isEmpty && $0.noAnswerExamples.count <= 3 })
        #expect(neverHTML.contains("Completions with no answer") && neverHTML.contains("\\boxed"))
        #expect(MarkdownRenderer().render(never).contains("| 100.0% |"))
        let (auto, autoHTML) = try await publish("auto", "")
        #expect(auto.rows.allSatisfy { $0.noAnswerRate == 0 && $0.noAnswerExamples.isEmpty })
        #expect(!autoHTML.contains("Completions with no answer"))
        #expect(JSONRenderer().render(auto).contains("\"no_answer_rate\": 0,"))
    }
}
