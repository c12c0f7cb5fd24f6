// Determinism, thread independence, behaviour under the null, numerics and API contracts.

import Testing
@testable import AdaStop

/// Deterministic test data: uniform scores in [0, 1) plus a per-agent shift.
func simulatedScores(agents shifts: [Double], count: Int, seed: UInt64) -> [[Double]] {
    shifts.enumerated().map { a, shift in
        var rng = SplitMix64(seed: seed, interim: 1_000 + a, index: 7)
        return (0..<count).map { _ in Double(rng.next() >> 11) / 9_007_199_254_740_992.0 + shift }
    }
}

@Suite("AdaStop behaviour")
struct AdaStopBehaviourTests {
    // Random regime from interim 0: n = 10 gives P = 184756 > B.
    static let randomConfig = AdaStopConfig(interims: 4, groupSize: 10, permutations: 3_000, alpha: 0.05, seed: 42)

    @Test("same seed, same results; a different seed changes the random boundaries")
    func determinism() throws {
        let scores = simulatedScores(agents: [0, 0.05, 0.1, 0.6], count: 40, seed: 1)
        let comps = Comparison.allPairs(agentCount: 4)
        let a = try runAdaStop(scores: scores, comparisons: comps, config: Self.randomConfig)
        let b = try runAdaStop(scores: scores, comparisons: comps, config: Self.randomConfig)
        #expect(a.results == b.results)
        #expect(a.interims == b.interims)
        #expect(a.scoresUsed == b.scoresUsed)
        #expect(a.interims.allSatisfy { !$0.exact })
        var other = Self.randomConfig
        other.seed = 43
        let c = try runAdaStop(scores: scores, comparisons: comps, config: other)
        #expect(c.interims.map(\.boundary) != a.interims.map(\.boundary), "the seed must drive the random splits")
    }

