@testable import TTSBench
@testable import TTSReport
@testable import TTSSuite
@testable import TTSCore
import Foundation
import GRDB
import Testing
@testable import TTSSeams
@testable import TTSModels
@testable import TTSVerifiers

/// A reward-model server of the tests' own: python3's standard library on a free 127.0.0.1 port,
/// started per test and stopped at its end. It serves vLLM's `/classify` and `/pooling` reply
/// shapes and a generic JSON shape (`/score`), each with a score computed from the text:
/// - plain paths: `(sum of the UTF-8 bytes of the text) mod 1000 / 1000`, which the tests recompute;
/// - under `/oracle/...`: 1 when the last `\boxed{N}` of the response equals the value of the
///   question's `$a op b$` (op: +, -, \times), else 0, plus the plain score / 1000 as a tie-breaker.
/// `/malformed/...` replies 200 with broken bodies; `/flaky/...` replies 503 to the first
/// request of each distinct body; `POST /count` tells how many other POSTs were received.
final class RewardServer: @unchecked Sendable {
    static let script = PythonScriptServer.jsonHandlerPrelude + #"""
        import json, re, sys, threading

        lock = threading.Lock()
        state = {"posts": 0, "seen": set()}

        def plain(text):
            return (sum(text.encode("utf-8")) % 1000) / 1000.0

        def oracle(text):
            q = re.search(r"\$(-?\d+) (\+|-|\\times) (-?\d+)\$", text)
            boxed = re.findall(r"\\boxed\{([^}]*)\}", text)
            ok = 0.0
            if q and boxed:
                a, op, b = int(q.group(1)), q.group(2), int(q.group(3))
                value = a + b if op == "+" else a - b if op == "-" else a * b
                given = re.sub(r"[\s,$]|\\,", "", boxed[-1])
                ok = 1.0 if re.fullmatch(r"-?\d+", given) and int(given) == value else 0.0
            return ok + plain(text) / 1000.0

