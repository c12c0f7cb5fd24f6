/// `kind: last_finish`: N samples in parallel; the majority among the `k` that finish last,
/// i.e. the longest traces (LFS-k@N of "First Finish Search", Agarwal et al. 2025, the
/// baseline that bets on longer reasoning). It waits for every sample.
public struct LastFinishKind: FinishOrderKind, Equatable {
    public static let name = "last_finish"
    public static let fingerprintTag = "lastFinish"
    /// Samples drawn, and how many of the last to finish vote (1...n).
    public var n: Int, k: Int
    public init(n: Int, k: Int = 1) { (self.n, self.k) = (n, k) }
    public var label: String { "last_finish-\(k)@\(n)" }
}
