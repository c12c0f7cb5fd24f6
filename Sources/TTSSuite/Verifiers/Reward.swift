import TTSCore
import Foundation

/// `kind: reward`: a reward-model endpoint over HTTP (vLLM's classify or pooling API, or a JSON
/// shape given in the suite; see `RewardEndpointParameters` and `RewardEndpointVerifier`). Its
/// description (URL, model, request shape, score path) enters the system fingerprint.
public struct RewardKind: ParsableVerifierKind, Equatable {
    public static let name = "reward"
    public static let fingerprintTag = "reward"

    public var parameters: RewardEndpointParameters
    public init(_ parameters: RewardEndpointParameters) { self.parameters = parameters }
    // The canonical JSON of the enum case this replaced, `reward(RewardEndpointParameters)`.
    enum CodingKeys: String, CodingKey { case parameters = "_0" }

    public var modelCallsPerVerification: [(model: String, calls: Int)] { [] }
    /// One score per scored candidate.
    public var endpointCallsPerVerification: EndpointCalls? {
        EndpointCalls(calls: 1, endpoint: parameters.description, price: parameters.price)
    }

    static func parse(_ v: YAMLCursor, parser: SuiteParser) throws -> Self {
        Self(try parser.parseRewardEndpoint(v))
    }

    public var judgesCorrectness: Bool { false }
    public var givesReward: Bool { true }
    public var callsOut: Bool { true }
}

extension SuiteParser {
    // MARK: reward endpoints

    static let rewardKeys = ["kind", "api", "base_url", "path", "model", "input", "chat", "class_index", "extra_body",
                             "body", "score", "api_key_env", "extra_headers", "timeout", "max_retries", "retry_base_delay",
                             "max_concurrency", "price_per_million"]

    /// `kind: reward`: a reward-model endpoint (see `RewardEndpointParameters`). A kind built on
    /// it (`kind: prm`) passes its own `extraKeys` and the `apis` it takes (the first is the default).
    func parseRewardEndpoint(_ v: YAMLCursor, extraKeys: [String] = [],
                             apis: [RewardEndpointParameters.API] = [.classify, .pooling, .json]) throws -> RewardEndpointParameters {
        let entries = try v.mapping(allowed: Self.rewardKeys + extraKeys)
        let api = try v.optional("api").map { RewardEndpointParameters.API(rawValue: try $0.oneOf(apis.map(\.rawValue)))! } ?? apis[0]
        // Keys that belong to the other shape are refused where they are written.
        let only: [String: RewardEndpointParameters.API?] = [
            "model": nil, "input": nil, "chat": nil, "class_index": nil, "extra_body": nil, "body": .json, "score": .json,
        ]
        for entry in entries {
            guard let owner = only[entry.key] else { continue }
            let fits = owner == .json ? api == .json : api != .json
            if !fits {
                let which = owner == .json ? "api: json" : "api: classify or pooling"
                throw entry.keyCursor.error("'\(v.pathString).\(entry.key)' applies to \(which) only; this verifier has api: \(api.rawValue)")
            }
        }
        let baseCursor = try v.required("base_url", expected: "the reward server's URL, e.g. http://127.0.0.1:8000")
        let base = try baseCursor.string()
        guard let u = URL(string: base), let scheme = u.scheme?.lowercased(), ["http", "https"].contains(scheme), u.host != nil else {
            throw baseCursor.error("'\(baseCursor.pathString)' must be an http(s) URL such as http://127.0.0.1:8000, found '\(base.prefix(80))'")
        }
        var path: String?
        if let c = v.optional("path") {
            let text = try c.string(nonEmpty: false)
            guard text.isEmpty || text.hasPrefix("/") else { throw c.error("'\(c.pathString)' must start with '/', found '\(text.prefix(80))'") }
            path = text
        }
        var p = RewardEndpointParameters(api: api, baseURL: base, path: path)
        func showsCandidate(_ text: String) -> Bool { text.contains("{response}") || text.contains("{answer}") }
        switch api {
        case .classify, .pooling:
            p.model = try v.required("model", expected: "the model name the server serves, e.g. Skywork/Skywork-Reward-V2-Qwen3-0.6B").string()
            if let c = v.optional("chat") { p.chat = try c.bool() }
            if let c = v.optional("input") {
                if p.chat { throw c.error("'\(c.pathString)' cannot be combined with 'chat: true' (the chat form sends the question and the response as messages)") }
                let text = try c.string()
                guard showsCandidate(text) else {
                    throw c.error("'\(c.pathString)' must show the candidate: include {response} (the completion) or {answer} (the extracted answer)")
                }
                p.input = text
            }
            if let c = v.optional("class_index") { p.classIndex = try c.int(min: -1024, max: 1024) }
            if let c = v.optional("extra_body") {
                guard case .object(let o) = try json(c) else { throw c.error("'\(c.pathString)' must be a mapping") }
                for entry in try c.mapping() where ["model", "input", "messages"].contains(entry.key) {
                    throw entry.keyCursor.error("'\(c.pathString).\(entry.key)' is set by ttsbench and cannot be overridden in extra_body")
                }
                p.extraBody = o
            }
        case .json:
            let bodyCursor = try v.required("body", expected: "the request body, a mapping whose strings may use {question}, {response}, {answer}, {reference}")
            let body = try json(bodyCursor)
            guard case .object = body else { throw bodyCursor.error("'\(bodyCursor.pathString)' must be a mapping (the JSON request body), found \(bodyCursor.kindName)") }
            guard showsCandidate(body.canonicalString) else {
                throw bodyCursor.error("'\(bodyCursor.pathString)' must show the candidate: use {response} (the completion) or {answer} (the extracted answer) in one of its strings")
            }
            p.body = body
            let scoreCursor = try v.required("score", expected: "the path to the score in the reply, e.g. result.scores[0]")
            let score = try scoreCursor.string()
            if case .failure(let why) = JSONPathStep.parse(score) {
                throw scoreCursor.error("'\(scoreCursor.pathString)' is not a score path (\(why.message)); write it like result.scores[0] or $.reward")
            }
            p.score = score
        }
        if let k = v.optional("api_key_env") { p.apiKeyEnv = try k.environmentVariableName() }
        if let h = v.optional("extra_headers") { p.extraHeaders = try h.extraHeaders() }
        if let c = v.optional("timeout") { p.timeout = try c.double(min: 0.01, max: 86_400) }
        if let c = v.optional("max_retries") { p.maxRetries = try c.int(min: 0, max: 100) }
        if let c = v.optional("retry_base_delay") { p.retryBaseDelay = try c.double(min: 0, max: 60) }
        if let c = v.optional("max_concurrency") { p.maxConcurrency = try c.int(min: 1, max: 4096) }
        if let c = v.optional("price_per_million") {
            (p.pricePerMillionInput, p.pricePerMillionOutput) = try c.pricePerMillion()
        }
        return p
    }
}
