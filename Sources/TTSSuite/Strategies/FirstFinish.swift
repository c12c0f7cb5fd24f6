/// `kind: first_finish`: N samples, the answer of the one that finished first (fewest tokens).
public struct FirstFinishKind: ParsableStrategyKind, Equatable {
    public static let name = "first_finish"
    public static let fingerprintTag = "firstFinish"
    static let keys = ["n"]

    public var n: Int
    public init(n: Int) { self.n = n }

    static func parse(_ s: YAMLCursor, context: inout StrategyParseContext) throws -> Self {
        Self(n: try context.samples(s))
    }

    public var samplesPerItem: Int { n }
    public var label: String { "first_finish@\(n)" }
}
