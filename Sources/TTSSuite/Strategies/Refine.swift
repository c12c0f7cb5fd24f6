/// `kind: refine`: a draft improved over rounds (sequential), or Parallel-Distill-Refine
/// (parallel; see `RefineParameters`).
public struct RefineKind: ParsableStrategyKind, Equatable {
    public static let name = "refine"
    public static let fingerprintTag = "refine"
    static let keys = ["mode", "rounds", "drafts", "workspace"]

    public var parameters: RefineParameters
    public init(_ parameters: RefineParameters) { self.parameters = parameters }
    // The canonical JSON of the enum case this replaced, `refine(RefineParameters)`.
    enum CodingKeys: String, CodingKey { case parameters = "_0" }

    static func parse(_ s: YAMLCursor, context: inout StrategyParseContext) throws -> Self {
        let mode = try s.optional("mode").map { RefineParameters.Mode(rawValue: try $0.oneOf(RefineParameters.Mode.allCases.map(\.rawValue)))! } ?? .sequential
        var p = RefineParameters(mode: mode, rounds: mode == .sequential ? 2 : 1, drafts: 4, workspace: 2000)
        if let r = s.optional("rounds") { p.rounds = try r.int(min: 1, max: 32) }
        for key in ["drafts", "workspace"] {
            if mode == .sequential, let c = s.optional(key) {
                throw c.error("'\(c.pathString)' applies only to 'mode: parallel' (Parallel-Distill-Refine); this strategy is sequential")
            }
        }
        if let d = s.optional("drafts") { p.drafts = try d.int(min: 1, max: 256) }
        if let w = s.optional("workspace") { p.workspace = try w.int(min: 100, max: 1_000_000) }
        return Self(p)
    }

    public var samplesPerItem: Int { parameters.mode == .sequential ? 1 : parameters.drafts }
    public func calls(temperature: Double, ownModel: String) -> StrategyCalls {
        let p = parameters
        return p.mode == .sequential
            ? StrategyCalls(samples: [(temperature, 1)], auxiliary: [(ownModel, p.rounds)])
            : StrategyCalls(samples: [(temperature, p.drafts)], auxiliary: [(ownModel, p.drafts * (p.rounds - 1) + 1)])
    }
    public var label: String {
        parameters.mode == .sequential ? "refine@\(parameters.rounds)r" : "pdr@\(parameters.drafts)x\(parameters.rounds)r"
    }
}

public struct RefineParameters: Sendable, Equatable, Encodable {
    public enum Mode: String, Sendable, CaseIterable, Encodable {
        /// Draft, then `rounds` rounds of "improve your answer" with the previous answer in context.
        case sequential
        /// Parallel-Distill-Refine: `drafts` drafts, a bounded workspace distilled from them, a refined answer.
        case parallel
    }
    public var mode: Mode
    public var rounds: Int
    /// Parallel drafts per round (parallel mode).
    public var drafts: Int
    /// Maximum characters of the distilled workspace (parallel mode).
    public var workspace: Int

    public static let refineInstruction = """
        Review your solution above carefully. If you find a mistake, correct it; if it is right, confirm it. \
        Then give the final answer in \\boxed{}.
        """

    public static let distillInstruction = """
        Below is a summary of several independent attempts at this problem: the answers they reached and how \
        many attempts reached each, with an excerpt of the reasoning. The attempts may be wrong. Using it as \
        a workspace, solve the problem once more, carefully, and put the final answer in \\boxed{}.
        """
}
