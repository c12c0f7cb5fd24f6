@testable import TTSBench
@testable import TTSSuite
@testable import TTSCore
import Foundation
import Testing
@testable import TTSModels
@testable import TTSSeams

/// `kind: openai` and `kind: replay` parsing, request bodies, response decoding, limits.
struct OpenAIModelTests {
    func suite(_ model: String) -> String {
        """
        suite: s
        task: {generate: {kind: arithmetic, items: 5}}
        models:
          m: \(model)
        verifiers: {exact: {kind: exact}}
        strategies: {single: {kind: single}}
        systems: {matrix: {model: [m], strategy: [single], verifier: [exact]}}
        """
    }

    func load(_ model: String) throws -> Suite {
        try SuiteLoader.load(data: Data(suite(model).utf8), path: "s.yaml")
    }

    @Test func parsesEveryKey() throws {
        let s = try load("""
            {kind: openai, base_urls: ["http://a:8000/v1", "http://b:8000/v1/"], model: qwen, api: completions, api_key_env: MY_KEY,
                 max_concurrency: 64, timeout: 30, max_retries: 3, extra_body: {chat_template_kwargs: {enable_thinking: false}, top_k: 20},
                 extra_headers: {X-Team: bench}, price_per_million: {input: 0.5, output: 1.5}, supports_n: true, logprobs: 5, sampling: server, stop: ["\\n"]}
            """)
        guard case .openai(let p) = s.models[0].kind else { Issue.record("not openai"); return }
        #expect(p.baseURLs == ["http://a:8000/v1", "http://b:8000/v1"])
        #expect(p.api == .completions && p.apiKeyEnv == "MY_KEY" && p.maxConcurrency == 64 && p.timeout == 30 && p.maxRetries == 3)
        #expect(p.extraBody["top_k"] == .int(20))
        #expect(p.extraBody["chat_template_kwargs"]?["enable_thinking"] == .bool(false))
        #expect(p.extraHeaders == ["X-Team": "bench"])
        #expect(p.pricePerMillionInput == 0.5 && p.pricePerMillionOutput == 1.5)
        #expect(p.supportsN == .true && p.logprobs == 5 && p.sampling == .server && p.stop == ["\n"])
    }

    @Test func errorsAreLocated() throws {
        let cases: [(String, String)] = [
            ("{kind: openai, model: x}", "needs 'base_url'"),
            ("{kind: openai, base_url: 'ftp://x', model: x}", "must be an http(s) URL"),
            ("{kind: openai, base_url: 'http://x/v1', model: x, api: chatt}", "chat"),
            ("{kind: openai, base_url: 'http://x/v1', model: x, max_concurency: 3}", "did you mean 'max_concurrency'"),
            ("{kind: openai, base_url: 'http://x/v1', model: x, api_key_env: 'sk-123'}", "must name an environment variable"),
            ("{kind: openai, base_url: 'http://x/v1', model: x, extra_body: {seed: 3}}", "set by ttsbench"),
            ("{kind: openai, base_url: 'http://x/v1', model: x, extra_headers: {Authorization: 'Bearer k'}}", "api_key_env"),
            ("{kind: replay, file: missing.jsonl}", "cannot read the replay file"),
        ]
        for (model, message) in cases {
            do {
                _ = try load(model)
                Issue.record("accepted: \(model)")
            } catch let e as SuiteError {
                #expect(e.line == 4, "\(e)")
                #expect("\(e)".contains(message), "\(e)")
            }
        }
    }

    @Test func apiKeyIsNeverInTheFingerprint() throws {
        let a = try load("{kind: openai, base_url: 'http://x/v1', model: m, api_key_env: KEY_A}")
        let b = try load("{kind: openai, base_url: 'http://y/v1', model: m, api_key_env: KEY_B, max_concurrency: 3}")
        #expect(a.models[0].fingerprint == b.models[0].fingerprint)
        guard case .openai(let p) = a.models[0].kind else { return }
        #expect(throws: ModelError.self) { try OpenAIClient(name: "m", parameters: p, cache: nil, environment: [:]) }
        let client = try OpenAIClient(name: "m", parameters: p, cache: nil, environment: ["KEY_A": "sk-secret"])
        let request = GenerationRequest(messages: [ChatMessage(role: "user", content: "hi")], temperature: 0.5, seed: 42)
        #expect(!client.cacheKey(request, seed: 42).contains("sk-secret"))
        #expect(!JSONValue.object(client.body(request, seed: 42, n: 1)).canonicalString.contains("sk-secret"))
    }

