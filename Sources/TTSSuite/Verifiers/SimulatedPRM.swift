/// `kind: simulated_prm`: a simulated process reward model of known per-step quality, for the
/// simulated backend's step-level solutions. A step's score is σ(z + d·[the solution is still
/// on track after it]) with z ~ N(0, 1) and d = √2 Φ⁻¹(`auc`), so on-track and broken steps are
/// told apart with exactly that ROC AUC. As a scorer of whole completions it aggregates the
/// step scores (`aggregation`, `last` by default) of the completion cut at "\n\n".
///
/// ```yaml
/// verifiers:
///   prm:      {kind: simulated_prm, auc: 0.95}
///   weak_prm: {kind: simulated_prm, auc: 0.6}
/// ```
public struct SimulatedPRMKind: ParsableVerifierKind, Equatable {
    public static let name = "simulated_prm"
    public static let fingerprintTag = "simulatedPRM"

    public var auc: Double
    public var aggregation: PRMAggregation

    public init(auc: Double, aggregation: PRMAggregation = .last) {
        self.auc = auc
        self.aggregation = aggregation
    }

    public var modelCallsPerVerification: [(model: String, calls: Int)] { [] }
    public var endpointCallsPerVerification: EndpointCalls? { nil }

    static func parse(_ v: YAMLCursor, parser: SuiteParser) throws -> Self {
        _ = try v.mapping(allowed: ["kind", "auc", "aggregation"])
        let auc = try v.required("auc", expected: "the PRM's per-step ROC AUC, between 0.5 and 1").double(min: 0.5, max: 0.9999)
        let aggregation = try v.optional("aggregation").map { PRMAggregation(rawValue: try $0.oneOf(PRMAggregation.allCases.map(\.rawValue)))! } ?? .last
        return Self(auc: auc, aggregation: aggregation)
    }

    public var judgesCorrectness: Bool { false }
    public var givesReward: Bool { true }
    public var scoresSteps: Bool { true }
}
