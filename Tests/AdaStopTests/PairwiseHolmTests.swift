// Holm's step-down over exact pairwise permutation tests (`PermutationScheme.holm`, and the
// closed test's fallback beyond its enumerable size). Error rates and power are measured by
// `stats-bench`; these tests check exactness and the contracts.

import Testing
@testable import AdaStop

@Suite("Holm over exact pairwise tests")
struct PairwiseHolmTests {
    static func holmConfig(interims: Int = 4, groupSize: Int = 5, alpha: Double = 0.05, futility: Futility? = nil) -> AdaStopConfig {
        AdaStopConfig(interims: interims, groupSize: groupSize, permutations: 1_000, alpha: alpha, seed: 3, scheme: .holm,
                      futility: futility)
    }

    @Test("a block's split distribution is the subset-sum count of every split")
    func splitDistribution() {
        let first = [3, 9, 0, 4], second = [7, 7, 1, 12]
        let w = first + second
        let block = PairwiseHolm.splitDistribution(first: first, second: second)
        var counts = [Int: Int]()
        var total = 0
        for mask in 0..<(1 << 8) where mask.nonzeroBitCount == 4 {
            counts[(0..<8).filter { mask & (1 << $0) != 0 }.map { w[$0] }.reduce(0, +), default: 0] += 1
            total += 1
        }
        #expect(total == 70)
        for (i, p) in block.probs.enumerated() {
            #expect(abs(p - Double(counts[block.low + i] ?? 0) / 70) < 1e-12, "sum \(block.low + i)")
        }
        #expect(block.total == w.reduce(0, +) && block.observed == 16)
    }

    @Test("exact: over every relabelling of the data, the pair test rejects at most alpha of them")
    func exactOverRelabellings() throws {
        // Three blocks of 2 + 2 scores: 6 splits per block, 216 relabellings of the same pooled data.
        let pooled: [[Double]] = [[0.11, 0.52, 0.37, 0.94], [0.25, 0.83, 0.61, 0.08], [0.47, 0.72, 0.15, 0.99]]
        let splits = (0..<16).filter { $0.nonzeroBitCount == 2 }
        for alpha in [0.2, 0.35] {
            var rejected = 0, total = 0
            for s0 in splits { for s1 in splits { for s2 in splits {
                var a: [Double] = [], b: [Double] = []
                for (block, mask) in zip(pooled, [s0, s1, s2]) {
                    for i in 0..<4 { if mask & (1 << i) != 0 { a.append(block[i]) } else { b.append(block[i]) } }
                }
                let result = try runAdaStop(scores: [a, b], comparisons: [Comparison(0, 1)],
                                            config: Self.holmConfig(interims: 3, groupSize: 2, alpha: alpha))
                if result.results[0].decision != .equal { rejected += 1 }
                total += 1
            } } }
            #expect(total == 216)
            #expect(rejected > 0, "alpha \(alpha): the test can decide")
            #expect(Double(rejected) <= alpha * 216 + 1e-9, "alpha \(alpha): \(rejected) of 216 relabellings rejected")
        }
    }

    @Test("20 systems: every clear difference is found in the right direction, and the default runs Holm")
    func twentySystems() throws {
        let shifts = (0..<20).map { Double($0) * 2 }
        let scores = simulatedScores(agents: shifts, count: 30, seed: 21)
        let comparisons = Comparison.allPairs(agentCount: 20)
        var closed = ClosedTestingTests.closedConfig(futility: .standard, interims: 6)
        closed.permutations = 10_000
        #expect(AdaStopTest.effectiveScheme(agentCount: 20, comparisons: comparisons, config: closed) == .holm)
        #expect(AdaStopTest.effectiveScheme(agentCount: 3, comparisons: Comparison.allPairs(agentCount: 3), config: closed) == .closed)
        let result = try runAdaStop(scores: scores, comparisons: comparisons, config: closed)
        // Spending ((k+1)/K)^3 of alpha/190: 1.1e-5 by interim 1, below the smallest tail of two
        // blocks (2/252^2 = 3.1e-5); 3.3e-5 by interim 2, above that of three.
        for r in result.results {
            #expect(r.decision == .smaller, "\(r.comparison)")
            #expect(r.interim == 2, "\(r.comparison)")
        }
        #expect(result.scoresUsed.allSatisfy { $0 == 15 })
        let procedure = Procedure(agentCount: 20, comparisons: comparisons, config: closed)
        #expect(procedure.key == "holm" && procedure.strong)
    }

    @Test("a zero-variance system: decided against a clear one, never against its own copy")
    func zeroVariance() throws {
        let constant = [Double](repeating: 0.5, count: 20)
        let other = [Double](repeating: 0.6, count: 20)
        let noisy = simulatedScores(agents: [2], count: 20, seed: 8)[0]
        for scheme in [PermutationScheme.holm, .closed] {
            var config = Self.holmConfig()
            config.scheme = scheme
            // Constant against a different constant: the data's split is the most extreme of 252
            // (2/252 = 0.0079: within closed testing's alpha/K at interim 0, above Holm's alpha/K^3).
            let two = try runAdaStop(scores: [constant, other], comparisons: [Comparison(0, 1)], config: config)
            #expect(two.results[0].decision == .smaller && two.results[0].interim == (scheme == .holm ? 1 : 0), "\(scheme)")
            // Constant against noisy scores far above.
            let three = try runAdaStop(scores: [constant, noisy, other], comparisons: Comparison.allPairs(agentCount: 3), config: config)
            #expect(three.results.map(\.decision) == [.smaller, .smaller, .larger], "\(scheme)")
            // Two identical constants: the statistic is 0 on every split, no decision ...
            let same = try runAdaStop(scores: [constant, constant], comparisons: [Comparison(0, 1)], config: config)
            #expect(same.results[0].decision == .equal && same.results[0].interim == 3, "\(scheme)")
            // ... and early accept calls them equal at once (the difference is known to be 0).
            config.futility = .standard
            let accepted = try runAdaStop(scores: [constant, constant], comparisons: [Comparison(0, 1)], config: config)
            #expect(accepted.results[0].decision == .equal && accepted.results[0].interim == 0, "\(scheme)")
            #expect(accepted.scoresUsed == [5, 5], "\(scheme)")
        }
    }

    @Test("Holm's level is recycled: once one pair is rejected the others are tested at a higher level")
    func recycling() throws {
        // Three systems: a far below b and c; b and c one step apart. Under Holm with 3 pairs the
        // first level is alpha / 3, then alpha / 2, then alpha.
        let scores = simulatedScores(agents: [0, 5, 5.6], count: 20, seed: 5)
        var test = try AdaStopTest(agentCount: 3, comparisons: Comparison.allPairs(agentCount: 3), config: Self.holmConfig())
        try test.runAvailable(scores: scores)
        #expect(test.results[0].decision == .smaller && test.results[1].decision == .smaller)
        #expect(test.interims.first!.levelSpent <= 0.05)
        let levels = test.interims.map(\.levelSpent)
        #expect(levels.first! < 0.05 && levels.last! > levels.first!)
    }
}
