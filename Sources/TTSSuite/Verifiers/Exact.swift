/// `kind: exact`: the extracted answer equals the reference after light normalisation.
public struct ExactKind: ParsableVerifierKind, Equatable {
    public static let name = "exact"
    public static let fingerprintTag = "exact"

    public var caseSensitive: Bool
    public init(caseSensitive: Bool = false) { self.caseSensitive = caseSensitive }

    public var modelCallsPerVerification: [(model: String, calls: Int)] { [] }
    public var endpointCallsPerVerification: EndpointCalls? { nil }

    static func parse(_ v: YAMLCursor, parser: SuiteParser) throws -> Self {
        _ = try v.mapping(allowed: ["kind", "case_sensitive"])
        return Self(caseSensitive: try v.optional("case_sensitive").map { try $0.bool() } ?? false)
    }
}
