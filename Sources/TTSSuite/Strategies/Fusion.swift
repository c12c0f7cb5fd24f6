/// `kind: fusion`: N samples, fused into one answer by a model (see `FusionParameters`).
public struct FusionKind: ParsableStrategyKind, Equatable {
    public static let name = "fusion"
    public static let fingerprintTag = "fusion"
    static let keys = ["n", "fuser", "fuser_temperature", "prompt", "max_candidate_chars"]

    public var parameters: FusionParameters
    public init(_ parameters: FusionParameters) { self.parameters = parameters }
    // The canonical JSON of the enum case this replaced, `fusion(FusionParameters)`.
    enum CodingKeys: String, CodingKey { case parameters = "_0" }

    static func parse(_ s: YAMLCursor, context: inout StrategyParseContext) throws -> Self {
        var p = FusionParameters(n: try context.samples(s), fuser: nil, fuserTemperature: 0, prompt: FusionParameters.defaultPrompt,
                                 maxCandidateChars: 4000)
        if let f = s.optional("fuser") { p.fuser = try context.model(f) }
        if let t = s.optional("fuser_temperature") { p.fuserTemperature = try t.double(min: 0, max: 5) }
        if let prompt = s.optional("prompt") {
            p.prompt = try prompt.string()
            for placeholder in ["{question}", "{candidates}"] where !p.prompt.contains(placeholder) {
                throw prompt.error("'\(prompt.pathString)' must contain the placeholder \(placeholder)")
            }
        }
        if let m = s.optional("max_candidate_chars") { p.maxCandidateChars = try m.int(min: 100, max: 1_000_000) }
        return Self(p)
    }

    public var samplesPerItem: Int { parameters.n }
    public func calls(temperature: Double, ownModel: String) -> StrategyCalls {
        StrategyCalls(samples: [(temperature, parameters.n)], auxiliary: [(parameters.fuser ?? ownModel, 1)])
    }
    public var referencedModels: [String] { parameters.fuser.map { [$0] } ?? [] }
    public var label: String { "fusion@\(parameters.n)" + (parameters.fuser.map { " (fuser \($0))" } ?? "") }
}

public struct FusionParameters: Sendable, Equatable, Encodable {
    public var n: Int
    /// The fuser model's name; nil means self-fusion (the system's own model).
    public var fuser: String?
    public var fuserTemperature: Double
    /// Must contain `{question}` and `{candidates}`; may contain `{n}`.
    public var prompt: String
    /// Each candidate is cut to its last this-many characters (the end holds the answer).
    public var maxCandidateChars: Int

    public static let defaultPrompt = """
        You are given a problem and {n} candidate solutions written independently. Some of them may be wrong, \
        and the most common answer is not always right. Compare them, check their reasoning, and write one \
        final solution of your own: reuse correct steps, fix mistakes, and put the final answer in \\boxed{}.

        Problem:
        {question}

        {candidates}
        """
}
