/// `kind: math`: mathematical equivalence of the extracted answer and the reference.
public struct MathKind: ParsableVerifierKind, Equatable {
    public static let name = "math"
    public static let fingerprintTag = "math"

    public init() {}

    static func parse(_ v: YAMLCursor, parser: SuiteParser) throws -> Self {
        _ = try v.mapping(allowed: ["kind"])
        return Self()
    }
}
