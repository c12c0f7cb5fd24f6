@testable import TTSBench
@testable import TTSReport
@testable import TTSSuite
@testable import TTSStore
@testable import TTSCore
import Foundation
import GRDB
import Testing

/// Issue 13 part 5 on logs the real tools wrote: tools/harness-logs/make_logs.sh (run by .ci/run)
/// runs the pinned lm-evaluation-harness and Inspect AI against the tiny llama.cpp model on 10
/// items, 4 samples an item at temperature 0.7. Each log is imported, checked against the log
/// itself (read here with Foundation's JSON parser, independently of the importer), and the
/// written suite is run end to end.
@Suite struct HarnessLogImportTests {
    /// `$TTSBENCH_HARNESS_LOGS`, else `.build/harness-logs` (make_logs.sh's default).
    static let logs = HarnessLogs.dir
    static let needsLogs = ConditionTrait.enabled(if: HarnessLogs.present || requireInputs, Comment(rawValue: HarnessLogs.absence))

    static func json(_ path: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) }
    static func itemIDs() throws -> [String] {
        try String(contentsOfFile: logs + "/items.jsonl", encoding: .utf8).split(separator: "\n").map {
            try #require((try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["id"] as? String)
        }
    }

    /// Imports, then runs the written suite on one seed of all 4 repeats of every item (single
    /// against majority@4, curves up to 4) and checks that every replayed sample is the imported one.
    static func importAndRun(_ harness: HarnessImporter.Harness, file: String, expected: [String: [String]]) async throws -> HarnessImporter.Result {
        let dir = try makeTempDir("harness-\(harness.rawValue)")
        let result = try HarnessImporter.run(HarnessImporter.Options(harness: harness, files: [file], outputDirectory: dir))
        #expect(result.plan == HarnessImport.SeedPlan(temperature: 0.7, repeats: 4, perSeed: 4, seeds: 1))
        var options = Session.Options.quiet(in: dir, workers: 4)
        let report = try await Session.open(suitePath: result.suitePath, options: options).run(seeds: nil)
        #expect(report.leaderboard.rows.map(\.strategy).sorted() == ["maj4", "single"])
        #expect(report.leaderboard.rows.allSatisfy { $0.seeds == 1 && $0.failures == 0 })
        #expect(report.leaderboard.curves.contains { $0.points.map(\.n).max() == 4 }, "curves up to K = 4")
        // One seed cannot decide a sequential test: no decisions, the paired difference compares.
        #expect(report.leaderboard.decisions.isEmpty && report.leaderboard.rows[1].vsTop != nil)
        let queue = try DatabaseQueue(path: dir + "/db.sqlite")
        let rows = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT item_id, seed_index, sample_index, text, error FROM samples")
        }
        #expect(rows.count == 40)
        for row in rows {
            let item: String = row["item_id"]
            let r = (row["seed_index"] as Int) * 4 + (row["sample_index"] as Int)
            #expect(row["error"] as String? == nil)
            // Long texts are stored zstd-compressed: read them as the store does.
            #expect(try StoredText.decode(row, "text") == expected[item]?[r], "item \(item) repeat \(r)")
        }
        return result
    }

    @Test(needsLogs) func lmEvalSamplesImportWithIdsCountsAndTexts() async throws {
        let dir = Self.logs + "/lm-eval"
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: dir).first { $0.hasPrefix("samples_tiny_add_") })
        let file = dir + "/" + name
        var expected: [String: [String]] = [:]
        var order: [String] = []
        for line in try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n") {
            let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let id = try #require((o["doc"] as? [String: Any])?["id"] as? String)
            let resps = try #require(o["resps"] as? [[String]])
            #expect(resps.count == 1 && resps[0].count == 4, "lm-eval: one request with 4 repeats")
            expected[id] = resps[0]
            order.append(id)
        }
        #expect(order == (try Self.itemIDs()))
        let result = try await Self.importAndRun(.lmEval, file: file, expected: expected)
        #expect(result.run.items.map(\.id) == order)
        #expect(result.run.completions.count == 40)
        #expect(result.run.items.first?.question.hasPrefix("Q: ") == true, "the prompt lm-eval sent")
        #expect(result.run.model == "tiny-add", "model_name of the results file beside the samples")
        #expect(result.run.task == "tiny_add")
        #expect(result.run.harnessRepeatsLookSeeded, "lm-eval sends seed 1234 with every request and llama.cpp honours it")
    }

    @Test(needsLogs) func inspectJSONLogImportsWithIdsEpochsAndTexts() async throws {
        let file = Self.logs + "/inspect-log.json"
        let log = try #require(try Self.json(file) as? [String: Any])
        let samples = try #require(log["samples"] as? [[String: Any]])
        #expect(samples.count == 40)
        var byEpoch: [String: [Int: String]] = [:]
        for s in samples {
            let id = try #require(s["id"] as? String)
            let epoch = try #require(s["epoch"] as? Int)
            byEpoch[id, default: [:]][epoch] = try #require((s["output"] as? [String: Any])?["completion"] as? String)
        }
        let expected = byEpoch.mapValues { e in e.keys.sorted().map { e[$0]! } }
        let result = try await Self.importAndRun(.inspect, file: file, expected: expected)
        #expect(result.run.items.map(\.id) == (try Self.itemIDs()), "in the dataset's order")
        #expect(result.run.completions.count == 40)
        #expect(result.run.skipped.isEmpty)
        #expect(result.run.model == "openai/tiny-add")
    }

    /// Inspect's `.eval` archive (zip of zstd-compressed entries, converted from the JSON log by
    /// `inspect log convert`) imports to the same completions and items as the JSON log.
    @Test(needsLogs) func inspectEvalArchiveImportsLikeTheJSONLog() throws {
        let archive = try InspectLog.read(path: Self.logs + "/inspect-log.eval", shownAs: "inspect-log.eval")
        let json = try InspectLog.read(path: Self.logs + "/inspect-log.json", shownAs: "inspect-log.json")
        #expect(archive.completions.count == 40)
        #expect(archive.completions == json.completions)
        #expect(archive.items == json.items)
        #expect(archive.fingerprint == json.fingerprint)
    }

    /// The importer's zstd path (libzstd) on python-zstandard's output (levels 1, 3, 19; with and
    /// without checksum and content size; JSON over several blocks, random bytes, long runs,
    /// repetitive text); a frame whose checksum byte is changed is refused.
    @Test(needsLogs) func zstdDecodesWhatPythonZstandardWrote() throws {
        let dir = Self.logs + "/zstd"
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".zst") }.sorted()
        #expect(names.count == 36)
        var checked = 0
        for name in names {
            let compressed = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))
            let expected = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name.dropLast(4) + ".bin")))
            do {
                let got = try ZstdDecompression.decompress(compressed, limit: 64 << 20)
                #expect(got == expected, "\(name): \(got.count) bytes, expected \(expected.count)")
            } catch {
                Issue.record("\(name): \(error)")
            }
            // Frame header descriptor bit 2: the frame ends in a 4-byte content checksum.
            if compressed.count > 8, compressed[4] & 0x04 != 0 {
                var corrupt = compressed
                corrupt[corrupt.count - 1] ^= 0x01
                #expect(throws: ZstdDecompression.Failure.self, "\(name): a changed checksum") {
                    _ = try ZstdDecompression.decompress(corrupt, limit: 64 << 20)
                }
                checked += 1
            }
        }
        #expect(checked > 0, "some vectors carry a checksum")
    }

    /// A replay model reads the tools' logs directly (`format: lm-eval|inspect`), with the same
    /// samples as the import: every recorded text is the log's repeat 2s+i.
    @Test(needsLogs) func aReplayModelReadsTheLogsDirectly() async throws {
        let dir = try makeTempDir("harness-direct")
        let lmDir = Self.logs + "/lm-eval"
        let lm = try #require(try FileManager.default.contentsOfDirectory(atPath: lmDir).first { $0.hasPrefix("samples_tiny_add_") })
        let suite = try writeFile(dir, "direct.yaml", """
            suite: direct
            seed: 1
            task: {name: add, file: \(Self.logs)/items.jsonl, prompt: "Q: {question}=? A:", extract: last_number}
            models:
              lm: {kind: replay, file: \(lmDir)/\(lm), format: lm-eval, repeats_per_seed: 2}
              inspect: {kind: replay, file: \(Self.logs)/inspect-log.json, format: inspect, repeats_per_seed: 2}
            verifiers:
              v: {kind: numeric}
            strategies:
              maj2: {kind: majority, n: 2, temperature: 0.7}
            systems:
              matrix: {model: [lm, inspect], strategy: [maj2], verifier: [v]}

            """)
        var options = Session.Options.quiet(in: dir)
        let report = try await Session.open(suitePath: suite, options: options).run(seeds: 2)
        #expect(report.leaderboard.rows.count == 2)
        #expect(report.leaderboard.rows.allSatisfy { $0.failures == 0 && $0.seeds == 2 })
        let queue = try DatabaseQueue(path: dir + "/db.sqlite")
        let texts = try await queue.read { db in
            try Row.fetchAll(db, sql: "SELECT text FROM samples WHERE error IS NULL ORDER BY item_id, seed_index, sample_index")
                .map { try StoredText.decode($0, "text") ?? "" }
        }
        #expect(texts.count == 80)
        let imported = try InspectLog.read(path: Self.logs + "/inspect-log.json", shownAs: "log").completions.map(\.text)
            + LMEvalLog.read(path: lmDir + "/" + lm, shownAs: "log").completions.map(\.text)
        #expect(texts.sorted() == imported.sorted())
    }
}
