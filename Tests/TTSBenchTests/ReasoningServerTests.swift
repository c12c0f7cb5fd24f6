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

/// A reasoning model of the tests' own (python3's standard library on a free 127.0.0.1 port):
/// for a request seed it writes one trace — thinking that mentions a wrong `\boxed{}` (the
/// right sum + 1000), then an answer — and returns it in the shape the path names:
/// - `/reasoning/v1`: vLLM with a reasoning parser (newer): `message.reasoning`, with
///   `usage.completion_tokens_details.reasoning_tokens`;
/// - `/reasoning_content/v1`: older vLLM, SGLang, llama-server, DeepSeek: `message.reasoning_content`;
/// - `/inline/v1`: no parser: `<think>…</think>` inline in `content` (and in `text` for completions);
/// - `/r1/v1`: the opening tag is in the prompt (R1 templates): only `</think>` in `content`.
/// One trace in five is cut off inside its thinking (`finish_reason: length`, no answer).
/// `/huge/v1` answers with a 50 MB thinking trace; `/nested/v1` with nested and repeated tags;
/// `/thinking-only/v1` with thinking and a null `content`. A chat request whose last message is
/// the assistant's (budget forcing's call for the final answer) gets the right sum, closed.
final class ReasoningServer: @unchecked Sendable {
    static let script = PythonScriptServer.jsonHandlerPrelude + #"""
        import json, random, re, sys, threading

