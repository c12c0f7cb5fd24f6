import Foundation
import Testing

/// `ttsbench import` through the built binary: exit statuses, what it writes, and that the suite
/// it writes runs. The log here is hand-written in Inspect's JSON log format (the real tools'
/// logs are tested in Tests/TTSBenchTests/HarnessLogImportTests.swift).
@Suite struct ImportCLITests {
    static let usageErrors: [[String]] = [
        ["import", "lm-eval"],
        ["import", "inspect", "log.json", "--per-seed", "0"],
        ["import", "inspect", "log.json", "--temperature", "-1"],
        ["import", "bogus", "log.json"],
    ]

    @Test(arguments: usageErrors)
    func aUsageErrorExitsTwo(_ arguments: [String]) async throws {
        let dir = try makeTempDir("ttsbench-e2e-import-usage")
        let result = try await Binary.run(arguments, in: dir)
        #expect(result.status == 2 && !result.signalled, "\(arguments) exited \(result.status): \(result.stderr)")
        #expect(result.stdout.isEmpty, "\(arguments): \(result.stdout)")
    }

    @Test func aMalformedLogExitsTwoNamingTheLineAndWritesNothing() async throws {
        let dir = try makeTempDir("ttsbench-e2e-import-bad")
        try "{\"doc_id\": 0, \"doc\": {}, \"target\": \"1\", \"resps\": [[\"1\"]]}\n{oops\n".write(toFile: dir + "/s.jsonl", atomically: true, encoding: .utf8)
        let result = try await Binary.run(["import", "lm-eval", "s.jsonl", "--out", "imported"], in: dir)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("ttsbench import: s.jsonl:2: not a JSON object"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/imported"))
    }

    @Test func anImportedInspectLogRunsAsASuite() async throws {
        let dir = try makeTempDir("ttsbench-e2e-import-run")
        let samples = (1...4).flatMap { epoch in
            ["a": "2", "b": "5"].sorted(by: { $0.key < $1.key }).map { id, answer in
                #"{"id": "\#(id)", "epoch": \#(epoch), "input": "q \#(id)", "target": "\#(answer)", "output": {"completion": "The answer is \#(epoch <= 2 ? answer : "0")."}, "error": null}"#
            }
        }
        let log = #"{"status": "success", "eval": {"task": "t", "model": "openai/m", "model_generate_config": {"temperature": 1.0}}, "samples": [\#(samples.joined(separator: ","))]}"#
        try log.write(toFile: dir + "/log.json", atomically: true, encoding: .utf8)
        let imported = try await Binary.run(["import", "inspect", "log.json", "--out", "imported"], in: dir)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("2 items, 8 completions from inspect (task t, model openai/m); 4 or more an item at temperature 1.0: 1 seed of 4"),
                "\(imported.stdout)")
        for file in ["inspect-t.yaml", "inspect-t.replay.jsonl", "inspect-t.items.jsonl"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/imported/" + file), "\(file)")
        }
        let run = try await Binary.run(["run", "imported/inspect-t.yaml", "--db", "db.sqlite", "--out", "out", "--quiet"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        // One seed of all 4 epochs: single (epoch 1, right) against majority@4 (2 right, 2 "0": the
        // tie goes to the first sample, right); no sequential test with one seed.
        #expect(run.stdout.contains("| imported/single |") && run.stdout.contains("| imported/maj4 |"), "\(run.stdout)")
        #expect(run.stdout.contains("| 1.0000 |"), "\(run.stdout)")
        // The log has no token counts or latencies: shown as unknown, not as 0.0.
        let row = run.stdout.split(separator: "\n").first { $0.contains("| imported/single |") } ?? ""
        #expect(!row.contains("| 0.0 |") && !row.contains("0.00 s") && row.contains("| — |"), "\(row)")
    }
}
