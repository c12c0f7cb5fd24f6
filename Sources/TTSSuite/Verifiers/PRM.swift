import TTSCore

/// `kind: prm`: a process reward model served over HTTP (vLLM's pooling API, e.g.
/// Qwen2.5-Math-PRM-7B): one score per step of a (partial) solution. It guides the step-level
/// searches (`beam_search`, `dvts`, `particle_filtering`) and, aggregated, scores whole
/// completions as a `best_of_n` scorer. See `PRMEndpointParameters`.
public struct PRMKind: ParsableVerifierKind, Equatable {
    public static let name = "prm"
    public static let fingerprintTag = "prm"

    public var parameters: PRMEndpointParameters
    public init(_ parameters: PRMEndpointParameters) { self.parameters = parameters }

    static let keys = ["step_tag", "system", "aggregation", "split"]

    public var modelCallsPerVerification: [(model: String, calls: Int)] { [] }
    /// One request per scored (partial) solution: all its step scores at once.
    public var endpointCallsPerVerification: EndpointCalls? {
        EndpointCalls(calls: 1, endpoint: parameters.description, price: parameters.endpoint.price)
    }

    static func parse(_ v: YAMLCursor, parser: SuiteParser) throws -> Self {
        var endpoint = try parser.parseRewardEndpoint(v, extraKeys: keys, apis: [.pooling])
        // A PRM reads the steps in its chat template unless the suite gives the input text.
        if v.optional("chat") == nil && v.optional("input") == nil { endpoint.chat = true }
        var p = PRMEndpointParameters(endpoint: endpoint)
        if let c = v.optional("step_tag") { p.stepTag = try c.string(nonEmpty: false) }
        if let c = v.optional("system") {
            guard endpoint.chat else { throw c.error("'\(c.pathString)' applies to the chat form only (the input text is sent as written)") }
            p.system = try c.string()
        }
        if let c = v.optional("aggregation") { p.aggregation = PRMAggregation(rawValue: try c.oneOf(PRMAggregation.allCases.map(\.rawValue)))! }
        if let c = v.optional("split") { p.split = try c.string() }
        return Self(p)
    }

    public var judgesCorrectness: Bool { false }
    public var givesReward: Bool { true }
    public var callsOut: Bool { true }
    public var scoresSteps: Bool { true }
}

/// What a `kind: prm` verifier calls, and how it shows the steps.
///
/// The request is vLLM's pooling request, `POST {base_url}/pooling` with `{"model": M,
/// "messages": [...]}` (`chat`, the default) or `{"model": M, "input": TEXT}`. The steps are
/// joined by `step_tag` and followed by it (Qwen2.5-Math-PRM's `<extra_0>`, the default): in the
/// chat form the messages are the optional `system` message, the user's question and the
/// assistant's tagged steps; in the input form `{response}` of `input` is the tagged steps. The
/// reply is `{"data": [{"data": [[p_bad, p_good], ...]}]}` (one row per step tag, the STEP
/// pooler) or a flat list (one score per step); each step's score is column `class_index` of its
/// row (the last by default). A reply with another number of rows than steps is an error.
public struct PRMEndpointParameters: Sendable, Hashable, Encodable, CustomStringConvertible {
    public var endpoint: RewardEndpointParameters
    /// Written after every step (the PRM's step token).
    public var stepTag: String
    /// A system message before the question (chat form).
    public var system: String?
    /// How step scores become one score when the PRM scores a whole completion (a scorer).
    public var aggregation: PRMAggregation
    /// Where a whole completion is cut into steps when the PRM scores it as a scorer.
    public var split: String

    public static let defaultStepTag = "<extra_0>"

    public init(endpoint: RewardEndpointParameters, stepTag: String = PRMEndpointParameters.defaultStepTag, system: String? = nil,
                aggregation: PRMAggregation = .last, split: String = StepSearchParameters.defaultDelimiter) {
        self.endpoint = endpoint
        self.stepTag = stepTag
        self.system = system
        self.aggregation = aggregation
        self.split = split
    }

    /// What enters fingerprints: what shapes the scores.
    public var description: String {
        "prm-endpoint(\(endpoint.description),step_tag=\(JSONValue.string(stepTag).canonicalString),"
            + "system=\(system.map { JSONValue.string($0).canonicalString } ?? "-"),aggregation=\(aggregation.rawValue),"
            + "split=\(JSONValue.string(split).canonicalString))"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
