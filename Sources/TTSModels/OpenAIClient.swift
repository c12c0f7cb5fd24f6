import TTSCore
import TTSSuite
import Foundation
import TTSSeams

/// A `kind: openai` model: `POST {base_url}/chat/completions` or `{base_url}/completions`.
///
/// Each sample has its own seed (derived by the pool from stable identifiers). Several samples
/// go out as one request with `n` when the server honours it; a server that returns fewer
/// choices than asked (llama.cpp ignores `n`) is remembered, and from then on every sample is
/// its own request with its own seed — N samples are never collapsed into one. Requests pass
/// through the request cache, a per-model adaptive concurrency limit, the replica pool and
/// bounded retries; every failed attempt is written into the sample's retry log.
public final class OpenAIClient: ModelClient, @unchecked Sendable {
    public let name: String
    public let parameters: OpenAIModelParameters
    public let limiter: AdaptiveLimiter
    public let endpoints: EndpointPool
    /// Whether this model has answered in this run, and how many requests in a row failed:
    /// what decides that a failure stops the run (`EndpointHealth`).
    public let health: EndpointHealth
    let retry: RetryPolicy
    let transport: any HTTPTransport
    let cache: (any RequestCache)?
    private let apiKey: String?
    private let lock = NSLock()
    private var nSupport: OpenAIModelParameters.SupportsN
    private var requestCount = 0
    private var hitCount = 0

