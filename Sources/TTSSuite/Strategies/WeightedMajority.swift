import TTSCore

/// `kind: weighted_majority`: N samples, each answer's votes weighted by a reward verifier's score.
public struct WeightedMajorityKind: ParsableStrategyKind, Equatable {
    public static let name = "weighted_majority"
    public static let fingerprintTag = "weightedMajority"
    static let keys = ["n", "scorer", "weighting"]

    public var n: Int
    public var scorer: String
    public var weighting: VoteWeighting
    public init(n: Int, scorer: String, weighting: VoteWeighting = .sigmoid) {
        self.n = n
        self.scorer = scorer
        self.weighting = weighting
    }

    static func parse(_ s: YAMLCursor, context: inout StrategyParseContext) throws -> Self {
        let n = try context.samples(s)
        let scorer = try context.scorer(s, kind: name)
        let weighting = try s.optional("weighting").map { VoteWeighting(rawValue: try $0.oneOf(VoteWeighting.allCases.map(\.rawValue)))! } ?? .sigmoid
        return Self(n: n, scorer: scorer, weighting: weighting)
    }

    public var samplesPerItem: Int { n }
    public func calls(temperature: Double, ownModel: String) -> StrategyCalls { .pooled(temperature, n, scorings: n) }
    public var scorerName: String? { scorer }
    public var label: String { "weighted_majority@\(n)" }
    public var variantBaseSamples: Int? { n }
}
