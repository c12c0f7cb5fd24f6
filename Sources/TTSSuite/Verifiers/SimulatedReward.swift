/// `kind: simulated` (a verifier): a simulated reward model that scores correct candidates higher
/// with the given ROC AUC.
public struct SimulatedRewardKind: ParsableVerifierKind, Equatable {
    public static let name = "simulated"
    public static let fingerprintTag = "simulatedReward"

    public var auc: Double
    public init(auc: Double) { self.auc = auc }

    public var modelCallsPerVerification: [(model: String, calls: Int)] { [] }
    public var endpointCallsPerVerification: EndpointCalls? { nil }

    static func parse(_ v: YAMLCursor, parser: SuiteParser) throws -> Self {
        _ = try v.mapping(allowed: ["kind", "auc"])
        return Self(auc: try v.required("auc", expected: "the reward model's ROC AUC, between 0.5 and 1").double(min: 0.5, max: 0.9999))
    }

    public var judgesCorrectness: Bool { false }
    public var givesReward: Bool { true }
}