    @Test func bodiesAndCacheKeys() throws {
        let p = OpenAIModelParameters(baseURLs: ["http://x/v1"], model: "m", api: .chat, stop: ["\n"])
        let c = try OpenAIClient(name: "m", parameters: p, cache: nil)
        let r = GenerationRequest(messages: [ChatMessage(role: "user", content: "Q")], temperature: 0.7, maxTokens: 9,
                                  seed: 0xFFFF_FFFF_FFFF_FFFF)
        let body = c.body(r, seed: 0xFFFF_FFFF_FFFF_FFFF, n: 1)
        #expect(body["seed"] == .int(0x7fff_ffff))
        #expect(body["top_k"] == .int(0) && body["min_p"] == .double(0) && body["repeat_penalty"] == .double(1))
        #expect(body["n"] == nil && body["stop"] == .array([.string("\n")]))
        #expect(c.body(r, seed: 1, n: 4)["n"] == .int(4))
        // The key depends on the seed and the decoding parameters, not on the replica.
        let k1 = c.cacheKey(r, seed: 1), k2 = c.cacheKey(r, seed: 2)
        #expect(k1 != k2)
        var r2 = r
        r2.temperature = 0.8
        #expect(c.cacheKey(r2, seed: 1) != k1)
        let other = try OpenAIClient(name: "m", parameters: OpenAIModelParameters(baseURLs: ["http://replica2/v1"], model: "m", api: .chat, stop: ["\n"]), cache: nil)
        #expect(other.cacheKey(r, seed: 1) == k1)
        // Keys are written directly from the body's bytes; they must stay the SHA-256 of the
        // canonical {"v": 1, "api", "body", "seed64"} object, or every existing cache is lost.
        for (api, seed) in [(OpenAIModelParameters.API.chat, UInt64(1)), (.completions, 0xFFFF_FFFF_FFFF_FFFF)] {
            let client = try OpenAIClient(name: "m", parameters: OpenAIModelParameters(baseURLs: ["http://x/v1"], model: "m", api: api), cache: nil)
            let canonical = JSONValue.object([
                "v": .int(1), "api": .string(api.rawValue), "body": .object(client.body(r, seed: seed, n: 1)),
                "seed64": .string(String(seed)),
            ]).canonicalBytes
            #expect(client.cacheKey(r, seed: seed) == SHA256.hex(bytes: canonical))
        }
    }

    @Test func malformedBodiesAreErrorsWithTheirFirstBytes() {
        let cases: [(String, String)] = [
            ("{\"choices\": [{\"message\": {\"content\": \"x\"}", "invalid JSON"),
            ("<html>Bad Gateway</html>", "invalid JSON"),
            ("{\"id\": 1}", "no 'choices'"),
            ("{\"choices\": []}", "empty 'choices'"),
            ("{\"choices\": [{\"index\": 0}]}", "without 'message'"),
            ("", "invalid JSON"),
        ]
        for (body, what) in cases {
            switch OpenAIClient.parse(Array(body.utf8), api: .chat, expected: 1, latencyMs: 1, promptText: "p") {
            case .success: Issue.record("accepted \(body)")
            case .failure(let f):
                #expect(f.message.contains(what), "\(f.message)")
                #expect(f.message.contains(String(body.prefix(20))) || body.isEmpty, "\(f.message)")
            }
        }
        let long = String(repeating: "x", count: 1000)
        if case .failure(let f) = OpenAIClient.parse(Array(long.utf8), api: .chat, expected: 1, latencyMs: 1, promptText: "") {
            #expect(f.message.count < 300)
        }
    }

    @Test func usageAndEstimates() throws {
        let ok = #"{"id":"r1","choices":[{"index":1,"message":{"content":"b"},"finish_reason":"length"},{"index":0,"message":{"content":"aaaa"},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":6}}"#
        guard case .success(let choices) = OpenAIClient.parse(Array(ok.utf8), api: .chat, expected: 2, latencyMs: 5, promptText: "p") else {
            Issue.record("rejected"); return
        }
        #expect(choices.map(\.text) == ["aaaa", "b"])
        #expect(choices[0].promptTokens == 10 && choices.map(\.completionTokens).reduce(0, +) == 6)
        let noUsage = #"{"choices":[{"text":"12345678"}]}"#
        guard case .success(let c2) = OpenAIClient.parse(Array(noUsage.utf8), api: .completions, expected: 1, latencyMs: 5, promptText: "abcd") else {
            Issue.record("rejected"); return
        }
        #expect(c2[0].tokensEstimated && c2[0].completionTokens == 2 && c2[0].promptTokens == 1)
    }

