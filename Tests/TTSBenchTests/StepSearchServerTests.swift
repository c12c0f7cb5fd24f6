@testable import TTSBench
@testable import TTSSuite
@testable import TTSCore
import Foundation
import GRDB
import Testing
@testable import TTSSeams
@testable import TTSModels
@testable import TTSVerifiers

/// A policy model and a PRM of the tests' own: python3's standard library on a free 127.0.0.1
/// port, started per test and stopped at its end. It records every request body.
///
/// - `/v1/completions` and `/v1/chat/completions` write the next step of the solution in the
///   prompt (or messages): the steps so far are the `Step k: good|bad` lines found after the
///   question; step k < 3 is `Step k: good move.` or `Step k: bad move.` (by the parity of the
///   request's seed); step 3 states the answer, right only if every step before was good.
///   Without `stop` (a step generated to the end) it writes every step left, joined by "\n\n".
/// - `/pooling` is a PRM served like vLLM's STEP pooler for model `prm-test`: the assistant's
///   text (or `input`) is cut at `<extra_0>`; each step's row is [0.1, 0.9] when it says `good`
///   (or states the right answer) and [0.8, 0.2] otherwise. `/short/pooling` drops the last row.
/// - `POST /log` returns the recorded bodies with their paths.
final class StepServer: @unchecked Sendable {
    static let script = PythonScriptServer.jsonHandlerPrelude + #"""
        import json, re, sys, threading

        lock = threading.Lock()
        log = []

        def value(text):
            q = re.search(r"\$(-?\d+) (\+|-|\\times) (-?\d+)\$", text)
            if not q:
                return None
            a, op, b = int(q.group(1)), q.group(2), int(q.group(3))
            return a + b if op == "+" else a - b if op == "-" else a * b

        def step(k, good, answer):
            if k < 3:
                return "Step %d: %s move." % (k, "good" if good else "bad")
            return "Step 3: so the answer is $\\boxed{%d}$." % answer