    public init(name: String, parameters: OpenAIModelParameters, cache: (any RequestCache)?,
                transport: (any HTTPTransport)? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.name = name
        self.parameters = parameters
        if let variable = parameters.apiKeyEnv {
            guard let key = environment[variable], !key.isEmpty else {
                throw ModelError(model: name, message: "the environment variable \(variable) named by 'api_key_env' is not set")
            }
            apiKey = key
        } else {
            apiKey = nil
        }
        limiter = AdaptiveLimiter(maximum: parameters.maxConcurrency)
        endpoints = EndpointPool(urls: parameters.baseURLs.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 },
                                 routing: parameters.routing, capacity: parameters.maxConcurrency)
        retry = RetryPolicy(maxRetries: parameters.maxRetries, baseDelay: parameters.retryBaseDelay)
        // Twice the requests in flight, failing in a row with no success between: the endpoint is down.
        health = EndpointHealth(stopAfter: max(8, 2 * parameters.maxConcurrency))
        if let transport {
            self.transport = transport
        } else {
            SharedHTTPClient.shared.register(concurrency: parameters.maxConcurrency)
            self.transport = try parameters.caFile.map { try CustomCATransport(caFile: $0, model: name) } ?? SharedHTTPClient.shared
        }
        self.cache = cache
        nSupport = parameters.supportsN
    }

    /// HTTP attempts sent so far (retries included).
    public var requestsSent: Int { lock.withLock { requestCount } }
    /// Samples served from the request cache.
    public var cacheHits: Int { lock.withLock { hitCount } }
    /// What is known about the server's `n`: auto (not yet seen), true or false.
    public var nSupportDetected: OpenAIModelParameters.SupportsN { lock.withLock { nSupport } }

    // MARK: generate

    public func generate(_ request: GenerationRequest) async throws -> [Completion] {
        if case .step(let prefix, _)? = request.context?.purpose, !prefix.isEmpty, parameters.effectiveContinuation == .none {
            throw ModelError(model: name, message: "cannot continue a partial solution with the \(parameters.api.rawValue) API: set 'continuation: chat_prefix' (a server with assistant-prefix continuation, such as vLLM) or use 'api: completions'")
        }
        let n = max(1, request.n)
        let seeds = request.context?.sampleSeeds.count == n ? request.context!.sampleSeeds
            : (0..<n).map { request.seed &+ UInt64($0) }
        // Each sample's own request body is built once: it is both the cache key's content and,
        // when samples go out one by one, the bytes sent.
        let bodies = seeds.map { bodyBytes(request, seed: $0, n: 1) }
        var results = [Completion?](repeating: nil, count: n)
        var keys: [String] = []
        if let cache {
            keys = zip(bodies, seeds).map { cacheKey(bodyBytes: $0, seed: $1) }
            let hits = try await cache.lookup(keys)
            for (i, key) in keys.enumerated() {
                if let bytes = hits[key], let choice = CachedChoice(bytes: bytes) {
                    var c = completion(choice, attempts: 0, log: [])
                    c.cached = true
                    results[i] = c
                }
            }
            let found = results.compactMap { $0 }.count
            if found > 0 { lock.withLock { hitCount += found } }
        }
        let missing = results.indices.filter { results[$0] == nil }
        if missing.isEmpty { return results.map { $0! } }

        let produced = try await produce(request, seeds: missing.map { seeds[$0] }, bodies: missing.map { bodies[$0] })
        var entries: [(key: String, response: [UInt8])] = []
        var failure: RequestFailure? = nil
        var errors: [String?] = Array(repeating: nil, count: n)
        for (position, i) in missing.enumerated() {
            switch produced[position] {
            case .success(let (choice, attempts, log)):
                results[i] = completion(choice, attempts: attempts, log: log)
                // A refusal is the system's outcome but not a reply to reuse: never cached.
                if cache != nil && choice.refusal == nil { entries.append((keys[i], choice.canonicalBytes)) }
            case .failure(let error):
                errors[i] = error.description
                if failure == nil || (error.stopsRun && failure?.stopsRun == false) { failure = error }
            }
        }
        if let cache, !entries.isEmpty { try await cache.store(entries) }
        if let failure {
            // What came back is kept; the failed requests are not samples (the pool records
            // the completions and rethrows the failure, and the next run asks again).
            throw PartialGenerationError(model: name, completions: results, errors: errors, failure: failure)
        }
        return results.map { $0! }
    }

    typealias Produced = Result<(CachedChoice, Int, [String]), RequestFailure>

    /// Generates the samples with the given seeds (`bodies`: each one's own request with n = 1):
    /// one request with `n` when the server honours it, otherwise one request per sample
    /// (concurrently, within the model's limit).
    func produce(_ request: GenerationRequest, seeds: [UInt64], bodies: [[UInt8]]) async throws -> [Produced] {
        let prompt = promptText(request)
        if seeds.count > 1 && nSupportDetected != .false {
            let body = bodyBytes(request, seed: seeds[0], n: seeds.count)
            switch try await send(body, expected: seeds.count, promptText: prompt, routingKey: request.routingKey) {
            case .success(let (choices, attempts, log)):
                if choices.count == 1, choices[0].refusal != nil {
                    return seeds.map { _ in .success((choices[0], attempts, log)) }  // the input was refused: for every sample
                }
                if choices.count == seeds.count {
                    lock.withLock { if nSupport == .auto { nSupport = .true } }
                    return choices.map { .success(($0, attempts, log)) }
                }
                // Fewer choices than asked: the server ignores `n`. Remember it, and draw each
                // sample with its own request and seed.
                lock.withLock { nSupport = .false }
            case .failure(let error):
                return seeds.map { _ in .failure(error) }
            }
        }
        if bodies.count == 1 {
            switch try await send(bodies[0], expected: 1, promptText: prompt, routingKey: request.routingKey) {
            case .success(let (choices, attempts, log)): return [.success((choices[0], attempts, log))]
            case .failure(let e): return [.failure(e)]
            }
        }
        let key = request.routingKey
        return try await withThrowingTaskGroup(of: (Int, Produced).self) { group in
            for (i, body) in bodies.enumerated() {
                group.addTask {
                    switch try await self.send(body, expected: 1, promptText: prompt, routingKey: key) {
                    case .success(let (choices, attempts, log)): (i, .success((choices[0], attempts, log)))
                    case .failure(let e): (i, .failure(e))
                    }
                }
            }
            var out = [Produced?](repeating: nil, count: seeds.count)
            for try await (i, r) in group { out[i] = r }
            return out.map { $0! }
        }
    }

    func completion(_ choice: CachedChoice, attempts: Int, log: [String]) -> Completion {
        var c = Completion(text: choice.text, finishReason: choice.finishReason, promptTokens: choice.promptTokens,
                           completionTokens: choice.completionTokens, latencyMs: choice.latencyMs,
                           responseID: choice.responseID, tokensEstimated: choice.tokensEstimated)
        c.attempts = attempts
        c.retryLog = log.isEmpty ? nil : log.joined(separator: "\n")
        c.logprobs = choice.logprobs
        c.refusal = choice.refusal ?? (choice.finishReason == "content_filter" ? Refusal.contentFiltered : nil)
        c.applyReasoning(field: choice.reasoning, serverTokens: choice.reasoningTokens, options: parameters.reasoning)
        let p = parameters
        if p.pricePerMillionInput > 0 || p.pricePerMillionOutput > 0 {
            c.cost = (Double(choice.promptTokens) * p.pricePerMillionInput + Double(choice.completionTokens) * p.pricePerMillionOutput) / 1e6
        }
        return c
    }

    // MARK: requests

    var path: String { parameters.api == .chat ? "/chat/completions" : "/completions" }

    func promptText(_ request: GenerationRequest) -> String {
        request.messages.count == 1 ? request.messages[0].content : request.messages.map(\.content).joined(separator: "\n\n")
    }

    /// The seed on the wire: the low 31 bits of the derived seed (every server takes a positive Int32).
    static func wireSeed(_ seed: UInt64) -> Int64 { Int64(seed & 0x7fff_ffff) }

    public func body(_ request: GenerationRequest, seed: UInt64, n: Int) -> [String: JSONValue] {
        let p = parameters
        var b: [String: JSONValue] = [
            "model": .string(p.model),
            "temperature": .double(request.temperature),
            "top_p": .double(request.topP),
            "max_tokens": .int(Int64(request.maxTokens)),
            "seed": .int(Self.wireSeed(seed)),
        ]
        switch p.api {
        case .chat:
            b["messages"] = .array(request.messages.map { .object(["role": .string($0.role), "content": .string($0.content)]) })
            // Assistant-prefix continuation: the server continues the last (assistant) message
            // instead of opening a new turn (vLLM's chat template options).
            if p.continuation == .chatPrefix, request.messages.last?.role == "assistant" {
                b["continue_final_message"] = .bool(true)
                b["add_generation_prompt"] = .bool(false)
            }
        case .completions:
            b["prompt"] = .string(promptText(request))
        }
        let stop = request.stop + p.stop.filter { !request.stop.contains($0) }
        if !stop.isEmpty { b["stop"] = .array(stop.map { .string($0) }) }
        if p.sampling == .plain {
            b["top_k"] = .int(0)
            b["min_p"] = .double(0)
            b["repeat_penalty"] = .double(1)
            b["repetition_penalty"] = .double(1)
        }
        if let k = p.logprobs {
            switch p.api {
            case .chat:
                b["logprobs"] = .bool(true)
                b["top_logprobs"] = .int(Int64(k))
            case .completions:
                b["logprobs"] = .int(Int64(k))
            }
        }
        for (k, v) in p.reasoningBody { b[k] = v }
        for (k, v) in p.extraBody { b[k] = v }
        if n > 1 { b["n"] = .int(Int64(n)) }
        return b
    }

    /// The canonical bytes of `body(request, seed:, n:)`, written directly: the keys in sorted
    /// order without building the dictionary (every request passes here; a test checks the two
    /// agree byte for byte). Extra body fields, which may land anywhere in the order or replace
    /// a field, take the dictionary's way.
    public func bodyBytes(_ request: GenerationRequest, seed: UInt64, n: Int) -> [UInt8] {
        let p = parameters
        guard p.extraBody.isEmpty, p.reasoningEffort == nil, p.enableThinking == nil else {
            return JSONValue.object(body(request, seed: seed, n: n)).canonicalBytes
        }
        var out: [UInt8] = []
        out.reserveCapacity(192 + request.messages.reduce(0) { $0 + $1.content.utf8.count + 32 })
        var first = true
        func key(_ name: StaticString) {
            out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            out.append(contentsOf: "\":".utf8)
        }
        // The keys below are in sorted order: the order JSONValue writes an object in.
        let continuing = p.api == .chat && p.continuation == .chatPrefix && request.messages.last?.role == "assistant"
        if continuing { key("add_generation_prompt"); out.append(contentsOf: "false".utf8) }
        if continuing { key("continue_final_message"); out.append(contentsOf: "true".utf8) }
        if let k = p.logprobs {
            key("logprobs")
            if p.api == .chat { out.append(contentsOf: "true".utf8) } else { JSONValue.writeInt(Int64(k), into: &out) }
        }
        key("max_tokens"); JSONValue.writeInt(Int64(request.maxTokens), into: &out)
        if p.api == .chat {
            key("messages")
            out.append(UInt8(ascii: "["))
            for (i, m) in request.messages.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: #"{"content":"#.utf8)
                JSONValue.writeString(m.content, into: &out)
                out.append(contentsOf: #","role":"#.utf8)
                JSONValue.writeString(m.role, into: &out)
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        }
        let plain = p.sampling == .plain
        if plain { key("min_p"); JSONValue.writeDouble(0, into: &out) }
        key("model"); JSONValue.writeString(p.model, into: &out)
        if n > 1 { key("n"); JSONValue.writeInt(Int64(n), into: &out) }
        if p.api == .completions { key("prompt"); JSONValue.writeString(promptText(request), into: &out) }
        if plain {
            key("repeat_penalty"); JSONValue.writeDouble(1, into: &out)
            key("repetition_penalty"); JSONValue.writeDouble(1, into: &out)
        }
        key("seed"); JSONValue.writeInt(Self.wireSeed(seed), into: &out)
        let stop = request.stop + p.stop.filter { !request.stop.contains($0) }
        if !stop.isEmpty {
            key("stop")
            out.append(UInt8(ascii: "["))
            for (i, s) in stop.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeString(s, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        key("temperature"); JSONValue.writeDouble(request.temperature, into: &out)
        if plain { key("top_k"); JSONValue.writeInt(0, into: &out) }
        if let k = p.logprobs, p.api == .chat { key("top_logprobs"); JSONValue.writeInt(Int64(k), into: &out) }
        key("top_p"); JSONValue.writeDouble(request.topP, into: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// SHA-256 of the canonical request of one sample: the endpoint's model name (not a
    /// replica's URL), the API, the prompt or messages, every decoding parameter, extra body
    /// fields and the sample's full 64-bit seed (derived from the item, seed index, temperature
    /// and sample index, so it identifies the sample index too).
    public func cacheKey(_ request: GenerationRequest, seed: UInt64) -> String {
        cacheKey(bodyBytes: bodyBytes(request, seed: seed, n: 1), seed: seed)
    }

    /// The same key from the canonical bytes of the sample's body: the canonical serialisation
    /// of {"api", "body", "seed64", "v": 1} (keys in sorted order), written directly.
    func cacheKey(bodyBytes: [UInt8], seed: UInt64) -> String {
        var canonical: [UInt8] = []
        canonical.reserveCapacity(bodyBytes.count + 64)
        canonical.append(contentsOf: #"{"api":"#.utf8)
        JSONValue.writeString(parameters.api.rawValue, into: &canonical)
        canonical.append(contentsOf: #","body":"#.utf8)
        canonical.append(contentsOf: bodyBytes)
        canonical.append(contentsOf: #","seed64":""#.utf8)
        canonical.append(contentsOf: String(seed).utf8)
        canonical.append(contentsOf: #"","v":1}"#.utf8)
        return SHA256.hex(bytes: canonical)
    }

    var headers: [(String, String)] {
        var h: [(String, String)] = parameters.extraHeaders.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if let apiKey { h.append(("Authorization", "Bearer \(apiKey)")) }
        return h
    }

    /// One logical request with bounded retries (`RetryingPost`), to the replica `routingKey`
    /// routes to. `.failure` means the request failed for good (its message has the attempts and
    /// the retry log); throws only on cancellation.
    func send(_ bytes: [UInt8], expected: Int, promptText: String, routingKey: String? = nil) async throws
        -> Result<([CachedChoice], Int, [String]), RequestFailure> {
        let post = RetryingPost(transport: transport, limiter: limiter, endpoints: endpoints, retry: retry, timeout: parameters.timeout,
                                headers: headers, secret: apiKey, onAttempt: { self.lock.withLock { self.requestCount += 1 } },
                                health: health)
        let api = parameters.api
        let outcome = try await post.run(path: path, body: bytes, routingKey: routingKey) { reply, latencyMs in
            // A malformed 2xx body (truncated, invalid, no choices) is retried: servers and proxies fail that way transiently.
            Self.parse(reply, api: api, expected: expected, latencyMs: latencyMs, promptText: promptText)
                .mapError { ReplyFailure(message: $0.message, retryable: true) }
        }
        switch outcome {
        case .success(let (choices, attempts, log)):
            health.success()
            return .success((choices, attempts, log))
        case .failure(let failure):
            if let status = failure.status, let refusal = Refusal.cause(status: status, body: failure.body) {
                // The server answered, about the input itself: the system's outcome, not our failure.
                health.success()
                var choice = CachedChoice(text: "", finishReason: "refused", promptTokens: Self.estimateTokens(promptText),
                                          completionTokens: 0, tokensEstimated: true, latencyMs: 0, responseID: nil, logprobs: nil)
                choice.refusal = refusal + ": " + RequestFailure.plain(failure.message)
                return .success(([choice], failure.attempts, failure.log.count > 1 ? Array(failure.log.dropLast()) : []))
            }
            var error = RequestFailure(model: name, url: failure.url.isEmpty ? (endpoints.urls.first ?? "") : failure.url,
                                       cause: failure.cause, message: failure.message, attempts: failure.attempts, log: failure.log)
            error.endpointAnswered = health.everSucceeded
            error.stopsRun = health.failure(failure.cause)
            return .failure(error)
        }
    }

    // MARK: responses

    /// A server may quote the API key back (an error naming the rejected key, an echoing proxy,
    /// even a completion): every occurrence is replaced before the response is parsed, logged,
    /// cached or stored, so a key never reaches the database, a log or a leaderboard.
    static func redact(_ body: [UInt8], key: String?) -> [UInt8] {
        guard let key, key.utf8.count >= 4 else { return body }
        let needle = Array(key.utf8), replacement = Array("[REDACTED]".utf8)
        guard body.count >= needle.count, let first = needle.first else { return body }
        var out: [UInt8] = []
        var copied = 0, i = 0
        let last = body.count - needle.count
        while i <= last {
            if body[i] == first && body[i..<(i + needle.count)].elementsEqual(needle) {
                out.append(contentsOf: body[copied..<i])
                out.append(contentsOf: replacement)
                i += needle.count
                copied = i
            } else {
                i += 1
            }
        }
        if copied == 0 { return body }
        out.append(contentsOf: body[copied...])
        return out
    }

    static func redact(_ text: String, key: String?) -> String {
        guard let key, key.utf8.count >= 4 else { return text }
        return text.replacingOccurrences(of: key, with: "[REDACTED]")
    }

    /// The first bytes of a body, printable, for error messages.
    static func prefix(_ body: [UInt8], limit: Int = 200) -> String {
        ReplyFailure.excerpt(body, limit: limit)
    }

    /// Decodes a 2xx body into choices (in `index` order). A malformed body is an error whose
    /// message quotes the body's first 200 bytes; it never crashes.
    static func parse(_ body: [UInt8], api: OpenAIModelParameters.API, expected: Int, latencyMs: Double,
                      promptText: String) -> Result<[CachedChoice], ParseFailure> {
        func fail(_ what: String) -> Result<[CachedChoice], ParseFailure> { .failure(ParseFailure(message: "malformed response (\(what)): \(prefix(body))")) }
        guard let json = JSONValue.parse(body) else { return fail("invalid JSON") }
        guard json.objectValue != nil else { return fail("not a JSON object") }
        if let error = json["error"], error != .null { return fail("an error object") }
        guard let choicesValue = json["choices"] else { return fail("no 'choices'") }
        guard let choices = choicesValue.arrayValue else { return fail("'choices' is not a list") }
        guard !choices.isEmpty else { return fail("empty 'choices'") }
        var parsed: [(Int, String, String, String?)] = []
        var reasonings: [Int: String] = [:]
        for (position, choice) in choices.enumerated() {
            guard choice.objectValue != nil else { return fail("a choice is not an object") }
            let text: String
            switch api {
            case .chat:
                guard let message = choice["message"], message.objectValue != nil else { return fail("a choice without 'message'") }
                switch message["content"] {
                case .string(let s)?: text = s
                case .null?, nil: text = ""
                default: return fail("'message.content' is not a string")
                }
                switch reasoningField(message) {
                case .success(let r?): reasonings[choice["index"]?.intValue ?? position] = r
                case .success(nil): break
                case .failure(let what): return fail(what.message)
                }
            case .completions:
                guard let t = choice["text"]?.stringValue else { return fail("a choice without 'text'") }
                text = t
                if case .success(let r?) = reasoningField(choice) { reasonings[choice["index"]?.intValue ?? position] = r }
            }
            let logprobs = choice["logprobs"].flatMap { $0 == .null ? nil : $0.canonicalString }
            parsed.append((choice["index"]?.intValue ?? position, text, choice["finish_reason"]?.stringValue ?? "", logprobs))
        }
        parsed.sort { $0.0 < $1.0 }
        let id = json["id"]?.stringValue
        let usage = json["usage"]
        let usagePrompt = usage?["prompt_tokens"]?.intValue
        let usageCompletion = usage?["completion_tokens"]?.intValue
        let usageReasoning = usage?["completion_tokens_details"]?["reasoning_tokens"]?.intValue
        let estimatedPrompt = estimateTokens(promptText)
        // Thinking is generated too: a count estimated from the text includes it.
        let estimates = parsed.map { estimateTokens($0.1) + estimateTokens(reasonings[$0.0] ?? "") }
        var out: [CachedChoice] = []
        for (k, p) in parsed.enumerated() {
            var completionTokens = estimates[k]
            var estimated = usagePrompt == nil || usageCompletion == nil
            if let total = usageCompletion {
                if parsed.count == 1 {
                    completionTokens = total
                } else {
                    // n choices share one usage: split it in proportion to the estimates.
                    let sum = max(1, estimates.reduce(0, +))
                    completionTokens = Int((Double(total) * Double(estimates[k]) / Double(sum)).rounded())
                    estimated = true
                }
            }
            var choice = CachedChoice(text: p.1, finishReason: p.2, promptTokens: usagePrompt ?? estimatedPrompt,
                                      completionTokens: completionTokens, tokensEstimated: estimated, latencyMs: latencyMs,
                                      responseID: id, logprobs: p.3)
            choice.reasoning = reasonings[p.0]
            // One usage for n choices cannot be attributed: the thinking is then counted from the text.
            if parsed.count == 1 { choice.reasoningTokens = usageReasoning }
            out.append(choice)
        }
        _ = expected
        return .success(out)
    }

    /// The reasoning field of a chat message (or a completions choice): `reasoning` (newer vLLM)
    /// or `reasoning_content` (older vLLM, SGLang, llama-server, DeepSeek); nil when absent or null.
    static func reasoningField(_ object: JSONValue) -> Result<String?, ParseFailure> {
        for key in ["reasoning", "reasoning_content"] {
            switch object[key] {
            case .string(let s)?: if !s.isEmpty { return .success(s) }
            case .null?, nil: continue
            default: return .failure(ParseFailure(message: "'\(key)' is not a string"))
            }
        }
        return .success(nil)
    }

    /// About four characters per token (at least one for a non-empty text).
    static func estimateTokens(_ text: String) -> Int {
        let n = text.utf8.count
        return n == 0 ? 0 : max(1, (n + 3) / 4)
    }
}

struct ParseFailure: Error { var message: String }

/// Some samples of a request were generated and others were not: the pool records the
/// completions it got and throws `failure` (a request that failed for good), or, without one,
/// a failure naming the first error (a replay without the recorded sample).
public struct PartialGenerationError: Error, CustomStringConvertible, Sendable {
    public var model: String
    public var completions: [Completion?]
    public var errors: [String?]
    public var failure: RequestFailure? = nil
    public var description: String {
        let failed = errors.compactMap { $0 }
        return "model '\(model)': \(failed.count) of \(errors.count) samples failed; first: \(failed.first ?? "")"
    }

    /// The failure the pool throws for the samples that did not come back.
    public var requestFailure: RequestFailure {
        if let failure { return failure }
        var f = RequestFailure(model: model, url: "(replay)", cause: .notRecorded, message: errors.compactMap { $0 }.first ?? "no sample",
                               attempts: 0)
        f.stopsRun = true
        return f
    }
}
