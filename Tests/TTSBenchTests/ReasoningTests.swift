@testable import TTSBench
@testable import TTSReport
@testable import TTSRuntime
@testable import TTSSuite
@testable import TTSStore
@testable import TTSCore
import Foundation
import GRDB
import Testing
@testable import TTSModels
@testable import TTSSeams
@testable import TTSStrategies

/// Thinking told apart from the answer (`ReasoningSplit`), recorded (schema 10, compressed texts)
/// and configured (`reasoning`, `reasoning_effort`, `enable_thinking`, `thinking_budget`).
@Suite struct ReasoningTests {
    static func split(_ text: String, field: String? = nil, finish: String = "stop", _ options: ReasoningOptions = .init()) -> ReasoningSplit {
        ReasoningSplit(text: text, field: field, finishReason: finish, options: options)
    }

    @Test func tagsAreSplitAtTheLastClosingTag() {
        let s = Self.split("<think>\nmaybe \\boxed{3}\n</think>\n\nIt is \\boxed{4}.")
        #expect(s.thinking == "\nmaybe \\boxed{3}\n" && s.answer == "\n\nIt is \\boxed{4}." && !s.unfinished)
        // R1 templates open the thinking in the prompt: only the closing tag comes back.
        let r1 = Self.split("maybe 3</think>It is 4", .init(format: .tags))
        #expect(r1.thinking == "maybe 3" && r1.answer == "It is 4")
        // Nested and repeated tags stay in the thinking.
        let nested = Self.split("<think>a<think>b</think>c</think>d")
        #expect(nested.thinking == "a<think>b</think>c" && nested.answer == "d")
        // Custom tags.
        let custom = Self.split("<r>x</r>y", .init(format: .auto, open: "<r>", close: "</r>"))
        #expect(custom.thinking == "x" && custom.answer == "y")
    }

    @Test func aTraceEndingInsideItsThinkingIsUnfinished() {
        #expect(Self.split("<think>so \\boxed{3} and", finish: "length").unfinished)
        #expect(Self.split("<think>so \\boxed{3} and", finish: "length").answer == "")
        // Thinking reopened after the last closing tag and never closed.
        let reopened = Self.split("<think>a</think>b<think>c \\boxed{9}")
        #expect(reopened.unfinished && reopened.answer == "")
        // `tags`: no closing tag at all is all thinking.
        #expect(Self.split("maybe \\boxed{3}", .init(format: .tags)).unfinished)
        // `auto`: no tag at all is an answer.
        let plain = Self.split("It is \\boxed{4}.")
        #expect(!plain.unfinished && plain.thinking == nil && plain.answer == "It is \\boxed{4}.")
        // A reasoning field with an empty answer: unfinished when cut at the limit, else just no answer.
        #expect(Self.split("", field: "hmm", finish: "length").unfinished)
        #expect(!Self.split("", field: "hmm", finish: "stop").unfinished)
        #expect(Self.split("", field: "hmm").thinking == "hmm")
        // `none`: nothing is split, the field ignored.
        let none = Self.split("<think>a</think>b", field: "f", .init(format: .none))
        #expect(none.thinking == nil && none.answer == "<think>a</think>b")
        // `field`: tags in the text are left alone.
        #expect(Self.split("<think>a</think>b", .init(format: .field)).answer == "<think>a</think>b")
    }

    @Test func anUnfinishedTraceHasNoAnswerAndItsOwnRule() {
        var c = Completion(text: "<think>the answer is \\boxed{7} or", finishReason: "length", promptTokens: 5, completionTokens: 40, latencyMs: 1)
        c.applyReasoning(field: nil, serverTokens: nil, options: .init())
        let item = TaskItem(id: "i", question: "q", answer: "7")
        let s = Sample(sampleIndex: 0, temperature: 1, completion: c, extracting: .auto, item: item)
        #expect(s.answer == nil && s.extractRule == "unfinished_thinking")
        // Without the server's count: the completion tokens in proportion to the thinking's share of the text.
        let share = Double("the answer is \\boxed{7} or".utf8.count) / Double("<think>the answer is \\boxed{7} or".utf8.count)
        #expect(c.reasoningTokens == Int((40 * share).rounded()) && c.answerTokens == 40 - c.reasoningTokens)
        let outcome = Outcome(answer: nil, correct: false, samples: [s], detail: "")
        #expect(outcome.unfinishedThinking == 1 && outcome.noAnswer == 1 && outcome.thinkingTokens == c.reasoningTokens)
        #expect(outcome.noAnswerText?.hasPrefix("[unfinished thinking]") == true)
        // The server's count wins, bounded by the completion tokens.
        var d = Completion(text: "4", finishReason: "stop", promptTokens: 1, completionTokens: 10, latencyMs: 1)
        d.applyReasoning(field: "long thinking", serverTokens: 500, options: .init())
        #expect(d.reasoningTokens == 10)
    }