        class Handler(JSONHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                req = json.loads(raw)
                if self.path == "/log":
                    with lock:
                        return self.reply(200, {"log": list(log)})
                with lock:
                    log.append({"path": self.path, "body": req})
                if self.path in ("/v1/completions", "/v1/chat/completions"):
                    if "messages" in req:
                        text = "\n\n".join(m["content"] for m in req["messages"])
                    else:
                        text = req["prompt"]
                    right = value(text)
                    done = re.findall(r"Step (\d+): (good|bad)", text)
                    ok = all(g == "good" for _, g in done)
                    seed = req.get("seed", 0)
                    steps = []
                    k = len(done) + 1
                    while True:
                        good = (seed >> (k - 1)) % 2 == 0
                        ok = ok and good
                        steps.append(step(k, good, right if ok else right + 1))
                        if k >= 3 or req.get("stop"):
                            break
                        k += 1
                    out = "\n\n".join(steps)
                    usage = {"prompt_tokens": len(text) // 4, "completion_tokens": 5 * len(steps), "total_tokens": 0}
                    if "messages" in req:
                        choice = {"index": 0, "message": {"role": "assistant", "content": out}, "finish_reason": "stop"}
                    else:
                        choice = {"index": 0, "text": out, "finish_reason": "stop"}
                    return self.reply(200, {"id": "c", "choices": [choice], "usage": usage})
                if self.path in ("/pooling", "/short/pooling"):
                    if req.get("model") != "prm-test":
                        return self.reply(400, {"error": "unknown model"})
                    if "messages" in req:
                        question = [m["content"] for m in req["messages"] if m["role"] == "user"][0]
                        tagged = req["messages"][-1]["content"]
                    else:
                        question, tagged = req["input"], req["input"]
                    right = value(question)
                    steps = tagged.split("<extra_0>")[:-1]
                    rows = []
                    for s in steps:
                        b = re.findall(r"\\boxed\{(-?\d+)\}", s)
                        good = ("good" in s) or (bool(b) and int(b[-1]) == right)
                        rows.append([0.1, 0.9] if good else [0.8, 0.2])
                    if self.path == "/short/pooling":
                        rows = rows[:-1]
                    return self.reply(200, {"id": "p", "object": "list", "data": [{"index": 0, "object": "pooling", "data": rows}]})
                self.reply(404, {"error": "no route " + self.path})

        """# + PythonScriptServer.serveHandlerUntilStdinCloses

    let server: PythonScriptServer
    var url: String { server.url }

    init() throws { server = try PythonScriptServer(script: Self.script, name: "step server") }

    /// The requests received so far: (path, body).
    func log() async throws -> [(path: String, body: JSONValue)] {
        let exchange = try await SharedHTTPClient.shared.post(url: url + "/log", headers: [], body: Array("{}".utf8), timeout: 5)
        return (JSONValue.parse(exchange.body)?["log"]?.arrayValue ?? []).map { ($0["path"]?.stringValue ?? "", $0["body"] ?? .null) }
    }

    func stop() { server.stop() }
}

@Suite struct StepSearchServerTests {
    static let item = TaskItem(id: "s1", question: "Compute $12 + 30$.", answer: "42")
    static let task = [ChatMessage(role: "user", content: "Solve. Compute $12 + 30$.")]

    static func stepRequest(prefix: [String], stop: [String] = ["\n\n"]) -> GenerationRequest {
        var messages = task
        if !prefix.isEmpty { messages.append(ChatMessage(role: "assistant", content: prefix.map { $0 + "\n\n" }.joined())) }
        // Seed 0: the server writes good steps only.
        return GenerationRequest(messages: messages, temperature: 0.8, maxTokens: 64, stop: stop, seed: 0,
                                 context: ItemContext(item: item, sampleSeeds: [0], purpose: .step(prefix: prefix, toEnd: stop.isEmpty)))
    }

    func suite(_ server: StepServer, model: String, strategy: String = "{kind: beam_search, n: 4, beam_width: 2, prm: prm, temperature: 0.8}",
               prm: String? = nil, items: Int = 6) -> String {
        """
        suite: steps-http
        seed: 11
        task:
          generate: {kind: arithmetic, items: \(items), digits: 2, operations: ["+"]}
          prompt: "Solve. {question}"
          extract: boxed
        models:
          policy: \(model)
        verifiers:
          math: {kind: math}
          prm: \(prm ?? "{kind: prm, base_url: \"\(server.url)\", model: prm-test, system: \"Reason step by step.\"}")
        strategies:
          search: \(strategy)
        systems:
          matrix: {model: [policy], strategy: [search], verifier: [math]}
        """
    }

    @Test func theCompletionsAPIContinuesThePrefixAndStopsAtTheDelimiter() async throws {
        let server = try StepServer()
        defer { server.stop() }
        let client = try OpenAIClient(name: "policy", parameters: OpenAIModelParameters(baseURLs: [server.url + "/v1"], model: "m", api: .completions),
                                      cache: nil)
        let c = try await client.generate(Self.stepRequest(prefix: ["Step 1: good move."]))[0]
        #expect(c.text == "Step 2: good move.")
        let body = try #require(try await server.log().last?.body)
        #expect(body["prompt"]?.stringValue == "Solve. Compute $12 + 30$.\n\nStep 1: good move.\n\n")
        #expect(body["stop"] == .array([.string("\n\n")]))
        #expect(body["continue_final_message"] == nil)
        // Without stop (the last allowed step), the server writes the rest of the solution.
        let rest = try await client.generate(Self.stepRequest(prefix: ["Step 1: good move."], stop: []))[0]
        #expect(rest.text == "Step 2: good move.\n\nStep 3: so the answer is $\\boxed{42}$.")
        #expect(try await server.log().last?.body["stop"] == nil)
    }

    @Test func theChatAPIContinuesTheAssistantPrefixOnlyWhenAsked() async throws {
        let server = try StepServer()
        defer { server.stop() }
        var p = OpenAIModelParameters(baseURLs: [server.url + "/v1"], model: "m", api: .chat)
        p.continuation = .chatPrefix
        let client = try OpenAIClient(name: "policy", parameters: p, cache: nil)
        _ = try await client.generate(Self.stepRequest(prefix: ["Step 1: good move."]))
        let body = try #require(try await server.log().last?.body)
        #expect(body["continue_final_message"] == .bool(true))
        #expect(body["add_generation_prompt"] == .bool(false))
        let messages = try #require(body["messages"]?.arrayValue)
        #expect(messages.last?["role"]?.stringValue == "assistant")
        #expect(messages.last?["content"]?.stringValue == "Step 1: good move.\n\n")
        #expect(body["stop"] == .array([.string("\n\n")]))
        // The first step has no prefix: an ordinary request.
        _ = try await client.generate(Self.stepRequest(prefix: []))
        #expect(try await server.log().last?.body["continue_final_message"] == nil)
        // chat_prefix is part of the model's fingerprint (it changes what is sent); the default is not.
        #expect(p.fingerprintText.hasSuffix("|continuation=chat_prefix"))
        #expect(!OpenAIModelParameters(baseURLs: ["http://x"], model: "m").fingerprintText.contains("continuation"))

        // A chat model without continuation refuses a prefix clearly, and sends nothing.
        let plain = try OpenAIClient(name: "plain", parameters: OpenAIModelParameters(baseURLs: [server.url + "/v1"], model: "m"), cache: nil)
        let before = try await server.log().count
        await #expect(throws: ModelError.self) { _ = try await plain.generate(Self.stepRequest(prefix: ["Step 1: good move."])) }
        do { _ = try await plain.generate(Self.stepRequest(prefix: ["Step 1: good move."])) } catch {
            #expect("\(error)".contains("continuation: chat_prefix"))
        }
        #expect(try await server.log().count == before)
    }

    @Test func aSuiteRefusesASearchOnAModelThatCannotContinue() throws {
        let server = try StepServer()
        defer { server.stop() }
        let yaml = suite(server, model: "{kind: openai, base_url: \"\(server.url)/v1\", model: m}")
        #expect {
            _ = try SuiteLoader.load(data: Data(yaml.utf8), path: "steps.yaml")
        } throws: { error in
            let text = "\(error)"
            return text.contains("steps.yaml:") && text.contains("system 'policy/search'") && text.contains("continuation: chat_prefix")
        }
        let wrong = suite(server, model: "{kind: openai, base_url: \"\(server.url)/v1\", model: m, continuation: completions}")
        #expect { _ = try SuiteLoader.load(data: Data(wrong.utf8), path: "steps.yaml") } throws: { "\($0)".contains("needs 'api: completions'") }
        let ok = suite(server, model: "{kind: openai, base_url: \"\(server.url)/v1\", model: m, continuation: chat_prefix}")
        #expect(throws: Never.self) { _ = try SuiteLoader.load(data: Data(ok.utf8), path: "steps.yaml") }
    }

    @Test func thePRMEndpointScoresEveryStep() async throws {
        let server = try StepServer()
        defer { server.stop() }
        let loaded = try SuiteLoader.load(data: Data(suite(server, model: "{kind: simulated, ability: 0}").utf8), path: "steps.yaml")
        let p = try #require((loaded.verifier("prm")?.kind as? PRMKind)?.parameters)
        #expect(p.endpoint.api == .pooling && p.endpoint.url == server.url + "/pooling" && p.endpoint.chat && p.stepTag == "<extra_0>")
        let prm = ProcessRewardEndpointVerifier(name: "prm", parameters: p)
        let steps = ["Step 1: good move.", "Step 2: bad move.", "Step 3: so the answer is $\\boxed{42}$."]
        #expect(try await prm.stepScores(steps, item: Self.item) == [0.9, 0.2, 0.9])
        let body = try #require(try await server.log().last?.body)
        #expect(body["model"]?.stringValue == "prm-test")
        let messages = try #require(body["messages"]?.arrayValue)
        #expect(messages.map { $0["role"]?.stringValue ?? "" } == ["system", "user", "assistant"])
        #expect(messages[0]["content"]?.stringValue == "Reason step by step.")
        #expect(messages[1]["content"]?.stringValue == Self.item.question)
        #expect(messages[2]["content"]?.stringValue == steps.map { $0 + "<extra_0>" }.joined())
        // Memoised per process: the same steps again send nothing.
        _ = try await prm.stepScores(steps, item: Self.item)
        #expect(prm.requestsSent == 1)
        // As a scorer of a whole completion: cut at "\n\n", aggregated (last by default).
        let v = try await prm.verify(Candidate(text: steps.joined(separator: "\n\n"), answer: "42"), item: Self.item)
        #expect(v.reward == 0.9 && v.correct == nil)
        var minimum = p
        minimum.aggregation = .min
        #expect(try await ProcessRewardEndpointVerifier(name: "m", parameters: minimum).verify(Candidate(text: steps.joined(separator: "\n\n"), answer: "42"), item: Self.item).reward == 0.2)

        // A reply with fewer rows than steps is an error that says so.
        var short = p
        short.endpoint.path = "/short/pooling"
        await #expect { _ = try await ProcessRewardEndpointVerifier(name: "short", parameters: short).stepScores(steps, item: Self.item) } throws: {
            "\($0)".contains("2 scores for 3 steps")
        }
        // The input form: the template's {response} is the tagged steps.
        let inputSuite = suite(server, model: "{kind: simulated, ability: 0}",
                               prm: "{kind: prm, base_url: \"\(server.url)\", model: prm-test, input: \"Q: {question} A: {response}\", step_tag: \"<extra_0>\"}")
        let q = try #require((try SuiteLoader.load(data: Data(inputSuite.utf8), path: "s.yaml").verifier("prm")?.kind as? PRMKind)?.parameters)
        #expect(try await ProcessRewardEndpointVerifier(name: "in", parameters: q).stepScores(Array(steps.prefix(2)), item: Self.item) == [0.9, 0.2])
        #expect(try await server.log().last?.body["input"]?.stringValue == "Q: Compute $12 + 30$. A: Step 1: good move.<extra_0>Step 2: bad move.<extra_0>")
    }

    static func run(_ path: String, db: String, out: String, workers: Int = 4, seeds: Int = 2) async throws -> RunReport {
        var options = Session.Options()
        options.databasePath = db
        options.outputDirectory = out
        options.workers = workers
        options.showProgress = false
        return try await Session.open(suitePath: path, options: options).run(seeds: seeds)
    }

    @Test func aSearchOverHTTPIsRecordedAndResumedWithoutRepeatingASteps() async throws {
        let server = try StepServer()
        defer { server.stop() }
        let dir = try makeTempDir("steps-http")
        let yaml = suite(server, model: "{kind: openai, base_url: \"\(server.url)/v1\", model: m, api: completions, cache: false}")
        let path = try writeFile(dir, "steps.yaml", yaml)
        let db = dir + "/db.sqlite"
        let first = try await Self.run(path, db: db, out: dir + "/out")
        let steps = try await server.log().filter { $0.path == "/v1/completions" }
        let scorings = try await server.log().filter { $0.path == "/pooling" }.count
        let row = try #require(first.leaderboard.rows.first)
        // The PRM finds the all-good path: every item right (independent samples are right 1/8 of the time).
        #expect(row.mean == 1.0, "accuracy \(row.mean)")
        #expect(steps.count == (try countRows(db, Self.stepCalls)))
        // Every PRM request is a recorded call, sent once, and counted as the items' verifier calls.
        let recordedScorings = try countRows(db, "SELECT COUNT(*) FROM aux_calls WHERE call_id LIKE 'score-%'")
        #expect(scorings > 0 && scorings == recordedScorings)
        #expect(row.verifierCallsPerItem >= 1 && row.verifierTokensPerItem == 0 && row.verifierCostPerItem == nil)
        #expect(steps.allSatisfy { $0.body["stop"] == .array([.string("\n\n")]) })
        // n = 4 first steps per item and seed index.
        #expect(try countRows(db, "SELECT COUNT(*) FROM aux_calls WHERE call_id LIKE 'step1-%'") == 6 * 2 * 4)

        // A crash after the steps were recorded but before the seed runs were committed: the rerun
        // replays every step from the record and asks the policy nothing.
        let answers = try outcomes(db)
        try simulateCrashBeforeCommit(db)
        let second = try await Self.run(path, db: db, out: dir + "/out")
        #expect(try await server.log().filter { $0.path == "/v1/completions" }.count == steps.count)
        #expect(try await server.log().filter { $0.path == "/pooling" }.count == scorings)
        #expect(try outcomes(db) == answers)
        #expect(second.leaderboard.rows.first?.verifierCallsPerItem == row.verifierCallsPerItem)
        #expect(second.leaderboard.rows.first?.mean == row.mean)

        // A crash that lost some of the recorded steps: exactly those are asked again, with the
        // same seeds, and the outcomes are the same.
        let lost = try countRows(db, Self.stepCalls + " AND id % 3 = 0")
        try simulateCrashBeforeCommit(db, losing: "aux_calls", where: "id % 3 = 0")
        _ = try await Self.run(path, db: db, out: dir + "/out")
        let asked = try await server.log().filter { $0.path == "/v1/completions" }
        #expect(asked.count == steps.count + lost)
        #expect(try outcomes(db) == answers)
        #expect(try countRows(db, Self.stepCalls) == steps.count)
        let seeds = Set(asked.map { $0.body.canonicalString })
        #expect(seeds.count == steps.count, "every repeated request is one that was made before")
    }

    /// The recorded step calls (the PRM's scoring calls are recorded beside them).
    static let stepCalls = "SELECT COUNT(*) FROM aux_calls WHERE call_id NOT LIKE 'score-%'"

    func outcomes(_ db: String) throws -> [String] {
        var config = Configuration()
        config.readonly = true
        return try DatabaseQueue(path: db, configuration: config).read { db in
            try String.fetchAll(db, sql: "SELECT item_id || ':' || COALESCE(answer, '-') || ':' || correct || ':' || calls || ':' || completion_tokens FROM outcomes ORDER BY 1")
        }
    }

}