    @Test func jsonRoundTrip() {
        let text = #"{"b":[1,2.5,true,null,"\u00e9\n\"q\""],"a":{"z":-3e2}}"#
        let v = JSONValue.parse(Array(text.utf8))
        #expect(v?["b"]?.arrayValue?.count == 5)
        #expect(v?["b"]?.arrayValue?[4] == .string("é\n\"q\""))
        #expect(v?.canonicalString == #"{"a":{"z":-300.0},"b":[1,2.5,true,null,"é\n\"q\""]}"#)
        #expect(JSONValue.parse(Array("{\"a\":1} x".utf8)) == nil)
        #expect(JSONValue.parse(Array("[1,]".utf8)) == nil)
    }

    @Test func retryAfterAndBackoff() {
        #expect(RetryPolicy.parseRetryAfter("3") == 3)
        #expect(RetryPolicy.parseRetryAfter(nil) == nil)
        let policy = RetryPolicy(maxRetries: 5, baseDelay: 0.5, maxDelay: 4)
        for retry in 1...10 {
            let d = policy.delay(retry: retry, retryAfter: nil)
            #expect(d > 0 && d <= 4)
        }
        #expect(policy.delay(retry: 1, retryAfter: 2) >= 2)
    }

    @Test func adaptiveLimiterHalvesAndRecovers() async throws {
        let limiter = AdaptiveLimiter(maximum: 8, quietPeriod: .milliseconds(50))
        limiter.throttled(retryAfter: nil)
        #expect(limiter.limit == 4)
        limiter.throttled(retryAfter: nil)  // within a second: counted once
        #expect(limiter.limit == 4)
        limiter.succeeded()
        #expect(limiter.limit == 4)  // still in the quiet period
        try await Task.sleep(for: .milliseconds(80))
        for _ in 0..<40 { limiter.succeeded() }
        #expect(limiter.limit == 8)
    }

    @Test func adaptiveLimiterBoundsConcurrencyAndServesWaitersInOrder() async throws {
        let limiter = AdaptiveLimiter(maximum: 3)
        let inside = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    try await limiter.acquire()
                    inside.add(1)
                    #expect(inside.value <= 3)
                    await Task.yield()
                    inside.add(-1)
                    limiter.release()
                }
            }
            try await group.waitForAll()
        }
        #expect(limiter.peakInFlight == 3 && limiter.inFlight == 0)

        // A released slot goes to the oldest waiter, not to whoever asks next.
        let one = AdaptiveLimiter(maximum: 1)
        try await one.acquire()
        let order = Counter()
        let first = Task { try await one.acquire(); order.append(1); one.release() }
        while one.waiting < 1 { await Task.yield() }
        let second = Task { try await one.acquire(); order.append(2); one.release() }
        while one.waiting < 2 { await Task.yield() }
        one.release()
        try await first.value
        try await second.value
        #expect(order.values == [1, 2])
    }

    @Test func adaptiveLimiterPausesForRetryAfter() async throws {
        let limiter = AdaptiveLimiter(maximum: 4)
        let start = ContinuousClock.now
        limiter.throttled(retryAfter: 0.3)
        #expect(limiter.limit == 2)
        try await limiter.acquire()  // waits out the pause (a lower bound: a slow machine only waits longer)
        #expect(ContinuousClock.now - start >= .milliseconds(290))
        limiter.release()
    }

    @Test func endpointPoolBalancesAndCoolsDown() {
        let pool = EndpointPool(urls: ["a", "b", "c"])
        let first = [pool.acquire(), pool.acquire(), pool.acquire()]
        #expect(Set(first) == [0, 1, 2])
        pool.release(1, replicaFault: false)
        #expect(pool.acquire() == 1)  // fewest outstanding
        pool.release(0, replicaFault: true)  // a is cooling down
        pool.release(1, replicaFault: false)
        pool.release(2, replicaFault: false)
        pool.release(1, replicaFault: false)
        for _ in 0..<6 {
            let i = pool.acquire()
            #expect(i != 0)
            pool.release(i, replicaFault: false)
        }
    }
}