    // MARK: parsing and fingerprints

    static func model(_ extra: String) throws -> ModelSpec {
        let yaml = """
            suite: r
            seed: 1
            task: {generate: {kind: arithmetic, items: 2}}
            models:
              m: {kind: openai, base_url: "http://127.0.0.1:9/v1", model: q\(extra)}
            verifiers: {v: {kind: numeric}}
            strategies: {s: {kind: single}}
            systems: {matrix: {model: [m], strategy: [s], verifier: [v]}}
            """
        return try SuiteLoader.load(data: Data(yaml.utf8), path: "r.yaml").models[0]
    }

    @Test func reasoningKeysEnterTheFingerprintOnlyWhenGiven() throws {
        let plain = try Self.model("")
        #expect(plain.fingerprint == SHA256.hex("openai-v1|model=q|api=chat|sampling=plain|stop=[]|logprobs=-|extra_body={}"))
        #expect(try Self.model(", reasoning: {format: auto}").fingerprint == plain.fingerprint, "the default, written out")
        var seen: Set<String> = [plain.fingerprint]
        for extra in [", reasoning: {format: tags}", ", reasoning: none", ", reasoning: {open: \"<r>\", close: \"</r>\"}",
                      ", reasoning_effort: high", ", reasoning_effort: low", ", enable_thinking: false", ", thinking_budget: 512"] {
            #expect(seen.insert(try Self.model(extra).fingerprint).inserted, "\(extra)")
        }
        guard case .openai(let p) = try Self.model(", reasoning_effort: high, enable_thinking: false").kind else { return }
        #expect(p.reasoningBody == ["reasoning_effort": .string("high"), "chat_template_kwargs": .object(["enable_thinking": .bool(false)])])
    }

    @Test func badReasoningKeysAreLocatedErrors() throws {
        let cases: [(String, String)] = [(", reasoning: {format: maybe}", "format"), (", reasoning_effort: extreme", "reasoning_effort"),
                                 (", reasoning: {open: x, close: x}", "must differ"), (", thinking_budget: 0", "thinking_budget"),
                                 (", enable_thinking: true, extra_body: {chat_template_kwargs: {a: 1}}", "repeats"),
                                 (", reasoning: {format: tags, colour: red}", "colour")]
        for (extra, message) in cases {
            let error = try #require(throws: SuiteError.self) { _ = try Self.model(extra) }
            #expect(error.description.contains(message) && error.description.contains("r.yaml:"), "\(extra): \(error)")
        }
    }

    @Test func theRequestCarriesEffortAndThinkingSwitch() throws {
        guard case .openai(let p) = try Self.model(", reasoning_effort: medium, enable_thinking: true").kind else { return }
        let client = try OpenAIClient(name: "m", parameters: p, cache: nil)
        let request = GenerationRequest(messages: [ChatMessage(role: "user", content: "hi")], temperature: 0.5, seed: 3)
        let body = try #require(JSONValue.parse(client.bodyBytes(request, seed: 3, n: 1)))
        #expect(body["reasoning_effort"]?.stringValue == "medium")
        #expect(body["chat_template_kwargs"]?["enable_thinking"] == .bool(true))
    }

    // MARK: the store

