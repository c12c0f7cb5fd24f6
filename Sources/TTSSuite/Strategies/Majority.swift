/// `kind: majority`: N samples, the most common answer.
public struct MajorityKind: ParsableStrategyKind, Equatable {
    public static let name = "majority"
    public static let fingerprintTag = "majority"
    static let keys = ["n"]

    public var n: Int
    public init(n: Int) { self.n = n }

    static func parse(_ s: YAMLCursor, context: inout StrategyParseContext) throws -> Self {
        Self(n: try context.samples(s))
    }

    public var samplesPerItem: Int { n }
    public func calls(temperature: Double, ownModel: String) -> StrategyCalls { .pooled(temperature, n) }
    public var label: String { "majority@\(n)" }
    public var variantBaseSamples: Int? { n }
}
