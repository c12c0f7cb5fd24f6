/// `kind: oracle`: a reward of 1 when `using` (exact, numeric or math) finds the candidate
/// correct, else 0 (pass@N as best-of-N).
public struct OracleKind: ParsableVerifierKind, Equatable {
    public static let name = "oracle"
    public static let fingerprintTag = "oracle"

    public var using: String
    public init(using: String = "numeric") { self.using = using }

    public var modelCallsPerVerification: [(model: String, calls: Int)] { [] }
    public var endpointCallsPerVerification: EndpointCalls? { nil }

    static func parse(_ v: YAMLCursor, parser: SuiteParser) throws -> Self {
        _ = try v.mapping(allowed: ["kind", "using"])
        return Self(using: try v.optional("using").map { try $0.oneOf(["exact", "numeric", "math"]) } ?? "numeric")
    }

    public var judgesCorrectness: Bool { false }
    public var givesReward: Bool { true }
}