    @Test func thinkingIsStoredCompressedAndReadBackTransparently() async throws {
        let dir = try makeTempDir("reasoning-store")
        let path = dir + "/t.sqlite"
        let store = try Store(path: path)
        let thinking = String(repeating: "Let me think about $x^2 + 1$ once more. ", count: 2000)
        let sample = StoredSample(itemID: "i", seedIndex: 0, temperature: 1, sampleIndex: 0, requestSeed: 9, text: "It is \\boxed{4}.",
                                  answer: "4", finishReason: "stop", promptTokens: 3, completionTokens: 20_000, latencyMs: 1, error: nil,
                                  extractRule: "boxed", reasoning: thinking, reasoningTokens: 19_990)
        try await store.record([SampleRecord(pool: "p", sample: sample)])
        try await store.flush()
        let back = try #require(try await store.samples(pool: "p", seedIndex: 0).values.first)
        #expect(back == sample)
        // On disk: a zstd frame far smaller than the text; the short answer stays TEXT.
        let (kind, bytes, textKind) = try await DatabaseQueue(path: path).read { db in
            let row = try #require(try Row.fetchOne(db, sql: "SELECT typeof(reasoning) AS k, length(reasoning) AS n, typeof(text) AS t FROM samples"))
            return (row["k"] as String, row["n"] as Int, row["t"] as String)
        }
        #expect(kind == "blob" && bytes < thinking.utf8.count / 20 && textKind == "text", "\(kind) \(bytes)")
        // Auxiliary calls too, and the replay reader.
        try await store.recordAuxiliary([AuxiliaryRecord(pool: "p", callID: "c", sample: sample)])
        #expect(try await store.auxiliaryCalls(pool: "p", seedIndex: 0).values.first?.reasoning == thinking)
        #expect(try StoreReader(path: path).sample(itemID: "i", temperature: 1, requestSeed: 9)?.reasoning == thinking)
        // A damaged frame is a clear error, not a crash.
        try await DatabaseQueue(path: path).write { try $0.execute(sql: "UPDATE samples SET reasoning = x'28b52ffd00ff'") }
        await #expect(throws: StoreError.self) { _ = try await Store(path: path).samples(pool: "p", seedIndex: 0) }
    }

    @Test func cachedResponsesAreCompressedAndExpanded() async throws {
        let dir = try makeTempDir("reasoning-cache")
        let store = try Store(path: dir + "/c.sqlite")
        let response = Array(("{\"reasoning\":\"" + String(repeating: "think ", count: 5000) + "\"}").utf8)
        try await store.cacheResponses([(key: "k", response: response)])
        try await store.flush()
        let fresh = try Store(path: dir + "/c.sqlite")
        #expect(try await fresh.cachedResponses(["k"])["k"] == response)
        let stored = try await DatabaseQueue(path: dir + "/c.sqlite").read { try Int.fetchOne($0, sql: "SELECT length(response) FROM cache") }
        #expect((stored ?? .max) < response.count / 10)
    }

    @Test func aSchema7DatabaseIsUpgradedAndItsOldRowsReadAsBefore() async throws {
        let dir = try makeTempDir("store-seven")
        let path = dir + "/seven.sqlite"
        try makeOldDatabase(at: path, upTo: "schema-7") { db in
            try insertOldSample(db, temperature: 1.0, sampleIndex: 0, requestSeed: 5, text: "It is 4", answer: "4")
            try insertOldSeedRun(db, accuracy: 1.0)
        }
        // A reader reads it as it is: no thinking recorded.
        let old = try StoreReader(path: path)
        #expect(try old.seedRuns(systemFingerprint: "fp", seeds: 1).map(\.thinkingTokensPerItem) == [nil])
        #expect(try old.unfinishedThinking(systemFingerprint: "fp", seeds: 1).recorded == false)
        #expect(try old.sample(itemID: "i", temperature: 1, requestSeed: 5)?.text == "It is 4")
        // A writer upgrades it in place; its old sample is kept, new rows have the thinking.
        let store = try Store(path: path)
        #expect(try await DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "PRAGMA user_version") } == StoreSchema.version)
        let kept = try await store.samples(pool: "p", seedIndex: 0).values.first
        #expect(kept?.text == "It is 4" && kept?.reasoning == nil)
        let outcome = OutcomeRecord(itemID: "i", answer: "4", correct: true, reward: nil, promptTokens: 20, completionTokens: 90,
                                    calls: 1, failures: 0, latencyMs: 1, detail: "", completions: 1, noAnswer: 0, sequentialTokens: 90,
                                    thinkingTokens: 60, unfinishedThinking: 0)
        try await store.commitSeedRun(SeedRunRecord(systemFingerprint: "fp", systemName: "a/x", seedIndex: 1, outcomes: [outcome]))
        #expect(try StoreReader(path: path).seedRuns(systemFingerprint: "fp", seeds: 2).map(\.thinkingTokensPerItem) == [nil, 60])
    }

    // MARK: importers

