/// `kind: numeric`: the extracted answer is the reference number within `tolerance`.
public struct NumericKind: ParsableVerifierKind, Equatable {
    public static let name = "numeric"
    public static let fingerprintTag = "numeric"

    public var tolerance: Double
    public init(tolerance: Double = 1e-6) { self.tolerance = tolerance }

    public var modelCallsPerVerification: [(model: String, calls: Int)] { [] }
    public var endpointCallsPerVerification: EndpointCalls? { nil }

    static func parse(_ v: YAMLCursor, parser: SuiteParser) throws -> Self {
        _ = try v.mapping(allowed: ["kind", "tolerance"])
        return Self(tolerance: try v.optional("tolerance").map { try $0.double(min: 0) } ?? 1e-6)
    }
}