    @Test("large groups (2n > 64) use the shuffle sampler, also deterministically and thread-independently")
    func largeGroups() throws {
        let scores = simulatedScores(agents: [0, 0.1, 0.2], count: 80, seed: 8)
        let config = AdaStopConfig(interims: 2, groupSize: 40, permutations: 400, alpha: 0.05, seed: 3)
        var outcomes: [[InterimRecord]] = []
        for threads in [1, 2, 3] {
            var test = try AdaStopTest(agentCount: 3, comparisons: Comparison.allPairs(agentCount: 3), config: config)
            test.parallelism = threads
            test.minParallelWork = 0
            try test.runAvailable(scores: scores)
            outcomes.append(test.interims)
        }
        #expect(outcomes[0].count == 2)
        #expect(outcomes[1] == outcomes[0] && outcomes[2] == outcomes[0])
        #expect(throws: AdaStopError.self) {
            _ = try AdaStopTest(agentCount: 3, comparisons: Comparison.allPairs(agentCount: 3),
                                config: AdaStopConfig(permutations: 1_000_000_000))
        }
    }

    @Test("random and exact regimes give results independent of the thread count", arguments: [BoundaryRule.absolute, .adastop013])
    func threadIndependence(rule: BoundaryRule) throws {
        let scores = simulatedScores(agents: [0, 0.05, 0.1, 0.6, 0.02], count: 40, seed: 2)
        let comps = Comparison.allPairs(agentCount: 5)
        var configs = [Self.randomConfig]
        // Exact for two interims (P = 20, 20^2 < B), random afterwards.
        configs.append(AdaStopConfig(interims: 4, groupSize: 3, permutations: 2_000, alpha: 0.1, seed: 9))
        for var config in configs {
            config.rule = rule
            var outcomes: [([ComparisonResult], [InterimRecord])] = []
            for threads in [1, 2, 3, 5] {
                var test = try AdaStopTest(agentCount: 5, comparisons: comps, config: config)
                test.parallelism = threads
                test.minParallelWork = 0  // force the parallel paths even on small work
                try test.runAvailable(scores: scores.map { Array($0.prefix(config.interims * config.groupSize)) })
                outcomes.append((test.results, test.interims))
            }
            for o in outcomes.dropFirst() {
                #expect(o.0 == outcomes[0].0)
                #expect(o.1 == outcomes[0].1)
            }
        }
    }

    @Test("under the null the test says \"equal\" nearly always (absolute rule at level alpha)")
    func nullHypothesis() throws {
        let config = AdaStopConfig(interims: 2, groupSize: 5, permutations: 2_000, alpha: 0.05, seed: 5)
        var rejections = 0
        var compatRejections = 0
        let reps = 150
        for rep in 0..<reps {
            let scores = simulatedScores(agents: [0, 0], count: 10, seed: UInt64(100 + rep))
            let run = try runAdaStop(scores: scores, comparisons: [Comparison(0, 1)], config: config)
            if run.results[0].decision != .equal { rejections += 1 }
            var compat = config
            compat.rule = .adastop013
            let runCompat = try runAdaStop(scores: scores, comparisons: [Comparison(0, 1)], config: compat)
            if runCompat.results[0].decision != .equal { compatRejections += 1 }
            // At interim 0 (same paths, same spending) the absolute boundary is never below the
            // signed one, so an absolute rejection there is also a signed one.
            if run.results[0].decision != .equal && run.results[0].interim == 0 {
                #expect(runCompat.results[0].decision != .equal && runCompat.results[0].interim == 0)
            }
        }
        // Expected about 5% (absolute) and about 10% (signed, Q1); 150 reps.
        #expect(rejections <= 17, "absolute rule rejected \(rejections)/\(reps) null comparisons")
        #expect(compatRejections <= 30, "signed rule rejected \(compatRejections)/\(reps) null comparisons")
        #expect(compatRejections >= rejections)
    }

    @Test("a clear difference is decided at the first interim with the right sign")
    func clearDifference() throws {
        let scores = simulatedScores(agents: [0, 5, 0.0], count: 20, seed: 3)
        let comps = Comparison.allPairs(agentCount: 3)
        let run = try runAdaStop(scores: scores, comparisons: comps, config: Self.randomConfig)
        #expect(run.results[0].decision == .smaller)   // 0 vs 1
        #expect(run.results[0].interim == 0)
        #expect(run.results[2].decision == .larger)    // 1 vs 2
        #expect(run.results[2].interim == 0)
        // Agent 1 left after interim 0 while agents 0 and 2 continue.
        #expect(run.scoresUsed[1] == 10)
        #expect(run.scoresUsed[0] == run.scoresUsed[2])
    }

    @Test("joint permutation: deterministic, thread-independent, random from interim 0, and it finds a clear difference")
    func jointScheme() throws {
        var config = AdaStopConfig(interims: 4, groupSize: 3, permutations: 2_000, alpha: 0.05, seed: 11, scheme: .joint)
        let scores = simulatedScores(agents: [0, 0.05, 3, 0.02], count: 12, seed: 4)
        let comps = Comparison.allPairs(agentCount: 4)
        var outcomes: [([ComparisonResult], [InterimRecord])] = []
        for threads in [1, 2, 3] {
            var test = try AdaStopTest(agentCount: 4, comparisons: comps, config: config)
            test.parallelism = threads
            test.minParallelWork = 0
            try test.runAvailable(scores: scores)
            outcomes.append((test.results, test.interims))
        }
        #expect(outcomes[1].0 == outcomes[0].0 && outcomes[2].0 == outcomes[0].0)
        #expect(outcomes[1].1 == outcomes[0].1 && outcomes[2].1 == outcomes[0].1)
        let interims = outcomes[0].1
        // Pairwise would enumerate C(6, 3) = 20 splits exactly here; joint always samples, N = B.
        #expect(interims.allSatisfy { !$0.exact && $0.normalization == 2_000 })
        let results = outcomes[0].0
        for (i, c) in comps.enumerated() where c.a == 2 || c.b == 2 {
            #expect(results[i].decision == (c.a == 2 ? .larger : .smaller), "\(c)")
        }
        // Another seed draws other permutations (the boundaries move).
        config.seed = 12
        let other = try runAdaStop(scores: scores, comparisons: comps, config: config)
        #expect(other.interims.map(\.boundary) != interims.map(\.boundary))
        // The reference's signed rule is defined for pairs only.
        config.rule = .adastop013
        #expect(throws: AdaStopError.self) { _ = try AdaStopTest(agentCount: 4, comparisons: comps, config: config) }
        // A block of 7 x 10,000 scores cannot be indexed.
        let huge = AdaStopConfig(interims: 1, groupSize: 10_000, permutations: 10, scheme: .joint)
        #expect(throws: AdaStopError.self) { _ = try AdaStopTest(agentCount: 7, comparisons: Comparison.allPairs(agentCount: 7), config: huge) }
    }

    @Test("joint permutation under the null: the observed path is one of B exchangeable ones")
    func jointNull() throws {
        // Identical score vectors: every comparison's statistic is 0, never above a boundary.
        let same = simulatedScores(agents: [0], count: 15, seed: 6)[0]
        let config = AdaStopConfig(interims: 3, groupSize: 5, permutations: 1_000, alpha: 0.05, seed: 1, scheme: .joint)
        let run = try runAdaStop(scores: [same, same, same], comparisons: Comparison.allPairs(agentCount: 3), config: config)
        #expect(run.results.allSatisfy { $0.decision == .equal && $0.interim == 2 })
        // Equal agents: rejections stay near alpha (3 agents, 3 comparisons, 120 repetitions).
        var rejections = 0
        for rep in 0..<120 {
            let scores = simulatedScores(agents: [0, 0, 0], count: 15, seed: UInt64(500 + rep))
            var c = config
            c.seed = UInt64(rep)
            let r = try runAdaStop(scores: scores, comparisons: Comparison.allPairs(agentCount: 3), config: c)
            if r.results.contains(where: { $0.decision != .equal }) { rejections += 1 }
        }
        #expect(rejections <= 14, "joint scheme rejected in \(rejections)/120 null repetitions")
    }

    @Test("NumPy pairwise summation order")
    func numpySummation() {
        // Values where the order matters in double precision.
        var v: [Double] = []
        for i in 0..<300 { v.append(i % 3 == 0 ? 1e16 : (i % 3 == 1 ? 1.0 : -1e16)) }
        v.withUnsafeBufferPointer { p in
            // < 8: left to right.
            #expect(numpySum(p.baseAddress!, 3) == ((0.0 + 1e16) + 1.0) + -1e16)
            // 8..128: eight accumulators over the multiple-of-8 prefix, then the tail.
            var x = [Double](repeating: 1, count: 17)
            x[0] = 1e16
            x[8] = -1e16
            x[16] = 3
            x.withUnsafeBufferPointer { q in
                // r0 = 1e16 + -1e16 = 0, r1...r7 = 2; then + 3. Left to right would lose the ones.
                #expect(numpySum(q.baseAddress!, 17) == 17)
                // The first 8 only, then the tail of 2 added left to right.
                let x2: [Double] = [1, 2, 3, 4, 5, 6, 7, 1e16, 1, 1]
                x2.withUnsafeBufferPointer { z in
                    #expect(numpySum(z.baseAddress!, 10) == ((((1.0 + 2) + (3 + 4)) + ((5 + 6) + (7 + 1e16))) + 1) + 1)
                }
            }
            // > 128 splits at a multiple of 8 and recurses.
            let n = 300
            var half = n / 2
            half -= half % 8
            #expect(numpySum(p.baseAddress!, n) == numpySum(p.baseAddress!, half) + numpySum(p.baseAddress! + half, n - half))
        }
    }

    @Test("sums and means equal NumPy 2.4's np.sum / np.mean bit for bit")
    func numpyValues() {
        let scale = [1e-2, 1e-1, 1.0, 1e1, 1e3]
        let x = (0..<300).map { Double(($0 * 7919) % 1000) / 7.0 * scale[$0 % 5] }
        // (length, np.sum(x[:L]), np.mean(x[:L])) printed by NumPy 2.4.6; plain left-to-right
        // summation differs at 129, 257 and 300.
        let expected: [(Int, Double, Double)] = [
            (3, 132.84285714285713, 44.28095238095238), (7, 97793.89285714286, 13970.55612244898),
            (8, 97855.75, 12231.96875), (9, 98358.60714285714, 10928.734126984127),
            (15, 262145.8642857143, 17476.390952380953), (16, 262146.9857142857, 16384.186607142856),
            (17, 262157.04285714286, 15421.002521008404), (100, 1383250.5, 13832.505),
            (127, 1791151.5214285713, 14103.555286839144), (128, 1791253.3785714284, 13994.167020089284),
            (129, 1792156.2357142856, 13892.68399778516), (200, 2909371.0, 14546.855),
            (257, 3627359.7857142854, 14114.240411339631), (300, 4292765.785714285, 14309.219285714285),
        ]
        for (length, sum, mean) in expected {
            let got = x.withUnsafeBufferPointer { numpySum($0.baseAddress!, length) }
            #expect(got == sum, "np.sum of \(length) values")
            #expect(numpyMean(x[0..<length]) == mean, "np.mean of \(length) values")
            let idx = (0..<length).map { UInt16($0) }
            let indexed = x.withUnsafeBufferPointer { w in
                idx.withUnsafeBufferPointer { numpySumIndexed(w.baseAddress!, $0.baseAddress!, length) }
            }
            #expect(indexed == sum, "indexed np.sum of \(length) values")
        }
    }

    @Test("selection returns the order statistic")
    func selection() {
        var rng = SplitMix64(seed: 11, interim: 0, index: 0)
        for count in [1, 2, 5, 17, 100, 1_000] {
            let values = (0..<count).map { _ in Double(rng.next(below: 50)) }  // many ties
            let sorted = values.sorted()
            for rank in Set([0, count / 3, count / 2, count - 1]) {
                var copy = values
                let got = copy.withUnsafeMutableBufferPointer { selectRank($0.baseAddress!, count: count, rank: rank) }
                #expect(got == sorted[rank])
            }
        }
    }

    @Test("binomials and powers saturate instead of overflowing")
    func integerHelpers() {
        #expect(centralBinomial(1) == 2)
        #expect(centralBinomial(3) == 20)
        #expect(centralBinomial(5) == 252)
        #expect(centralBinomial(10) == 184_756)
        #expect(centralBinomial(40) == Int.max)
        #expect(saturatingPower(252, 2) == 63_504)
        #expect(saturatingPower(184_756, 5) == Int.max)
    }

    @Test("the reference's normalisation in compatibility mode (Q2) and the corrected one")
    func normalisation() throws {
        // n = 10, B = 10000: random from interim 0. Reference N = 1 at k >= 1; corrected N = B.
        let base = simulatedScores(agents: [0], count: 30, seed: 4)[0]
        let scores = [base, (0..<3).flatMap { Array(base[($0 * 10)..<($0 * 10 + 10)].reversed()) }]
        var config = AdaStopConfig(interims: 3, groupSize: 10, permutations: 10_000, alpha: 0.05, seed: 1)
        let abs = try runAdaStop(scores: scores, comparisons: [Comparison(0, 1)], config: config)
        config.rule = .adastop013
        let compat = try runAdaStop(scores: scores, comparisons: [Comparison(0, 1)], config: config)
        #expect(abs.interims.map(\.normalization) == [10_000, 10_000, 10_000])
        #expect(compat.interims.map(\.normalization) == [10_000, 1, 1])
        #expect(compat.interims.dropFirst().allSatisfy { $0.levelAdded == 0 })
        // n = 5, B = 2000: exact at interim 0 (P = 252), random after with N = 252 in both.
        // Agent 1 = agent 0 with each block reversed: T = 0, so nothing is decided before K-1.
        let base5 = simulatedScores(agents: [0], count: 15, seed: 4)[0]
        let scores5 = [base5, (0..<3).flatMap { Array(base5[($0 * 5)..<($0 * 5 + 5)].reversed()) }]
        config = AdaStopConfig(interims: 3, groupSize: 5, permutations: 2_000, alpha: 0.05, seed: 1)
        let a5 = try runAdaStop(scores: scores5, comparisons: [Comparison(0, 1)], config: config)
        #expect(a5.interims.map(\.exact) == [true, false, false])
        #expect(a5.interims.map(\.normalization) == [252, 252, 252])
        // Cumulative spending never exceeds alpha (k+1)/K.
        for rec in a5.interims {
            #expect(rec.levelSpent <= 0.05 * Double(rec.interim + 1) / 3 + 1e-15)
        }
    }

    @Test("invalid set-ups and inputs give typed errors")
    func errors() throws {
        let cfg = AdaStopConfig(interims: 2, groupSize: 2, permutations: 100, alpha: 0.05)
        #expect(throws: AdaStopError.tooFewAgents(count: 1)) {
            _ = try AdaStopTest(agentCount: 1, comparisons: [], config: cfg)
        }
        #expect(throws: AdaStopError.noComparisons) {
            _ = try AdaStopTest(agentCount: 2, comparisons: [], config: cfg)
        }
        #expect(throws: AdaStopError.duplicateComparison(Comparison(1, 0))) {
            _ = try AdaStopTest(agentCount: 2, comparisons: [Comparison(0, 1), Comparison(1, 0)], config: cfg)
        }
        #expect(throws: AdaStopError.self) {
            _ = try AdaStopTest(agentCount: 2, comparisons: [Comparison(0, 2)], config: cfg)
        }
        var bad = cfg
        bad.alpha = 1.5
        #expect(throws: AdaStopError.self) { _ = try AdaStopTest(agentCount: 2, comparisons: [Comparison(0, 1)], config: bad) }
        var test = try AdaStopTest(agentCount: 2, comparisons: [Comparison(0, 1)], config: cfg)
        #expect(throws: AdaStopError.notEnoughScores(agent: 0, needed: 2, available: 1)) {
            _ = try test.runInterim(scores: [[1], [1, 2]])
        }
        #expect(throws: AdaStopError.nonFiniteScore(agent: 1, index: 1)) {
            _ = try test.runInterim(scores: [[1, 2], [1, .nan]])
        }
        #expect(throws: AdaStopError.wrongAgentCount(expected: 2, got: 3)) {
            _ = try test.runInterim(scores: [[1, 2], [1, 2], [3, 4]])
        }
        #expect(test.currentInterim == 0, "a failed call must not advance the test")
        #expect(AdaStopError.notEnoughScores(agent: 0, needed: 2, available: 1).description.contains("needs 2"))
    }

    @Test("copies of a test are independent (copy on write of the path buffers)")
    func copySemantics() throws {
        let scores = simulatedScores(agents: [0, 0.02, 0.04], count: 40, seed: 6)
        var a = try AdaStopTest(agentCount: 3, comparisons: Comparison.allPairs(agentCount: 3), config: Self.randomConfig)
        _ = try a.runInterim(scores: scores)
        var b = a
        let recA = try a.runInterim(scores: scores)
        #expect(b.currentInterim == 1)
        let recB = try b.runInterim(scores: scores)
        #expect(recA == recB)
        var c = b
        try b.runAvailable(scores: scores)
        try c.runAvailable(scores: scores)
        try a.runAvailable(scores: scores)
        #expect(b.results == c.results && a.results == b.results)
        #expect(b.interims == c.interims && a.interims == b.interims)
    }

    @Test("constant data: nothing is decided before the last interim, then equal")
    func constantData() throws {
        let scores = [[Double]](repeating: Array(repeating: 1.0, count: 9), count: 3)
        for rule in [BoundaryRule.absolute, .adastop013] {
            let cfg = AdaStopConfig(interims: 3, groupSize: 3, permutations: 10_000, alpha: 0.05, rule: rule)
            let run = try runAdaStop(scores: scores, comparisons: Comparison.allPairs(agentCount: 3), config: cfg)
            #expect(run.results.allSatisfy { $0.decision == .equal && $0.interim == 2 })
            #expect(run.interims.count == 3)
        }
    }
}
