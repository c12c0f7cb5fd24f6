/// `kind: last_finish`: N samples in parallel; the majority among the `k` that finish last,
/// i.e. the longest traces (LFS-k@N of "First Finish Search", Agarwal et al. 2025, the
/// baseline that bets on longer reasoning). It waits for every sample.
public struct LastFinishKind: ParsableStrategyKind, Equatable {
    public static let name = "last_finish"
    public static let fingerprintTag = "lastFinish"
    static let keys = ["n", "k"]

    public var n: Int
    /// How many of the last samples to finish vote (1...n).
    public var k: Int
    public init(n: Int, k: Int = 1) {
        self.n = n
        self.k = k
    }

    static func parse(_ s: YAMLCursor, context: inout StrategyParseContext) throws -> Self {
        let (n, k) = try context.samplesAndVoters(s)
        return Self(n: n, k: k)
    }

    public var samplesPerItem: Int { n }
    public var label: String { "last_finish-\(k)@\(n)" }
}
