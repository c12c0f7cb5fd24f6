@testable import TTSBench
@testable import TTSReport
@testable import TTSSuite
@testable import TTSStore
@testable import TTSCore
import Foundation
import GRDB
import Testing

/// Issue 13 part 5: replaying imported repeats, and the importers' errors. The logs here are
/// hand-written in the tools' formats (small, to test one behaviour each); the logs the real
/// tools wrote are tested in HarnessLogImportTests.
@Suite struct HarnessImportTests {
    /// Item "a" (answer 3) with six imported repeats "1" ... "6" at temperature 0.7.
    static func writeImported(_ dir: String, repeatsPerSeed: Int = 2, reuse: Bool = false) throws -> String {
        try writeFile(dir, "items.jsonl", #"{"id": "a", "question": "1+2", "answer": "3"}"# + "\n")
        try writeFile(dir, "replay.jsonl", (0..<6).map {
            #"{"item_id": "a", "temperature": 0.7, "sample_index": \#($0), "text": "\#($0 + 1)", "model_fingerprint": "fp"}"#
        }.joined(separator: "\n") + "\n")
        return try writeFile(dir, "suite.yaml", """
            suite: imported
            seed: 1
            task: {name: t, file: items.jsonl, prompt: "{question}", extract: last_number}
            models:
              m: {kind: replay, file: replay.jsonl, repeats_per_seed: \(repeatsPerSeed)\(reuse ? ", reuse_repeats: true" : "")}
            verifiers:
              v: {kind: numeric}
            strategies:
              single: {kind: single, temperature: 0.7}
              maj2: {kind: majority, n: 2, temperature: 0.7}
            systems:
              matrix: {model: [m], strategy: [single, maj2], verifier: [v]}

            """)
    }

    static func run(_ suitePath: String, dir: String, seeds: Int) async throws -> RunReport {
        var options = Session.Options.quiet(in: dir, workers: 4)
        return try await Session.open(suitePath: suitePath, options: options).run(seeds: seeds)
    }

    /// (seed index, sample index, text) of every recorded sample.
    static func served(_ db: String) throws -> [String] {
        let queue = try DatabaseQueue(path: db)
        return try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT seed_index, sample_index, text, error FROM samples ORDER BY seed_index, sample_index")
                .map { "\($0["seed_index"] as Int)/\($0["sample_index"] as Int)=\((try StoredText.decode($0, "text")) ?? "error: \(($0["error"] as String?) ?? "")")" }
        }
    }

    @Test func seedSGetsRepeatsFromSTimesKOn() async throws {
        let dir = try makeTempDir("import-map")
        let report = try await Self.run(try Self.writeImported(dir), dir: dir, seeds: 3)
        // Seed s, sample i is repeat 2s+i, whose text is 2s+i+1; single and maj2 share the pool.
        #expect(try Self.served(dir + "/db.sqlite") == ["0/0=1", "0/1=2", "1/0=3", "1/1=4", "2/0=5", "2/1=6"])
        let single = try #require(report.leaderboard.rows.first { $0.strategy == "single" })
        #expect(single.seeds == 3)
        #expect(abs(single.mean - 1.0 / 3) < 1e-9, "only seed 1's first repeat (\"3\") is right")
        #expect(report.leaderboard.rows.allSatisfy { $0.failures == 0 })
    }

