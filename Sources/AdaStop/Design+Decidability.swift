// Whether a design (K interims of n scores, B permutations, alpha, the comparisons) can ever
// decide anything, and how much power it has: checked by running the test itself, through its
// public API, so the answer stays true whatever boundary or multiple-testing procedure the test
// uses.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks of a test design made before any score exists.
public enum DesignCheck {
    /// What the most separated data possible lead to.
    public struct Decidability: Sendable, Equatable {
        /// The first interim (1-based) at which some comparison is decided on the most separated
        /// scores possible; nil when none ever is: then no data can ever decide a comparison, and
        /// every pair ends "no difference detected" after K·n seeds each.
        public var firstDecidingInterim: Int?
        public var canDecide: Bool { firstDecidingInterim != nil }
    }

    /// Runs the test on the most separated scores possible, and reports the first interim at
    /// which it decides a comparison.
    ///
    /// Agent `i` scores `i` at every seed, so every compared pair's groups are completely
    /// separated at every interim: the observed statistic of the most separated pair is the
    /// largest value its permutation distribution takes, and its permutation p-value is the
    /// smallest any data can give (with n = 2, 2 of the C(4, 2) = 6 splits reach it: p = 1/3 at
    /// the first interim). A permutation test cannot reject below its smallest attainable
    /// p-value, so if these scores decide nothing, no scores can. Constant scores have no
    /// spread, so the early accept (which needs a small difference) never fires on them.
    ///
    /// The test is the one `AdaStopTest` runs for `config` (its scheme, rule, step-down or
    /// closed procedure, the alpha spending): the answer follows that procedure, never a
    /// formula that could drift from it. The cost is one run of the test.
    public static func decidability(agentCount: Int, comparisons: [Comparison], config: AdaStopConfig) throws -> Decidability {
        var test = try AdaStopTest(agentCount: agentCount, comparisons: comparisons, config: config)
        let length = config.interims * config.groupSize
        let scores = (0..<agentCount).map { [Double](repeating: Double($0), count: length) }
        while !test.isFinished {
            let record = try test.runInterim(scores: scores)
            let rejected = test.results.contains { $0.decision == .larger || $0.decision == .smaller }
            if rejected { return Decidability(firstDecidingInterim: record.interim + 1) }
        }
        return Decidability(firstDecidingInterim: nil)
    }

    /// The smallest designs that can decide, changing one size of `config` at a time: the
    /// smallest group size n with K kept, and the smallest number of interims K with n kept
    /// (each nil when none up to `limit` can). Every candidate is checked with `decidability`.
    public static func smallestDecidingSizes(agentCount: Int, comparisons: [Comparison], config: AdaStopConfig,
                                             limit: Int = 50) throws -> (groupSize: Int?, interims: Int?) {
        /// The smallest value up to `limit` of the size at `size` with which `config` can decide.
        func smallest(_ size: WritableKeyPath<AdaStopConfig, Int>) throws -> Int? {
            for value in 1...max(1, limit) {
                var c = config
                c[keyPath: size] = value
                if try decidability(agentCount: agentCount, comparisons: comparisons, config: c).canDecide { return value }
            }
            return nil
        }
        return (try smallest(\.groupSize), try smallest(\.interims))
    }

    /// Estimated power of one comparison: the share of `replications` two-system tests, on
    /// normal seed scores `difference` apart with seed standard deviation `sd`, that decide
    /// the better system better. Returns the estimate and its binomial standard error.
    ///
    /// Two systems are the smallest family: a suite comparing more systems has at most this
    /// power for that difference under a procedure holding the family-wise error. Scores come
    /// from SplitMix64 keyed by `seed` and the replication, so the estimate is reproducible.
    public static func power(difference: Double, sd: Double, config: AdaStopConfig, replications: Int = 200,
                             seed: UInt64 = 0) throws -> (power: Double, standardError: Double) {
        precondition(replications > 0, "power needs at least one replication")
        let length = config.interims * config.groupSize
        var wins = 0
        for r in 0..<replications {
            var rngA = SplitMix64(seed: seed, interim: 2 * r, index: 0x5EED)
            var rngB = SplitMix64(seed: seed, interim: 2 * r + 1, index: 0x5EED)
            let a = (0..<length).map { _ in difference + sd * standardNormal(&rngA) }
            let b = (0..<length).map { _ in sd * standardNormal(&rngB) }
            var test = try AdaStopTest(agentCount: 2, comparisons: [Comparison(0, 1)], config: config)
            test.parallelism = 1
            while !test.isFinished { _ = try test.runInterim(scores: [a, b]) }
            if test.results[0].decision == .larger { wins += 1 }
        }
        let p = Double(wins) / Double(replications)
        return (p, (p * (1 - p) / Double(replications)).squareRoot())
    }
}

/// A standard normal draw (Box-Muller on two uniforms in (0, 1)).
func standardNormal(_ rng: inout SplitMix64) -> Double {
    let u1 = (Double(rng.next() >> 11) + 0.5) / 9_007_199_254_740_992.0
    let u2 = (Double(rng.next() >> 11) + 0.5) / 9_007_199_254_740_992.0
    return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
}