        class Handler(JSONHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path == "/count":
                    with lock:
                        n = state["posts"]
                    return self.reply(200, {"posts": n})
                with lock:
                    state["posts"] += 1
                    first = raw not in state["seen"]
                    state["seen"].add(raw)
                path = self.path
                if path.startswith("/malformed/"):
                    kind = path[len("/malformed/"):]
                    if kind == "truncated":
                        return self.reply(200, b'{"data": [{"index": 0, "probs": [0.25, 0.7')
                    if kind == "string":
                        return self.reply(200, {"result": {"scores": ["high"]}})
                    return self.reply(200, {"data": []})
                if path.startswith("/flaky/"):
                    if first:
                        return self.reply(503, {"error": "warming up"})
                    path = path[len("/flaky"):]
                score = plain
                if path.startswith("/oracle/"):
                    score = oracle
                    path = path[len("/oracle"):]
                req = json.loads(raw)
                if path in ("/classify", "/pooling"):
                    if req.get("model") != "rm-test":
                        return self.reply(400, {"error": "unknown model %r" % req.get("model")})
                    if "messages" in req:
                        text = "\n\n".join(m["content"] for m in req["messages"])
                    else:
                        text = req["input"]
                    s = score(text)
                    if path == "/classify":
                        data = {"index": 0, "label": "good", "probs": [1.0 - s, s], "num_classes": 2}
                    else:
                        data = {"index": 0, "object": "pooling", "data": [[0.5], [0.25], [s]]}
                    return self.reply(200, {"id": "x", "object": "list", "created": 0, "model": req["model"],
                                            "data": [data], "usage": {"prompt_tokens": 3, "total_tokens": 3}})
                if path == "/score":
                    s = score(req["query"] + "\n\n" + req["candidate"])
                    return self.reply(200, {"result": {"scores": [s], "echo": req.get("meta")}})
                self.reply(404, {"error": "no route " + path})

        """# + PythonScriptServer.serveHandlerUntilStdinCloses

    let server: PythonScriptServer
    var url: String { server.url }

    init() throws { server = try PythonScriptServer(script: Self.script, name: "reward server") }

    /// POSTs the server has received.
    func posts() async throws -> Int {
        let exchange = try await SharedHTTPClient.shared.post(url: url + "/count", headers: [], body: Array("{}".utf8), timeout: 5)
        return JSONValue.parse(exchange.body)?["posts"]?.intValue ?? -1
    }

    func stop() { server.stop() }

    /// The plain score the server computes for `text`.
    static func plain(_ text: String) -> Double { Double(text.utf8.reduce(0) { $0 + Int($1) } % 1000) / 1000 }
}


@Suite struct RewardEndpointTests {
    static let item = TaskItem(id: "q1", question: "Compute $12 + 30$.", answer: "42")
    static let right = Candidate(text: "12 + 30 = 42, so $\\boxed{42}$.", answer: "42")
    static let wrong = Candidate(text: "12 + 30 = 41, so $\\boxed{41}$.", answer: "41")

    func parameters(_ yaml: String) throws -> RewardEndpointParameters {
        let suite = try SuiteLoader.load(data: Data(suiteYAML(verifier: yaml).utf8), path: "reward.yaml")
        guard let p = (suite.verifiers.first(where: { $0.name == "rm" })!.kind as? RewardKind)?.parameters else {
            throw TestSetupError("rm is not a reward verifier")
        }
        return p
    }

    func suiteYAML(verifier: String, extraStrategies: String = "", systems: String? = nil, items: Int = 20) -> String {
        """
        suite: reward-e2e
        seed: 5
        task:
          generate: {kind: arithmetic, items: \(items), digits: 2}
        models:
          mid: {kind: simulated, ability: 0.0}
        verifiers:
          math: {kind: math}
          oracle: {kind: oracle, using: math}
          rm: \(verifier)
        strategies:
          bon4: {kind: best_of_n, n: 4, temperature: 0.8, scorer: rm}
          bon4o: {kind: best_of_n, n: 4, temperature: 0.8, scorer: oracle}
          maj4: {kind: majority, n: 4, temperature: 0.8}
        \(extraStrategies)
        systems:
          \(systems ?? "matrix: {model: [mid], strategy: [bon4, bon4o, maj4], verifier: [math]}")

        """
    }

    @Test func vllmClassifyShape() async throws {
        let server = try RewardServer()
        defer { server.stop() }
        let p = try parameters("{kind: reward, base_url: \"\(server.url)\", model: rm-test}")
        #expect(p.api == .classify && p.path == "/classify" && p.input == RewardEndpointParameters.defaultInput)
        let rm = RewardEndpointVerifier(name: "rm", parameters: p)
        let v = try await rm.verify(Self.right, item: Self.item)
        // The default input is the question, a blank line, the response; the default class is the last.
        let expected = RewardServer.plain(Self.item.question + "\n\n" + Self.right.text)
        #expect(v.correct == nil)
        #expect(abs((v.reward ?? -1) - expected) < 1e-12)
        #expect(v.detail.hasPrefix("reward rm: "))
        // class_index 0 reads the other class.
        let first = RewardEndpointVerifier(name: "rm0", parameters: try parameters("{kind: reward, base_url: \"\(server.url)\", model: rm-test, class_index: 0}"))
        let v0 = try await first.verify(Self.right, item: Self.item)
        #expect(abs((v0.reward ?? -1) - (1 - expected)) < 1e-12)
        // The same request again is memoised: no new POST.
        _ = try await rm.verify(Self.right, item: Self.item)
        #expect(rm.requestsSent == 1)
        #expect(try await server.posts() == 2)
        // A custom input template and the chat form send what they say.
        let custom = RewardEndpointVerifier(name: "rm", parameters: try parameters(
            "{kind: reward, base_url: \"\(server.url)\", model: rm-test, input: \"A: {answer}\"}"))
        #expect(try await custom.verify(Self.right, item: Self.item).reward == RewardServer.plain("A: 42"))
        let chat = RewardEndpointVerifier(name: "rm", parameters: try parameters(
            "{kind: reward, base_url: \"\(server.url)\", model: rm-test, chat: true}"))
        #expect(try await chat.verify(Self.wrong, item: Self.item).reward == RewardServer.plain(Self.item.question + "\n\n" + Self.wrong.text))
        // A wrong model name is the server's 400: not retried, and the message says why.
        let bad = RewardEndpointVerifier(name: "rm", parameters: try parameters("{kind: reward, base_url: \"\(server.url)\", model: other}"))
        await #expect(throws: RewardEndpointError.self) { try await bad.verify(Self.right, item: Self.item) }
        do { _ = try await bad.verify(Self.right, item: Self.item) } catch {
            #expect("\(error)".contains("HTTP 400") && "\(error)".contains("not retryable") && "\(error)".contains("unknown model"))
        }
    }

    @Test func vllmPoolingShapeReadsTheLastTokensRow() async throws {
        let server = try RewardServer()
        defer { server.stop() }
        let p = try parameters("{kind: reward, api: pooling, base_url: \"\(server.url)/oracle\", model: rm-test}")
        #expect(p.url == server.url + "/oracle/pooling")
        let rm = RewardEndpointVerifier(name: "rm", parameters: p)
        let good = try #require(try await rm.verify(Self.right, item: Self.item).reward)
        let bad = try #require(try await rm.verify(Self.wrong, item: Self.item).reward)
        // The server's rows are [[0.5], [0.25], [score]]: reading any row but the last gives 0.5 or 0.25.
        #expect(good > 1 && good < 1.001)
        #expect(bad >= 0 && bad < 0.001)
    }

    @Test func genericJSONShape() async throws {
        let server = try RewardServer()
        defer { server.stop() }
        let p = try parameters("""
            {kind: reward, api: json, base_url: "\(server.url)", path: /score, max_retries: 0,
             body: {query: "{question}", candidate: "{response}", meta: {k: 1, note: "{not a placeholder}"}},
             score: "$.result.scores[-1]"}
            """)
        #expect(p.api == .json && p.url == server.url + "/score")
        let rm = RewardEndpointVerifier(name: "rm", parameters: p)
        // The body is built from the template; values are JSON-escaped, not pasted (the response has quotes, a backslash and a newline).
        let tricky = Candidate(text: "He said \"42\"\nso \\boxed{42}", answer: "42")
        let body = rm.requestBody(tricky, item: Self.item)
        #expect(body["candidate"]?.stringValue == tricky.text)
        #expect(body["meta"]?["note"]?.stringValue == "{not a placeholder}")
        #expect(body["meta"]?["k"] == .int(1))
        let v = try await rm.verify(tricky, item: Self.item)
        #expect(v.reward == RewardServer.plain(Self.item.question + "\n\n" + tricky.text))
    }

    @Test func malformedRepliesAreErrorsQuotingTheBody() async throws {
        let server = try RewardServer()
        defer { server.stop() }
        func failure(_ yaml: String) async throws -> String {
            let rm = RewardEndpointVerifier(name: "rm", parameters: try parameters(yaml))
            do {
                let v = try await rm.verify(Self.right, item: Self.item)
                return "no error: \(v)"
            } catch let error as RewardEndpointError {
                return error.description
            }
        }
        let truncated = try await failure("{kind: reward, base_url: \"\(server.url)/malformed/truncated\", path: \"\", model: rm-test, max_retries: 1, retry_base_delay: 0}")
        #expect(truncated.contains("malformed response (invalid JSON)"))
        #expect(truncated.contains("{\\\"data\\\": [{\\\"index\\\": 0, \\\"probs\\\": [0.25, 0.7") || truncated.contains(#"{"data": [{"index": 0, "probs": [0.25, 0.7"#))
        #expect(truncated.contains("failed after 2 attempts"))  // invalid JSON can be a cut-off reply: retried
        let string = try await failure("{kind: reward, api: json, base_url: \"\(server.url)/malformed/string\", body: {r: \"{response}\"}, score: \"result.scores[0]\"}")
        #expect(string.contains("the score is a string (\"high\"), not a number"))
        #expect(string.contains(#""result""#) && string.contains("not retryable"))
        let missing = try await failure("{kind: reward, api: json, base_url: \"\(server.url)/malformed/empty\", body: {r: \"{response}\"}, score: \"result.scores[0]\"}")
        #expect(missing.contains("no score at 'result.scores[0]': no key 'result' at '$'"))
        #expect(missing.contains(#"{"data": []}"#))
        let empty = try await failure("{kind: reward, base_url: \"\(server.url)/malformed/empty\", path: \"\", model: rm-test}")
        #expect(empty.contains("malformed response (empty 'data')"))
    }

    @Test func a503IsRetried() async throws {
        let server = try RewardServer()
        defer { server.stop() }
        let rm = RewardEndpointVerifier(name: "rm", parameters: try parameters(
            "{kind: reward, base_url: \"\(server.url)/flaky\", model: rm-test, retry_base_delay: 0.01}"))
        let v = try await rm.verify(Self.right, item: Self.item)
        #expect(v.reward == RewardServer.plain(Self.item.question + "\n\n" + Self.right.text))
        #expect(rm.requestsSent == 2)
    }

    /// best_of_n with the endpoint as its scorer, end to end through the runner and the store:
    /// the oracle endpoint scores right answers 1 (plus a tie-breaker), so it must pick a right
    /// sample exactly where the in-process oracle scorer does; reading the wrong class or row
    /// would not. A second run of the finished suite sends the endpoint nothing (and writing the
    /// leaderboard never calls it).
    @Test func bestOfNWithARewardEndpointRunsEndToEnd() async throws {
        let server = try RewardServer()
        defer { server.stop() }
        let dir = try makeTempDir("reward-e2e")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try writeFile(dir, "suite.yaml", suiteYAML(verifier: "{kind: reward, base_url: \"\(server.url)/oracle\", model: rm-test, max_concurrency: 8}"))
        var options = Session.Options.quiet(in: dir)
        _ = try await Session.open(suitePath: path, options: options).run(seeds: 2)
        let posts = try await server.posts()
        #expect(posts > 0 && posts <= 2 * 20 * 4)

        let queue = try DatabaseQueue(path: options.databasePath)
        let rows = try await queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.name AS system, r.seed_index AS seed, o.item_id AS item, o.correct AS correct, o.detail AS detail
                FROM outcomes o JOIN seed_runs r ON r.id = o.run_id JOIN systems s ON s.fingerprint = r.system_fp
                """)
        }
        var bySystem: [String: [String: Bool]] = [:]
        for row in rows {
            let key = "\(row["seed"] as Int)/\(row["item"] as String)"
            bySystem[row["system"] as String, default: [:]][key] = row["correct"] as Bool
        }
        let endpoint = try #require(bySystem["mid/bon4"])
        let oracle = try #require(bySystem["mid/bon4o"])
        let majority = try #require(bySystem["mid/maj4"])
        #expect(endpoint.count == 40 && endpoint == oracle)
        let correct = endpoint.values.filter { $0 }.count
        #expect(correct > majority.values.filter { $0 }.count)
        #expect(rows.contains { ($0["system"] as String) == "mid/bon4" && ($0["detail"] as String).contains("reward 1.") })

        // Resuming a finished suite: no request reaches the endpoint.
        _ = try await Session.open(suitePath: path, options: options).run(seeds: 2)
        #expect(try await server.posts() == posts)
    }

    @Test func theEndpointEntersTheSystemFingerprint() throws {
        func fingerprint(_ verifier: String) throws -> String {
            let suite = try SuiteLoader.load(data: Data(suiteYAML(verifier: verifier).utf8), path: "reward.yaml")
            return suite.systems.first { $0.name == "mid/bon4" }!.fingerprint
        }
        let base = try fingerprint("{kind: reward, base_url: \"http://127.0.0.1:8000\", model: rm-a}")
        #expect(try fingerprint("{kind: reward, base_url: \"http://127.0.0.1:8001\", model: rm-a}") != base)
        #expect(try fingerprint("{kind: reward, base_url: \"http://127.0.0.1:8000\", model: rm-b}") != base)
        #expect(try fingerprint("{kind: reward, api: pooling, base_url: \"http://127.0.0.1:8000\", model: rm-a}") != base)
        // How a score is fetched does not change what it is.
        #expect(try fingerprint("{kind: reward, base_url: \"http://127.0.0.1:8000/\", model: rm-a, timeout: 5, max_retries: 9}") == base)
        // Systems that do not use the reward verifier keep their fingerprint.
        let other = try SuiteLoader.load(data: Data(suiteYAML(verifier: "{kind: reward, base_url: \"http://127.0.0.1:8000\", model: rm-a}").utf8), path: "a.yaml")
        let other2 = try SuiteLoader.load(data: Data(suiteYAML(verifier: "{kind: reward, base_url: \"http://127.0.0.1:9\", model: rm-a}").utf8), path: "a.yaml")
        #expect(other.systems.first { $0.name == "mid/maj4" }!.fingerprint == other2.systems.first { $0.name == "mid/maj4" }!.fingerprint)
    }

    /// (verifier YAML, where the error must point (the first occurrence of this text; the
    /// verifier's own '{' when empty), what the message must say).
    @Test(arguments: [
        ("{kind: reward, model: rm}", "", "'verifiers.rm' is missing the required key 'base_url'"),
        ("{kind: reward, base_url: \"ftp://x\", model: rm}", "\"ftp", "must be an http(s) URL"),
        ("{kind: reward, base_url: \"http://h\"}", "", "missing the required key 'model'"),
        ("{kind: reward, base_url: \"http://h\", model: m, score: x}", "score", "'verifiers.rm.score' applies to api: json only"),
        ("{kind: reward, api: json, base_url: \"http://h\", model: m}", "model", "'verifiers.rm.model' applies to api: classify or pooling only"),
        ("{kind: reward, api: json, base_url: \"http://h\", score: a}", "", "missing the required key 'body'"),
        ("{kind: reward, api: json, base_url: \"http://h\", body: {q: \"{question}\"}, score: a}", "{q:", "must show the candidate"),
        ("{kind: reward, api: json, base_url: \"http://h\", body: {r: \"{response}\"}, score: \"a[x]\"}", "\"a[x]", "is not a score path ('[x]' is neither"),
        ("{kind: reward, api: json, base_url: \"http://h\", body: {r: \"{response}\"}, score: \"a.\"}", "\"a.", "is not a score path (an empty key"),
        ("{kind: reward, base_url: \"http://h\", model: m, input: \"{question}\"}", "\"{question", "must show the candidate"),
        ("{kind: reward, base_url: \"http://h\", model: m, chat: true, input: \"{response}\"}", "\"{response", "cannot be combined with 'chat: true'"),
        ("{kind: reward, base_url: \"http://h\", model: m, api_key_env: \"sk-123\"}", "\"sk-", "must name an environment variable"),
        ("{kind: reward, base_url: \"http://h\", model: m, extra_headers: {Authorization: x}}", "Authorization", "pass the API key through 'api_key_env'"),
        ("{kind: reward, base_url: \"http://h\", model: m, extra_body: {input: x}}", "input", "cannot be overridden in extra_body"),
        ("{kind: reward, base_url: \"http://h\", model: m, api: clasify}", "clasify", "did you mean 'classify'"),
        ("{kind: reward, base_url: \"http://h\", model: m, max_concurency: 3}", "max_concurency", "did you mean 'max_concurrency'"),
        ("{kind: reward, base_url: \"http://h\", model: m, path: classify}", "classify", "must start with '/'"),
        ("{kind: reward, base_url: \"http://h\", model: m, class_index: 2000}", "2000", "must be at most 1024"),
    ])
    func malformedVerifiersAreLocated(_ yaml: String, _ marker: String, _ mention: String) throws {
        // The verifier sits on line 10 after "  rm: " (6 characters).
        let column = 7 + (marker.isEmpty ? 0 : yaml.distance(from: yaml.startIndex, to: yaml.range(of: marker)!.lowerBound))
        do {
            _ = try SuiteLoader.load(data: Data(suiteYAML(verifier: yaml).utf8), path: "reward.yaml")
            Issue.record("accepted: \(yaml)")
        } catch let error as SuiteError {
            #expect(error.message.contains(mention), "\(error)")
            #expect(error.line == 10 && error.column == column, "\(error)")
        }
    }

    @Test func aMissingKeyVariableIsAnErrorAtTheFirstCall() async throws {
        let p = try parameters("{kind: reward, base_url: \"http://127.0.0.1:9\", model: m, api_key_env: TTSBENCH_TEST_NO_SUCH_KEY}")
        let rm = RewardEndpointVerifier(name: "rm", parameters: p, environment: [:])
        do {
            _ = try await rm.verify(Self.right, item: Self.item)
            Issue.record("no error")
        } catch let error as RewardEndpointError {
            #expect(error.description.contains("TTSBENCH_TEST_NO_SUCH_KEY") && rm.requestsSent == 0)
        }
        // With the key set, it is sent as a bearer token and never enters the fingerprint.
        let keyed = RewardEndpointVerifier(name: "rm", parameters: p, environment: ["TTSBENCH_TEST_NO_SUCH_KEY": "sk-secret"])
        #expect(keyed.headers.contains { $0.0 == "Authorization" && $0.1 == "Bearer sk-secret" })
        #expect(!p.description.contains("sk-secret") && !p.description.contains("TTSBENCH_TEST_NO_SUCH_KEY"))
    }

    @Test func aKeyQuotedBackByTheServerNeverReachesTheError() async throws {
        let server = try RewardServer()
        defer { server.stop() }
        // The server's 400 names the model it got; here the "model" is the key itself.
        let p = try parameters("{kind: reward, base_url: \"\(server.url)\", model: sk-secret-123, api_key_env: K}")
        let rm = RewardEndpointVerifier(name: "rm", parameters: p, environment: ["K": "sk-secret-123"])
        do {
            _ = try await rm.verify(Self.right, item: Self.item)
            Issue.record("no error")
        } catch let error as RewardEndpointError {
            #expect(error.description.contains("HTTP 400") && error.description.contains("[REDACTED]"))
            #expect(!error.description.contains("sk-secret-123"))
        }
    }

    @Test func scorePaths() {
        func steps(_ s: String) -> [JSONPathStep]? { if case .success(let x) = JSONPathStep.parse(s) { return x }; return nil }
        #expect(steps("a.b[0].c") == [.key("a"), .key("b"), .index(0), .key("c")])
        #expect(steps("$.data[-1]") == [.key("data"), .index(-1)])
        #expect(steps("$[\"a key\"][2]") == [.key("a key"), .index(2)])
        #expect(steps("score") == [.key("score")])
        for bad in ["", "$", "a..b", "a[", "a[1.5]", "a.", "a]"] { #expect(steps(bad) == nil, "\(bad)") }
    }
}