    @Test func aRunPastTheImportedRepeatsStopsUnlessReuseIsAsked() async throws {
        let dir = try makeTempDir("import-exhausted")
        await #expect {
            _ = try await Self.run(try Self.writeImported(dir), dir: dir, seeds: 4)
        } throws: { error in
            "\(error)".contains("item a has 6 imported repeats at temperature 0.7, enough for 3 seeds of 2; seed index 3 needs repeat 6")
        }
        let again = try makeTempDir("import-reuse")
        _ = try await Self.run(try Self.writeImported(again, reuse: true), dir: again, seeds: 4)
        #expect(try Self.served(again + "/db.sqlite").suffix(2) == ["3/0=1", "3/1=2"], "seed 3 wraps around to repeats 0 and 1")
    }

    @Test func aStrategyDrawingMoreThanRepeatsPerSeedStops() async throws {
        let dir = try makeTempDir("import-perseed")
        await #expect {
            _ = try await Self.run(try Self.writeImported(dir, repeatsPerSeed: 1), dir: dir, seeds: 1)
        } throws: { error in
            "\(error)".contains("asks for sample 1 of a seed but repeats_per_seed is 1")
        }
    }

    @Test func aRefinementCallOnImportedRepeatsStops() async throws {
        let dir = try makeTempDir("import-refine")
        let path = try Self.writeImported(dir)
        try writeFile(dir, "suite.yaml", try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(of: "maj2: {kind: majority, n: 2, temperature: 0.7}", with: "maj2: {kind: refine, mode: sequential, rounds: 1, temperature: 0.7}"))
        await #expect {
            _ = try await Self.run(path, dir: dir, seeds: 1)
        } throws: { error in
            "\(error)".contains("imported repeats answer fresh samples only; item a was asked something else")
        }
    }

    @Test func importedRepeatsNeedRepeatsPerSeed() throws {
        let dir = try makeTempDir("import-noperseed")
        let path = try Self.writeImported(dir)
        try writeFile(dir, "suite.yaml", try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: ", repeats_per_seed: 2", with: ""))
        #expect {
            _ = try SuiteLoader.load(path: path)
        } throws: { error in
            "\(error)".contains("suite.yaml:5:") && "\(error)".contains("needs 'repeats_per_seed'")
        }
    }

    @Test func replayFileErrorsNameTheLine() throws {
        let dir = try makeTempDir("import-replayfile")
        let cases: [(String, String)] = [
            (#"{"item_id": "a", "temperature": 0, "sample_index": 0, "text": "x"}"# + "\n" + #"{"item_id": "a", "temperature": 0, "sample_index": 0, "text": "y"}"#,
             "r.jsonl:2: item a at temperature 0.0 has sample_index 0 twice"),
            (#"{"item_id": "a", "temperature": 0, "sample_index": 1, "text": "x"}"#, "r.jsonl: item a at temperature 0.0 has no sample_index 0 (indices must run 0, 1, 2, ...)"),
            (#"{"item_id": "a", "temperature": 0, "sample_index": 0, "request_seed": 5, "text": "x"}"#, "r.jsonl:1: takes request_seed or sample_index, not both"),
            (#"{"item_id": "a", "temperature": 0, "text": "x"}"#, "r.jsonl:1: needs item_id, temperature, text and request_seed or sample_index"),
        ]
        for (text, message) in cases {
            let path = try writeFile(dir, "r.jsonl", text + "\n")
            #expect(throws: ReplayFile.ReadError(description: message)) { _ = try ReplayFile.read(path: path, shownAs: "r.jsonl") }
        }
    }

    // MARK: lm-eval

    static let lmLine = #"{"doc_id": 0, "doc": {"id": "q1", "question": "1+1"}, "target": "2", "arguments": {"gen_args_0": {"arg_0": "Q: 1+1=? A:", "arg_1": {"until": ["\n"], "do_sample": true, "temperature": 0.5}}}, "resps": [[" 2", " 3"]], "filtered_resps": ["2"], "filter": "maj"}"#

    @Test func lmEvalReadsDocumentsRepeatsAndTemperature() throws {
        let dir = try makeTempDir("import-lmeval")
        let other = Self.lmLine.replacingOccurrences(of: #""filter": "maj""#, with: #""filter": "strict""#)
        let path = try writeFile(dir, "samples_t_2026.jsonl", Self.lmLine + "\n" + other + "\n")
        let run = try LMEvalLog.read(path: path, shownAs: "s.jsonl")
        #expect(run.items == [HarnessImport.Item(id: "q1", question: "Q: 1+1=? A:", answer: "2")])
        #expect(run.completions.map(\.text) == [" 2", " 3"], "the line of the second filter repeats the same resps: counted once")
        #expect(run.completions.map(\.sampleIndex) == [0, 1])
        #expect(run.completions.allSatisfy { $0.temperature == 0.5 })
        #expect(run.task == "t")
        #expect(throws: ImportError.self) { _ = try LMEvalLog.read(path: path, shownAs: "s.jsonl", options: .init(filtered: true)) }
        let filtered = try LMEvalLog.read(path: path, shownAs: "s.jsonl", options: .init(filter: "maj", filtered: true))
        #expect(filtered.completions.map(\.text) == ["2"])
    }

    @Test func lmEvalErrorsNameFileAndLine() throws {
        let dir = try makeTempDir("import-lmeval-bad")
        let cases: [(String, String)] = [
            ("{not json", "s.jsonl:2: not a JSON object"),
            (Self.lmLine.replacingOccurrences(of: #""target": "2", "#, with: ""), "s.jsonl:2: needs target"),
            (Self.lmLine.replacingOccurrences(of: #"[[" 2", " 3"]]"#, with: "[[-1.5, false]]"), "s.jsonl:2: resps holds [-1.5,false], not completions"),
        ]
        for (bad, message) in cases {
            let path = try writeFile(dir, "s.jsonl", Self.lmLine.replacingOccurrences(of: "q1", with: "q0") + "\n" + bad + "\n")
            #expect { _ = try LMEvalLog.read(path: path, shownAs: "s.jsonl") } throws: { "\($0)".hasPrefix(message) }
        }
    }

    /// Found by the mutation test: a log whose items were drawn at different temperatures has no
    /// temperature every item shares; the error names the file and says what to do.
    @Test func itemsAtDifferentTemperaturesAreRefusedNamingTheFile() throws {
        let dir = try makeTempDir("import-lmeval-temperatures")
        let other = Self.lmLine.replacingOccurrences(of: "q1", with: "q2").replacingOccurrences(of: #""temperature": 0.5"#, with: #""temperature": 0.9"#)
            .replacingOccurrences(of: #""doc_id": 0"#, with: #""doc_id": 1"#)
        let path = try writeFile(dir, "s.jsonl", Self.lmLine + "\n" + other + "\n")
        let run = try LMEvalLog.read(path: path, shownAs: "s.jsonl")
        #expect { _ = try run.seedPlan() } throws: {
            "\($0)".hasPrefix("s.jsonl: item q") && "\($0)".contains("pass --temperature T")
        }
        #expect(try LMEvalLog.read(path: path, shownAs: "s.jsonl", options: .init(temperature: 0.5)).seedPlan().repeats == 2)
    }

    // MARK: inspect

    static func inspectLog(_ samples: String) -> String {
        #"{"status": "success", "eval": {"task": "t", "model": "openai/m", "model_generate_config": {"temperature": 0.7}}, "samples": [\#(samples)]}"#
    }
    static func inspectSample(id: String, epoch: Int, text: String, error: String = "null") -> String {
        #"{"id": "\#(id)", "epoch": \#(epoch), "input": "1+1", "target": "2", "output": {"completion": "\#(text)", "choices": [{"stop_reason": "stop"}], "usage": {"input_tokens": 5, "output_tokens": 2}, "time": 0.25}, "scores": {"match": {"value": "C"}}, "error": \#(error)}"#
    }

    @Test func inspectReadsEpochsInOrderAndSkipsErroredSamples() throws {
        let dir = try makeTempDir("import-inspect")
        let path = try writeFile(dir, "log.json", Self.inspectLog([
            Self.inspectSample(id: "x", epoch: 2, text: "b"), Self.inspectSample(id: "x", epoch: 1, text: "a"),
            Self.inspectSample(id: "x", epoch: 3, text: "c", error: #"{"message": "boom"}"#), Self.inspectSample(id: "x", epoch: 4, text: "d"),
        ].joined(separator: ",")))
        let run = try InspectLog.read(path: path, shownAs: "log.json")
        #expect(run.completions.map(\.text) == ["a", "b", "d"])
        #expect(run.completions.map(\.sampleIndex) == [0, 1, 2])
        #expect(run.completions.first?.latencyMs == 250)
        #expect(run.completions.first?.sourceScore == "match=C")
        #expect(run.skipped == ["log.json: sample x epoch 3: ended in an error: boom"])
    }

    @Test func inspectErrorsNameTheSample() throws {
        let dir = try makeTempDir("import-inspect-bad")
        let noOutput = Self.inspectSample(id: "y7", epoch: 2, text: "z").replacingOccurrences(of: #""completion": "z", "#, with: "")
            .replacingOccurrences(of: #""choices": [{"stop_reason": "stop"}], "#, with: "")
        let path = try writeFile(dir, "log.json", Self.inspectLog(Self.inspectSample(id: "y7", epoch: 1, text: "a") + "," + noOutput))
        #expect(throws: ImportError(description: "log.json: sample y7 epoch 2: output has no completion text")) {
            _ = try InspectLog.read(path: path, shownAs: "log.json")
        }
        let noTemperature = try writeFile(dir, "log2.json", Self.inspectLog(Self.inspectSample(id: "y", epoch: 1, text: "a"))
            .replacingOccurrences(of: #""temperature": 0.7"#, with: #""max_tokens": 8"#))
        #expect { _ = try InspectLog.read(path: noTemperature, shownAs: "log2.json") } throws: { "\($0)".contains("pass --temperature") }
        #expect(try InspectLog.read(path: noTemperature, shownAs: "log2.json", options: .init(temperature: 1)).completions.first?.temperature == 1)
    }
}

extension ImportError: Equatable {
    public static func == (a: ImportError, b: ImportError) -> Bool { a.description == b.description }
}
extension ReplayFile.ReadError: Equatable {
    public static func == (a: ReplayFile.ReadError, b: ReplayFile.ReadError) -> Bool { a.description == b.description }
}