    @Test func inspectReasoningBlocksAreImportedAndReplayedApart() throws {
        let dir = try makeTempDir("reasoning-inspect")
        let log: JSONValue = .object([
            "eval": .object(["task": .string("t"), "model": .string("m"), "model_generate_config": .object(["temperature": .double(0.6)])]),
            "samples": .array([.object([
                "id": .int(1), "epoch": .int(1), "input": .string("2+2?"), "target": .string("4"),
                "output": .object(["choices": .array([.object(["message": .object(["role": .string("assistant"), "content": .array([
                    .object(["type": .string("reasoning"), "reasoning": .string("maybe \\boxed{5}, no")]),
                    .object(["type": .string("text"), "text": .string("The answer is \\boxed{4}.")]),
                ])]), "stop_reason": .string("stop")])])]),
            ])]),
        ])
        let path = try writeFile(dir, "log.json", log.canonicalString)
        let run = try InspectLog.read(path: path, shownAs: "log.json")
        let c = try #require(run.completions.first)
        #expect(c.text == "The answer is \\boxed{4}." && c.reasoning == "maybe \\boxed{5}, no")
        #expect(run.replayJSONL().contains("\"reasoning\":\"maybe"))
        let replay = try ReplayFile.load(path: try writeFile(dir, "r.jsonl", run.replayJSONL()), shownAs: "r.jsonl", format: .replay)
        #expect(replay.repeats.values.first?[0]?.reasoning == "maybe \\boxed{5}, no")
    }

    // MARK: strategies

    struct FixedSource: SampleSource {
        let fixed: [Sample]
        func samples(for item: TaskItem, temperature: Double, indices: Range<Int>) async throws -> [Sample] { Array(fixed[indices]) }
    }

    /// First and last finish order traces by their whole length, thinking included (the FFS
    /// paper's measure), not by the answer part that remains after the split.
    @Test func firstAndLastFinishCountTheThinking() async throws {
        func sample(_ index: Int, answer: String, tokens: Int, thinking: Int) -> Sample {
            var c = Completion(text: "<think>" + String(repeating: "hmm ", count: thinking) + "</think>" + answer, finishReason: "stop",
                               promptTokens: 10, completionTokens: tokens, latencyMs: 1)
            c.applyReasoning(field: nil, serverTokens: thinking, options: .init())
            return Sample(sampleIndex: index, temperature: 0.8, completion: c, extracting: .auto, item: strategyScriptedItem)
        }
        // Sample 0: a short answer after long thinking; sample 1: a longer answer after short thinking.
        let source = FixedSource(fixed: [sample(0, answer: "\\boxed{4}", tokens: 500, thinking: 495),
                                         sample(1, answer: "Adding two and two gives \\boxed{5}", tokens: 120, thinking: 20)])
        let first = try await FirstFinishStrategy(n: 2, temperature: 0.8).solve(strategyContext(strategyScriptedItem, source))
        #expect(first.answer == "5" && first.sequentialTokens == 120)
        #expect(first.thinkingTokens == 120 + 20, "charged up to the first finish: min(495, 120) + 20")
        let last = try await LastFinishStrategy(n: 2, temperature: 0.8).solve(strategyContext(strategyScriptedItem, source))
        #expect(last.answer == "4" && last.thinkingTokens == 515)
    }

    /// lm-eval keeps a reasoning model's thinking inline in its responses: an imported repeat is
    /// split when replayed, as a server without a reasoning parser is read.
    @Test func importedRepeatsWithInlineThinkingAreSplitWhenReplayed() async throws {
        let dir = try makeTempDir("reasoning-replay")
        let line: JSONValue = .object(["item_id": .string("i"), "temperature": .double(0.6), "sample_index": .int(0),
                                       "text": .string("<think>maybe \\boxed{5}</think>It is \\boxed{4}.")])
        let cut: JSONValue = .object(["item_id": .string("i"), "temperature": .double(0.6), "sample_index": .int(1),
                                      "text": .string("<think>maybe \\boxed{5} or"), "finish_reason": .string("length")])
        let path = try writeFile(dir, "r.jsonl", line.canonicalString + "\n" + cut.canonicalString + "\n")
        let model = try ReplayModel(name: "r", parameters: ReplayModelParameters(source: .jsonl(path: path), shownPath: "r.jsonl", repeatsPerSeed: 2),
                                    openDatabase: StoreRecordedSamples.init(path:))
        let item = TaskItem(id: "i", question: "q", answer: "4")
        var context = ItemContext(item: item, sampleSeeds: [1, 2])
        context.seedIndex = 0
        context.sampleIndices = [0, 1]
        let out = try await model.generate(GenerationRequest(messages: [], temperature: 0.6, seed: 1, n: 2, context: context))
        #expect(out[0].text == "It is \\boxed{4}." && out[0].reasoning == "maybe \\boxed{5}")
        #expect(out[1].thinkingUnfinished && Sample(sampleIndex: 1, temperature: 0.6, completion: out[1], extracting: .auto, item: item).answer == nil)
    }
}
