/// `kind: first_finish`: N samples in parallel; the majority among the first `k` to finish
/// (FFS-k@N of "First Finish Search", Agarwal et al. 2025). `k: 1` (the default) keeps the
/// answer of the first sample to finish.
public struct FirstFinishKind: FinishOrderKind, Equatable {
    public static let name = "first_finish"
    public static let fingerprintTag = "firstFinish"
    public var n: Int
    /// How many of the first samples to finish vote (1...n).
    public var k: Int
    public init(n: Int, k: Int = 1) {
        self.n = n
        self.k = k
    }

    public var label: String { k == 1 ? "first_finish@\(n)" : "first_finish-\(k)@\(n)" }

    // k = 1 encodes as before `k` existed, so recorded fingerprints stay valid.
    enum CodingKeys: String, CodingKey { case n, k }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(n, forKey: .n)
        if k != 1 { try c.encode(k, forKey: .k) }
    }
}

/// N samples in parallel of which `k` vote, chosen by the order they finish in (`first_finish`,
/// `last_finish`): the same keys (`n`, `k`) and parsing.
protocol FinishOrderKind: ParsableStrategyKind {
    var n: Int { get }
    var k: Int { get }
    init(n: Int, k: Int)
}

extension FinishOrderKind {
    static var keys: [String] { ["n", "k"] }

    static func parse(_ s: YAMLCursor, context: inout StrategyParseContext) throws -> Self {
        let (n, k) = try context.samplesAndVoters(s)
        return Self(n: n, k: k)
    }

    public var samplesPerItem: Int { n }
    public func calls(temperature: Double, ownModel: String) -> StrategyCalls { .pooled(temperature, n) }
}
