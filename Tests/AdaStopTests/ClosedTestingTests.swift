// The closed test over equality partitions, its step-down over components for many systems, and
// early accept (futility). Error rates and power are measured by `stats-bench` (make bench), not
// here; these tests check the structure and the contracts.

import Testing
@testable import AdaStop

@Suite("Closed testing and early accept")
struct ClosedTestingTests {
    static func closedConfig(futility: Futility? = nil, interims: Int = 4) -> AdaStopConfig {
        AdaStopConfig(interims: interims, groupSize: 5, permutations: 2_000, alpha: 0.05, seed: 11, scheme: .closed,
                      futility: futility)
    }

    @Test("one hypothesis per partition with a compared pair: Bell(L) - 1 for all pairs, 2^(L-1) - 1 against a reference")
    func hypothesisCounts() throws {
        for (l, bell) in [(2, 2), (3, 5), (4, 15), (5, 52), (6, 203)] {
            let closed = try #require(ClosedTesting(agentCount: l, comparisons: Comparison.allPairs(agentCount: l),
                                                    permutations: 10, seed: 1))
            #expect(closed.hypotheses.count == bell - 1, "L = \(l)")
            // The global hypothesis comes first.
            #expect(closed.hypotheses[0].classes == [Array(0..<l)])
        }
        let star = try #require(ClosedTesting(agentCount: 5, comparisons: Comparison.toFirst(agentCount: 5), permutations: 10, seed: 1))
        #expect(star.hypotheses.count == 15)
        // "1 equals 2" is implied by {012}, {12}, and (with 3 and 4 elsewhere) nothing else for the pair (0, 1) only.
        let three = try #require(ClosedTesting(agentCount: 3, comparisons: Comparison.allPairs(agentCount: 3), permutations: 10, seed: 1))
        #expect(three.implying.map(\.count) == [2, 2, 2], "each pair: the global partition and its own two-class one")
        #expect(ClosedTesting(agentCount: 9, comparisons: Comparison.allPairs(agentCount: 9), permutations: 10, seed: 1) == nil)
    }

    @Test("a system far above two equal ones is separated at the first interim; the equal pair is not")
    func partialNull() throws {
        let scores = simulatedScores(agents: [0, 0, 5], count: 20, seed: 3)
        let result = try runAdaStop(scores: scores, comparisons: Comparison.allPairs(agentCount: 3), config: Self.closedConfig())
        let byPair = Dictionary(uniqueKeysWithValues: result.results.map { ($0.comparison, $0) })
        #expect(byPair[Comparison(0, 2)]?.decision == .smaller && byPair[Comparison(0, 2)]?.interim == 0)
        #expect(byPair[Comparison(1, 2)]?.decision == .smaller && byPair[Comparison(1, 2)]?.interim == 0)
        #expect(byPair[Comparison(0, 1)]?.decision == .equal)
        #expect(result.interims.allSatisfy { !$0.exact })
    }

    @Test("a two-system hypothesis enumerates its first block exactly: a clear pair is decided at interim 0")
    func exactFirstBlock() throws {
        // With n = 5 there are 252 splits; B = 2000 random draws would repeat the data's own split
        // about 16 times, and those ties alone would keep the boundary at the observed value.
        let scores = simulatedScores(agents: [0, 3], count: 20, seed: 12)
        let result = try runAdaStop(scores: scores, comparisons: [Comparison(0, 1)], config: Self.closedConfig())
        #expect(result.results[0].decision == .smaller && result.results[0].interim == 0)
        #expect(result.interims[0].paths == 252)
        // Later interims keep the resolution of B paths: 252 splits x 7 copies.
        let equal = simulatedScores(agents: [0, 0], count: 20, seed: 13)
        let open = try runAdaStop(scores: equal, comparisons: [Comparison(0, 1)], config: Self.closedConfig())
        #expect(open.interims.count >= 2)
        #expect(open.interims[1].paths > 252 && open.interims[1].paths <= 252 * 7)
    }

    @Test("closed testing is deterministic and independent of the thread count")
    func threadIndependence() throws {
        let scores = simulatedScores(agents: [0, 0.1, 0.25, 0.3], count: 20, seed: 5)
        var outcomes: [[ComparisonResult]] = []
        for threads in [1, 2, 4] {
            var test = try AdaStopTest(agentCount: 4, comparisons: Comparison.allPairs(agentCount: 4), config: Self.closedConfig())
            test.parallelism = threads
            test.minParallelWork = 1
            try test.runAvailable(scores: scores)
            outcomes.append(test.results)
        }
        #expect(outcomes[0] == outcomes[1] && outcomes[1] == outcomes[2])
    }

    @Test("beyond the enumerable size the test runs Holm over exact pairwise tests, with early accept")
    func beyondEnumeration() throws {
        let shifts: [Double] = [0, 0, 0, 0, 5, 5, 5, 5]
        let scores = simulatedScores(agents: shifts, count: 20, seed: 9)
        let comparisons = Comparison.allPairs(agentCount: 8)
        var test = try AdaStopTest(agentCount: 8, comparisons: comparisons, config: Self.closedConfig(futility: .standard))
        #expect(test.effectiveScheme == .holm)
        try test.runAvailable(scores: scores)
        for r in test.results {
            let across = (shifts[r.comparison.a] == 0) != (shifts[r.comparison.b] == 0)
            #expect(r.decision == (across ? .smaller : .equal), "\(r.comparison)")
            // One block's 252 splits cannot reach alpha / 28 / 4^3: the first decisions come at interim 1.
            if across { #expect(r.interim == 1, "\(r.comparison)") }
        }
        let small = try AdaStopTest(agentCount: 6, comparisons: Comparison.allPairs(agentCount: 6), config: Self.closedConfig())
        #expect(small.effectiveScheme == .closed)
    }

    @Test("early accept: identical scores are decided equal at the second interim and stop drawing seeds")
    func earlyAcceptIdentical() throws {
        let base = simulatedScores(agents: [0], count: 30, seed: 2)[0]
        for scheme in [PermutationScheme.closed, .pairwise, .joint] {
            var config = Self.closedConfig(futility: .standard, interims: 6)
            config.scheme = scheme
            let result = try runAdaStop(scores: [base, base], comparisons: [Comparison(0, 1)], config: config)
            // m = 5: 1.86·sqrt(2/5) = 1.18 > 0.9 sd; m = 10: 1.73·sqrt(2/10) = 0.77 < 0.9 sd.
            #expect(result.results[0].decision == .equal, "\(scheme)")
            #expect(result.results[0].interim == 1, "\(scheme)")
            #expect(result.scoresUsed == [10, 10], "\(scheme)")
        }
    }

    @Test("early accept never decides a clear difference equal, and is off in compatibility mode")
    func earlyAcceptContracts() throws {
        let scores = simulatedScores(agents: [0, 3], count: 30, seed: 4)
        let result = try runAdaStop(scores: scores, comparisons: [Comparison(0, 1)], config: Self.closedConfig(futility: .standard))
        #expect(result.results[0].decision == .smaller)
        let compat = AdaStopConfig(interims: 4, groupSize: 5, permutations: 2_000, rule: .adastop013, futility: .standard)
        #expect(throws: AdaStopError.self) { try compat.validate() }
        #expect(throws: AdaStopError.self) { try Futility(margin: .absolute(0), beta: 0.1).validate() }
        #expect(throws: AdaStopError.self) { try Futility(beta: 1).validate() }
    }

    @Test("in one permutation family an accepted pair stays in the statistic while another pair is open")
    func acceptedPairsStayInTheFamily() throws {
        // 0 and 1 identical (accepted at interim 1); 2 is 0.35 above on uniform noise: open longer.
        let base = simulatedScores(agents: [0], count: 30, seed: 6)[0]
        let other = simulatedScores(agents: [0.35], count: 30, seed: 7)[0]
        var config = Self.closedConfig(futility: .standard, interims: 6)
        config.scheme = .pairwise
        var test = try AdaStopTest(agentCount: 3, comparisons: Comparison.allPairs(agentCount: 3), config: config)
        _ = try test.runInterim(scores: [base, base, other])
        _ = try test.runInterim(scores: [base, base, other])
        let accepted = test.results.first { $0.comparison == Comparison(0, 1) }!
        #expect(accepted.decision == .equal && accepted.interim == 1)
        try #require(!test.isFinished && test.activeComparisons.contains(Comparison(0, 2)), "the data must leave (0, 2) open")
        // Systems 0 and 1 keep drawing seeds: their pair is still in the test's statistic.
        #expect(test.agentsNeedingScores == [0, 1, 2])
        #expect(!test.activeComparisons.contains(Comparison(0, 1)))
    }

    @Test("Student quantiles match tables to 1e-3")
    func studentQuantiles() {
        for (p, df, expected) in [(0.975, 10.0, 2.228139), (0.95, 8.0, 1.859548), (0.99, 20.0, 2.527977), (0.95, 58.0, 1.671553)] {
            #expect(abs(studentTQuantile(p, degreesOfFreedom: df) - expected) < 1e-3, "t(\(p), \(df))")
        }
    }
}
