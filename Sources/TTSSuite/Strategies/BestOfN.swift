/// `kind: best_of_n`: N samples, the one a reward verifier (`scorer`) scores highest.
public struct BestOfNKind: ParsableStrategyKind, Equatable {
    public static let name = "best_of_n"
    public static let fingerprintTag = "bestOfN"
    static let keys = ["n", "scorer"]

    public var n: Int
    public var scorer: String
    public init(n: Int, scorer: String) {
        self.n = n
        self.scorer = scorer
    }

    static func parse(_ s: YAMLCursor, context: inout StrategyParseContext) throws -> Self {
        let n = try context.samples(s)
        return Self(n: n, scorer: try context.scorer(s, kind: name))
    }

    public var samplesPerItem: Int { n }
    public func calls(temperature: Double, ownModel: String) -> StrategyCalls { .pooled(temperature, n, scorings: n) }
    public var scorerName: String? { scorer }
    public var label: String { "best_of_n@\(n)" }
    public var variantBaseSamples: Int? { n }
}
