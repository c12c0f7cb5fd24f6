@testable import TTSBench
@testable import TTSReport
@testable import TTSSuite
@testable import TTSStore
@testable import TTSCore
import Foundation
import GRDB
import Testing

/// The adaptive votes run through `Session`: they read majority@N's pool as a prefix, record what
/// they read, are deterministic and resume to the same per-item outcomes.
@Suite struct AdaptiveRunTests {
    static func yaml(items: Int, strategies: [String] = ["maj16", "ac16", "esc16", "cc16"]) -> String {
        suiteYAML(name: "adaptive-run", seed: 11, task: ["generate: {kind: arithmetic, items: \(items), digits: 3}"],
                  models: ["strong: {kind: simulated, ability: 1.5}"],
                  strategies: ["maj16: {kind: majority, n: 16, temperature: 0.8}",
                               "ac16: {kind: adaptive_consistency, max_n: 16}",
                               "esc16: {kind: esc, max_n: 16, window: 4}",
                               "cc16: {kind: confidence_consistency, max_n: 16, scorer: rm}"],
                  systems: ["matrix: {model: strong, strategy: [\(strategies.joined(separator: ", "))], verifier: math}"])
    }

    /// (system, seed, item, samples read, rounds, calls, answer) of every outcome, in a stable order.
    static func perItem(_ db: String) throws -> [String] {
        var config = Configuration()
        config.readonly = true
        return try DatabaseQueue(path: db, configuration: config).read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.system_name AS s, r.seed_index AS seed, o.item_id AS item, o.samples_read AS n, o.rounds AS rounds,
                       o.calls AS calls, o.answer AS answer
                FROM outcomes o JOIN seed_runs r ON o.run_id = r.id ORDER BY r.system_name, r.seed_index, o.item_index
                """).map { row in
                let rounds: Int? = row["rounds"]
                let answer: String? = row["answer"]
                return "\(row["s"] as String)|\(row["seed"] as Int)|\(row["item"] as String)|\(row["n"] as Int)|\(rounds.map(String.init) ?? "-")|\(row["calls"] as Int)|\(answer ?? "-")"
            }
        }
    }

    @Test func adaptiveVotesReadThePrefixOfMajoritysPoolAndRecordIt() async throws {
        let dir = try makeTempDir("adaptive-run")
        let suite = try writeFile(dir, "adaptive.yaml", Self.yaml(items: 60))
        let db = dir + "/db.sqlite"
        let (report, files) = try await ResumeTests.run(suite, db: db, out: dir + "/out", seeds: 2)
        // One pool: majority@16 draws 16 samples per item and seed, the adaptive votes read a prefix of them.
        #expect(report.samplesGenerated == 60 * 16 * 2)
        #expect(try countRows(db, "SELECT COUNT(DISTINCT pool) FROM samples") == 1)
        let rows = try Self.perItem(db)
        #expect(rows.count == 4 * 2 * 60)
        for row in rows {
            let f = row.split(separator: "|").map(String.init)
            let (system, read, rounds, calls) = (f[0], Int(f[3])!, f[4], Int(f[5])!)
            #expect(read == calls, "\(row): calls are the samples read")
            switch system {
            case "strong/maj16": #expect(read == 16 && rounds == "-")
            case "strong/ac16", "strong/cc16": #expect(Int(rounds) == read && read >= 1 && read <= 16, "\(row)")
            case "strong/esc16": #expect(Int(rounds) == (read + 3) / 4 && read >= 4, "\(row)")
            default: Issue.record("unexpected system \(row)")
            }
        }
        let board = report.leaderboard
        let ac = try #require(board.adaptive.systems.first { $0.name == "strong/ac16" })
        let maj = try #require(board.row("strong/maj16"))
        #expect(ac.samplesPerItem < 0.65 * 16, "a strong model agrees early: \(ac.samplesPerItem) samples/item")
        #expect(ac.roundsPerItem == ac.samplesPerItem)
        #expect(try #require(board.row("strong/ac16")).tokensPerItem < 0.65 * maj.tokensPerItem)
        #expect(board.adaptive.systems.count == 3)
        // The exact curves over majority@16's pools, at the rule's own setting, expect what the system read.
        let curve = try #require(board.adaptive.curves.first { $0.rule == "adaptive_consistency" })
        #expect(curve.pool == "strong/maj16" && curve.pools == 120 && curve.maxN == 16)
        let at95 = try #require(curve.points.first { $0.parameter == 0.95 })
        #expect(abs(at95.samplesPerItem - ac.samplesPerItem) < 1.0, "curve \(at95.samplesPerItem) vs system \(ac.samplesPerItem)")
        #expect(curve.points.map(\.samplesPerItem) == curve.points.map(\.samplesPerItem).sorted(), "a higher threshold reads more")
        #expect(abs(curve.majority[15] - maj.mean) < 1e-9, "maj@16 of the pools is majority@16's accuracy")
        #expect(board.adaptive.curves.contains { $0.rule == "esc" && $0.parameterName == "window" })
        #expect(!board.adaptive.curves.contains { $0.rule == "confidence_consistency" }, "no reward-scored pool: no confidence curve")
        #expect(board.adaptive.missingCurves.contains { $0.hasPrefix("strong/cc16: no curve") && $0.contains("kind: best_of_n, n: 16") })
        let md = String(decoding: files.markdown, as: UTF8.self)
        #expect(md.contains("## Adaptive stopping") && md.contains("| strong/ac16 | adaptive_consistency@16 |"))
        let json = String(decoding: files.json, as: UTF8.self)
        #expect(json.contains("\"adaptive\": {") || json.contains("\"adaptive\":{"))
    }

    /// The confidence-weighted rule's curve over a best-of-N pool scored by the same reward model
    /// (the pool the adaptive vote read, found by replaying its rule; a best-of-N pool at another
    /// temperature is rejected), with its point at the strategy's own threshold close to what the
    /// strategy read. Tolerance: 4 standard errors of the system's mean over its 120 item-seeds,
    /// with the spread bounded by the range (samples in 1...16: sd ≤ 7.5; accuracy: sd ≤ 0.5).
    @Test func theConfidenceCurveReadsTheRewardPoolTheVoteRead() async throws {
        let dir = try makeTempDir("adaptive-cc")
        let yaml = suiteYAML(name: "adaptive-cc", seed: 11, task: ["generate: {kind: arithmetic, items: 60, digits: 3}"],
                             models: ["mid: {kind: simulated, ability: 0.8}"],
                             strategies: ["bon16: {kind: best_of_n, n: 16, scorer: rm, temperature: 0.8}",
                                          "bon0: {kind: best_of_n, n: 16, scorer: rm, temperature: 0.3}",
                                          "cc16: {kind: confidence_consistency, max_n: 16, scorer: rm, threshold: 0.9, temperature: 0.8}"],
                             systems: ["matrix: {model: mid, strategy: [bon0, bon16, cc16], verifier: math}"])
        let suite = try writeFile(dir, "cc.yaml", yaml)
        let (report, files) = try await ResumeTests.run(suite, db: dir + "/db.sqlite", out: dir + "/out", seeds: 2)
        let board = report.leaderboard
        let cc = try #require(board.adaptive.systems.first { $0.name == "mid/cc16" })
        let curve = try #require(board.adaptive.curves.first { $0.rule == "confidence_consistency" })
        #expect(curve.pool == "mid/bon16" && curve.pools == 120 && curve.maxN == 16, "\(curve.pool) \(curve.pools)")
        #expect(curve.weighting == "sigmoid" && curve.ordersPerPool == 334 && curve.parameterName == "threshold")
        #expect(curve.points.allSatisfy { !$0.exact })
        let own = try #require(curve.points.first { $0.parameter == 0.9 })
        let n = 120.0
        #expect(abs(own.samplesPerItem - cc.samplesPerItem) <= 4 * 7.5 / n.squareRoot(), "curve \(own.samplesPerItem) vs system \(cc.samplesPerItem)")
        #expect(abs(own.accuracy - cc.mean) <= 4 * 0.5 / n.squareRoot(), "curve \(own.accuracy) vs system \(cc.mean)")
        #expect(own.samplesPerItem > 1 && own.samplesPerItem < 16)
        #expect(curve.points.map(\.samplesPerItem) == curve.points.map(\.samplesPerItem).sorted(), "a higher threshold reads more")
        #expect(board.adaptive.missingCurves.isEmpty)
        let md = String(decoding: files.markdown, as: UTF8.self)
        #expect(md.contains("### mid: confidence_consistency at max N = 16, over the pools of mid/bon16 (120 item-seeds)"))
        #expect(md.contains("averaged over 334 random orders"))
        let html = HTMLRenderer().render(board)
        #expect(html.contains("<h3>mid: confidence_consistency at max N = 16, over the pools of mid/bon16 (120 item-seeds)</h3>"))
        let json = try #require(JSONValue.parse(Array(files.json)))
        let curves = json["adaptive"]?["curves"]?.arrayValue ?? []
        let jsonCurve = try #require(curves.first { $0["rule"]?.stringValue == "confidence_consistency" })
        #expect(jsonCurve["orders_per_pool"]?.doubleValue == 334 && jsonCurve["weighting"]?.stringValue == "sigmoid")
        #expect(jsonCurve["points"]?.arrayValue?.count == curve.points.count)
    }

    /// Alone, an adaptive vote generates only what it reads: its cost is the real one.
    @Test func aloneAnAdaptiveVoteGeneratesOnlyWhatItReads() async throws {
        let dir = try makeTempDir("adaptive-alone")
        let suite = try writeFile(dir, "adaptive.yaml", Self.yaml(items: 40, strategies: ["ac16"]))
        let db = dir + "/db.sqlite"
        let (report, _) = try await ResumeTests.run(suite, db: db, out: dir + "/out", seeds: 1)
        let read = try countRows(db, "SELECT SUM(samples_read) FROM outcomes")
        #expect(report.samplesGenerated == read && read < 40 * 16)
        #expect(try countRows(db, "SELECT MAX(sample_index) FROM samples") < 16)
        #expect(report.leaderboard.adaptive.systems.count == 1 && report.leaderboard.adaptive.curves.isEmpty,
                "no majority pool: no curve")
        // A board without adaptive votes has no adaptive section (its files keep their bytes).
        let plain = try writeFile(dir, "plain.yaml", Self.yaml(items: 10, strategies: ["maj16"]).replacingOccurrences(of: "adaptive-run", with: "plain"))
        let (fixed, files) = try await ResumeTests.run(plain, db: dir + "/plain.sqlite", out: dir + "/plain", seeds: 1)
        #expect(fixed.leaderboard.adaptive.isEmpty)
        #expect(!String(decoding: files.markdown, as: UTF8.self).contains("Adaptive stopping"))
        #expect(!String(decoding: files.json, as: UTF8.self).contains("\"adaptive\""))
    }

    /// The same suite twice, on another database with one worker, and cancelled then resumed:
    /// the same samples read, rounds and answers for every item.
    @Test func determinismAndResumeGiveTheSamePerItemReadings() async throws {
        let dir = try makeTempDir("adaptive-resume")
        let suite = try writeFile(dir, "adaptive.yaml", Self.yaml(items: 150))
        let reference = dir + "/reference.sqlite"
        let (first, files) = try await ResumeTests.run(suite, db: reference, out: dir + "/reference", seeds: 2)
        let expected = try Self.perItem(reference)
        let (again, againFiles) = try await ResumeTests.run(suite, db: reference, out: dir + "/reference", seeds: 2)
        #expect(again.samplesGenerated == 0 && againFiles == files)
        #expect(try Self.perItem(reference) == expected)

        let (other, otherFiles) = try await ResumeTests.run(suite, db: dir + "/one.sqlite", out: dir + "/one", seeds: 2, workers: 1)
        #expect(other.samplesGenerated == first.samplesGenerated && otherFiles == files)
        #expect(try Self.perItem(dir + "/one.sqlite") == expected)

        let db = dir + "/db.sqlite"
        let interrupted = Task { try await ResumeTests.run(suite, db: db, out: dir + "/out", seeds: 2) }
        _ = await pollOnThread(timeout: .seconds(600)) {
            guard let n = try? ResumeTests.sampleRows(db), n > 0 else { return false }
            interrupted.cancel()
            return true
        }
        interrupted.cancel()
        if case .success = await interrupted.result {
            Issue.record("the run finished before it could be cancelled; make the suite bigger")
        }
        let partial = try ResumeTests.sampleRows(db)
        #expect(partial < first.samplesGenerated)
        let (resumed, resumedFiles) = try await ResumeTests.run(suite, db: db, out: dir + "/out", seeds: 2)
        #expect(resumed.samplesGenerated == first.samplesGenerated - partial)
        #expect(resumedFiles == files)
        #expect(try Self.perItem(db) == expected)
    }
}