        def trace(question, seed):
            a, b = [int(x) for x in re.findall(r"(\d+) \+ (\d+)", question)[0]]
            right = a + b
            rng = random.Random(seed)
            thinking = "".join("Let me compute %d + %d. Perhaps it is \\boxed{%d}. Let me check again. " % (a, b, right + 1000)
                               for _ in range(rng.randint(2, 6)))
            if rng.random() < 0.2:
                return thinking[: len(thinking) * 2 // 3], None
            value = right if rng.random() < 0.7 else right + rng.choice([1, 2])
            return thinking, "So the answer is $\\boxed{%d}$." % value

        class Handler(JSONHandler):
            def do_POST(self):
                req = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                shape = self.path.split("/")[1]
                chat = "messages" in req
                question = [m["content"] for m in req["messages"] if m["role"] == "user"][0] if chat else req["prompt"]
                if chat and req["messages"][-1]["role"] == "assistant":
                    # Budget forcing asks for the final answer after the thinking it closed.
                    a, b = [int(x) for x in re.findall(r"(\d+) \+ (\d+)", question)[0]]
                    choice = {"index": 0, "message": {"role": "assistant", "content": "%d}$." % (a + b)}, "finish_reason": "stop"}
                    return self.reply(200, {"id": "c", "choices": [choice], "usage": {"prompt_tokens": 1, "completion_tokens": 3}})
                thinking, answer = trace(question, req.get("seed", 0))
                finish = "stop" if answer is not None else "length"
                message = {"role": "assistant"}
                usage = {"prompt_tokens": len(question) // 4,
                         "completion_tokens": (len(thinking) + len(answer or "")) // 4 + 1}
                if shape in ("reasoning", "reasoning_content"):
                    message[shape] = thinking
                    message["content"] = answer
                    if shape == "reasoning":
                        usage["completion_tokens_details"] = {"reasoning_tokens": len(thinking) // 4}
                elif shape == "inline":
                    message["content"] = "<think>\n" + thinking + ("\n</think>\n\n" + answer if answer is not None else "")
                elif shape == "r1":
                    message["content"] = thinking + ("\n</think>\n\n" + answer if answer is not None else "")
                elif shape == "nested":
                    message["content"] = "<think>outer <think>inner \\boxed{999}</think> still \\boxed{998}</think>\nThe answer is \\boxed{7}."
                    finish = "stop"
                elif shape == "thinking-only":
                    message["content"] = None
                    message["reasoning_content"] = thinking
                    finish = "stop"
                elif shape == "huge":
                    message["content"] = "The answer is \\boxed{7}."
                    message["reasoning_content"] = "x" * (50 * 1024 * 1024)
                    finish = "stop"
                if chat:
                    choice = {"index": 0, "message": message, "finish_reason": finish}
                else:
                    choice = {"index": 0, "text": message.get("content") or "", "finish_reason": finish}
                self.reply(200, {"id": "r", "choices": [choice], "usage": usage})

        """# + PythonScriptServer.serveHandlerUntilStdinCloses

    let server: PythonScriptServer
    var url: String { server.url }
    init() throws { server = try PythonScriptServer(script: Self.script, name: "reasoning server") }
    func stop() { server.stop() }
}

@Suite struct ReasoningServerTests {
    static let item = TaskItem(id: "r1", question: "Compute $12 + 30$.", answer: "42")

    static func client(_ server: ReasoningServer, shape: String, reasoning: ReasoningOptions = ReasoningOptions(),
                       api: OpenAIModelParameters.API = .chat) throws -> OpenAIClient {
        var p = OpenAIModelParameters(baseURLs: [server.url + "/\(shape)/v1"], model: "m", api: api, maxRetries: 0)
        p.reasoning = reasoning
        return try OpenAIClient(name: "m", parameters: p, cache: nil)
    }

    /// The first request seed whose trace is finished (`cut == false`) or cut off (`cut == true`).
    static func seed(cut: Bool, _ server: ReasoningServer) async throws -> UInt64 {
        let c = try client(server, shape: "reasoning")
        for seed in UInt64(1)...200 {
            let r = try await c.generate(GenerationRequest(messages: [ChatMessage(role: "user", content: item.question)],
                                                           temperature: 1, seed: seed))[0]
            if (r.finishReason == "length") == cut { return seed }
        }
        throw TestSetupError("no such trace in 200 seeds")
    }

    static func ask(_ client: OpenAIClient, seed: UInt64) async throws -> Sample {
        let c = try await client.generate(GenerationRequest(messages: [ChatMessage(role: "user", content: item.question)],
                                                            temperature: 1, seed: seed))[0]
        return Sample(sampleIndex: 0, temperature: 1, completion: c, extracting: .auto, item: item)
    }

    @Test func everyShapeOfTheSameTraceGivesTheSameAnswerAndThinking() async throws {
        let server = try ReasoningServer()
        defer { server.stop() }
        let finished = try await Self.seed(cut: false, server)
        let shapes: [(String, ReasoningOptions)] = [("reasoning", .init()), ("reasoning_content", .init()), ("inline", .init()),
                                                    ("r1", .init(format: .tags)), ("reasoning", .init(format: .field))]
        var answers: [String?] = []
        for (shape, options) in shapes {
            let s = try await Self.ask(try Self.client(server, shape: shape, reasoning: options), seed: finished)
            let c = try #require(s.completion)
            answers.append(s.answer)
            #expect(c.reasoning?.contains("Perhaps it is \\boxed{1042}") == true, "\(shape): thinking recorded")
            #expect(!c.text.contains("Perhaps"), "\(shape): the answer part holds no thinking: \(c.text)")
            #expect(!c.thinkingUnfinished)
            #expect(c.reasoningTokens > 0 && c.reasoningTokens <= c.completionTokens)
            #expect(s.answer != "1042", "\(shape): the wrong box inside the thinking is never the answer")
        }
        #expect(Set(answers).count == 1 && answers[0] != nil, "\(answers)")
        // vLLM's reasoning_tokens is taken as it is.
        let v = try await Self.ask(try Self.client(server, shape: "reasoning"), seed: finished)
        #expect(v.completion!.reasoningTokens == v.completion!.reasoning!.count / 4)
        // The completions API: inline tags split the same way.
        let t = try await Self.ask(try Self.client(server, shape: "inline", api: .completions), seed: finished)
        #expect(t.answer == answers[0] && t.completion?.reasoning?.contains("Perhaps") == true)
        // Without splitting (format none) the thinking stays in the text, as a server flag would leave it.
        let none = try await Self.ask(try Self.client(server, shape: "inline", reasoning: .init(format: .none)), seed: finished)
        #expect(none.completion?.reasoning == nil && none.completion?.text.contains("Perhaps") == true)
    }

    @Test func aTraceCutOffInsideItsThinkingHasNoAnswerWhateverTheShape() async throws {
        let server = try ReasoningServer()
        defer { server.stop() }
        let cut = try await Self.seed(cut: true, server)
        let shapes: [(String, ReasoningOptions)] = [("reasoning", .init()), ("reasoning_content", .init()), ("inline", .init()),
                                                    ("r1", .init(format: .tags))]
        for (shape, options) in shapes {
            let s = try await Self.ask(try Self.client(server, shape: shape, reasoning: options), seed: cut)
            #expect(s.answer == nil, "\(shape): \(s.answer ?? "")")
            #expect(s.extractRule == AnswerExtractor.unfinishedThinkingRule, "\(shape)")
            #expect(s.completion?.thinkingUnfinished == true)
            #expect(s.completion?.reasoning?.contains("Perhaps it is") == true, "\(shape): the partial thinking is recorded")
        }
        // The default (auto) on R1-style output cannot tell a cut trace without tags from an
        // answer: that is why such models take `format: tags` (docs/models.md).
        let auto = try await Self.ask(try Self.client(server, shape: "r1"), seed: cut)
        #expect(auto.completion?.thinkingUnfinished == false)
    }

    @Test func badReplies_AreRecordedAndReadSafely() async throws {
        let server = try ReasoningServer()
        defer { server.stop() }
        // Nested tags: the answer is what follows the last closing tag.
        let nested = try await Self.ask(try Self.client(server, shape: "nested"), seed: 1)
        #expect(nested.answer == "7")
        #expect(nested.completion?.reasoning?.contains("inner") == true)
        // Thinking with a null content: recorded, no answer, not an error.
        let only = try await Self.ask(try Self.client(server, shape: "thinking-only"), seed: 1)
        #expect(only.error == nil && only.answer == nil && only.completion?.reasoning?.isEmpty == false)
        #expect(only.completion?.thinkingUnfinished == false, "the server finished (stop): no answer, not unfinished")
        // A 50 MB thinking trace: split, counted and kept.
        let huge = try await Self.ask(try Self.client(server, shape: "huge"), seed: 1)
        #expect(huge.answer == "7")
        #expect(huge.completion?.reasoning?.utf8.count == 50 * 1024 * 1024)
    }

    // MARK: a whole run, with and without a reasoning parser

    static func suite(_ url: String, format: String? = nil) -> String {
        """
        suite: reasoning-http
        seed: 5
        task:
          generate: {kind: arithmetic, items: 12, digits: 2, operations: ["+"]}
          prompt: "{question}"
          extract: auto
        models:
          thinker: {kind: openai, base_url: "\(url)", model: m, cache: false, max_retries: 0\(format.map { ", reasoning: {format: \($0)}" } ?? "")}
        verifiers:
          math: {kind: math}
        strategies:
          one: {kind: single, temperature: 1.0}
          vote: {kind: majority, n: 8, temperature: 1.0}
        systems:
          matrix: {model: [thinker], strategy: [one, vote], verifier: [math]}
        """
    }

    static func run(_ yaml: String, dir: String, name: String, seeds: Int = 2) async throws -> (RunReport, String) {
        let path = try writeFile(dir, name + ".yaml", yaml)
        var options = Session.Options()
        options.databasePath = dir + "/\(name).sqlite"
        options.outputDirectory = dir + "/\(name)-out"
        options.showProgress = false
        let report = try await Session.open(suitePath: path, options: options).run(seeds: seeds)
        return (report, options.databasePath)
    }

    static func rows(_ db: String, _ sql: String) throws -> [String] {
        var config = Configuration()
        config.readonly = true
        return try DatabaseQueue(path: db, configuration: config).read { try String.fetchAll($0, sql: sql) }
    }

    @Test func theSameTracesWithAndWithoutAParserGiveTheSameResults() async throws {
        let server = try ReasoningServer()
        defer { server.stop() }
        let dir = try makeTempDir("reasoning-run")
        // The URL is not part of a model's fingerprint: both runs draw the same request seeds, so the
        // server writes the same traces, once split by a parser and once inline.
        let (parsed, parsedDB) = try await Self.run(Self.suite(server.url + "/reasoning/v1"), dir: dir, name: "parsed")
        let (inline, inlineDB) = try await Self.run(Self.suite(server.url + "/inline/v1"), dir: dir, name: "inline")
        let (older, olderDB) = try await Self.run(Self.suite(server.url + "/reasoning_content/v1"), dir: dir, name: "older")
        let perSample = """
            SELECT item_id || '|' || seed_index || '|' || sample_index || '|' || COALESCE(answer, '-') || '|' || COALESCE(extract_rule, '-')
            FROM samples ORDER BY 1
            """
        let samples = try Self.rows(parsedDB, perSample)
        #expect(samples.count == 12 * 2 * 8)
        #expect(try Self.rows(inlineDB, perSample) == samples)
        #expect(try Self.rows(olderDB, perSample) == samples)
        let verdicts = "SELECT o.item_id || '|' || r.seed_index || '|' || COALESCE(o.answer, '-') || '|' || o.correct || '|' || o.no_answer FROM outcomes o JOIN seed_runs r ON o.run_id = r.id ORDER BY r.system_fp, 1"
        let parsedVerdicts = try Self.rows(parsedDB, verdicts)
        #expect(try Self.rows(inlineDB, verdicts) == parsedVerdicts)
        #expect(inline.leaderboard.rows.map(\.mean) == parsed.leaderboard.rows.map(\.mean))
        #expect(older.leaderboard.rows.map(\.mean) == parsed.leaderboard.rows.map(\.mean))
        // No answer is ever the wrong box of the thinking (right + 1000 > 198).
        #expect(try countRows(parsedDB, "SELECT COUNT(*) FROM samples WHERE CAST(answer AS INTEGER) >= 1000") == 0)
        // Cut traces are "no answer (unfinished thinking)", and that is every no-answer here.
        let unfinished = try countRows(parsedDB, "SELECT COUNT(*) FROM samples WHERE extract_rule = 'unfinished_thinking' AND answer IS NULL")
        let unanswered = try countRows(parsedDB, "SELECT COUNT(*) FROM samples WHERE answer IS NULL")
        #expect(unfinished > 0 && unfinished == unanswered)
        #expect(try countRows(inlineDB, "SELECT COUNT(*) FROM samples WHERE extract_rule = 'unfinished_thinking'") == unfinished)
        // The thinking is recorded apart (and read back through the store) for every sample.
        let stored = try await Store(path: parsedDB).samples(pool: try Self.rows(parsedDB, "SELECT pool FROM samples LIMIT 1")[0], seedIndex: 0)
        #expect(stored.values.allSatisfy { $0.reasoning?.contains("Let me compute") == true && ($0.reasoningTokens ?? 0) > 0 })
        #expect(stored.values.allSatisfy { !($0.text ?? "").contains("Let me compute") })
        // The leaderboard: thinking tokens per item and the unfinished-thinking rate.
        for board in [parsed.leaderboard, inline.leaderboard] {
            for row in board.rows {
                #expect((row.thinkingTokensPerItem ?? 0) > 0)
                #expect(row.unfinishedThinkingRate != nil && row.unfinishedThinkingRate == row.noAnswerRate)
            }
        }
        let md = MarkdownRenderer().render(parsed.leaderboard)
        #expect(md.contains("## Thinking") && md.contains("Unfinished thinking"))
        let html = HTMLRenderer().render(parsed.leaderboard)
        #expect(html.contains("<h2>Thinking</h2>") && html.contains("Accuracy against thinking tokens per item"))
        // Without thinking figures (a model without thinking), the section is absent: those leaderboards are unchanged.
        var plain = parsed.leaderboard
        for i in plain.rows.indices { plain.rows[i].thinkingTokensPerItem = 0; plain.rows[i].unfinishedThinkingRate = nil }
        #expect(!MarkdownRenderer().render(plain).contains("## Thinking") && !HTMLRenderer().render(plain).contains("<h2>Thinking"))
        #expect(!HTMLRenderer().render(plain).contains("thinking tokens per item"))
        let csv = CSVRenderer().render(parsed.leaderboard)
        #expect(csv.contains("unfinished_thinking_rate"))
    }

    @Test func budgetForcingStopsTheThinkingAtTheModelsThinkingBudget() async throws {
        let server = try ReasoningServer()
        defer { server.stop() }
        let dir = try makeTempDir("reasoning-budget")
        let yaml = """
            suite: reasoning-budget
            seed: 5
            task:
              generate: {kind: arithmetic, items: 6, digits: 2, operations: ["+"]}
              prompt: "{question}"
              extract: auto
            models:
              thinker: {kind: openai, base_url: "\(server.url)/reasoning/v1", model: m, cache: false, max_retries: 0, thinking_budget: 12}
            verifiers:
              math: {kind: math}
            strategies:
              forced: {kind: budget_forcing, budget: 2048, answer_tokens: 16, temperature: 1.0}
            systems:
              matrix: {model: [thinker], strategy: [forced], verifier: [math]}
            """
        let (report, db) = try await Self.run(yaml, dir: dir, name: "budget")
        // Every trace thinks longer than 12 tokens: its thinking is stopped there and the answer asked for.
        #expect(try countRows(db, "SELECT COUNT(*) FROM aux_calls WHERE call_id LIKE 'think-stop:%'") == 6 * 2)
        #expect(try countRows(db, "SELECT COUNT(*) FROM outcomes WHERE calls = 2 AND detail LIKE 'thinking stopped at 12 of %'") == 6 * 2)
        #expect(report.leaderboard.rows.first?.mean == 1.0)
    }

    @Test func aRunWithA50MBThinkingTraceRecordsItAndGoesOn() async throws {
        let server = try ReasoningServer()
        defer { server.stop() }
        let dir = try makeTempDir("reasoning-huge")
        let yaml = Self.suite(server.url + "/huge/v1").replacingOccurrences(of: "items: 12", with: "items: 2")
            .replacingOccurrences(of: "cache: false", with: "cache: true")
            .replacingOccurrences(of: "strategy: [one, vote]", with: "strategy: [one]")
        let (report, db) = try await Self.run(yaml, dir: dir, name: "huge", seeds: 1)
        #expect(report.leaderboard.rows.first?.failures == 0)
        let pool = try Self.rows(db, "SELECT pool FROM samples LIMIT 1")[0]
        let stored = try await Store(path: db).samples(pool: pool, seedIndex: 0)
        #expect(stored.count == 2 && stored.values.allSatisfy { $0.reasoning?.utf8.count == 50 * 1024 * 1024 && $0.answer == "7" })
        // Kept compressed: the database stays far below the traces' 100 MB (the cache holds them too).
        let size = ["", "-wal"].reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: db + $1)[.size] as? Int) ?? 0) }
        #expect(size < 10 * 1024 * 1024, "\(size) bytes")
    }
}
