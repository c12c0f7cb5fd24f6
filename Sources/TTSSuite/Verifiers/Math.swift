/// `kind: math`: mathematical equivalence of the extracted answer and the reference.
public struct MathKind: ParsableVerifierKind, Equatable {
    public static let name = "math"
    public static let fingerprintTag = "math"

    /// Numbers are compared rounded to this many decimals (math-verify's `precision`); nil: exact
    /// comparison (relative tolerance 1e-9). Absent from the fingerprint when nil.
    public var precision: Int?

    public init(precision: Int? = nil) { self.precision = precision }

    public var modelCallsPerVerification: [(model: String, calls: Int)] { [] }
    public var endpointCallsPerVerification: EndpointCalls? { nil }

    static func parse(_ v: YAMLCursor, parser: SuiteParser) throws -> Self {
        _ = try v.mapping(allowed: ["kind", "precision"])
        return Self(precision: try v.optional("precision").map { try $0.int(min: 0, max: 15) })
    }
}
