// DesignCheck: designs that can never decide, the smallest sizes that can, and the power model.

import Testing
@testable import AdaStop

@Suite("Design check")
struct DesignCheckTests {
    static func ttsbench(n: Int, k: Int, alpha: Double = 0.05, b: Int = 10_000) -> AdaStopConfig {
        .ttsbench(interims: k, groupSize: n, permutations: b, alpha: alpha, seed: 7)
    }

    @Test("group size 2 with 1 or 2 interims never decides, under ttsbench's default test")
    func twoSeedsPerInterimCannotDecide() throws {
        for k in [1, 2] {
            let d = try DesignCheck.decidability(agentCount: 2, comparisons: [Comparison(0, 1)], config: Self.ttsbench(n: 2, k: k))
            #expect(!d.canDecide, "n = 2, K = \(k)")
        }
        // Nor with more systems: multiplicity only makes deciding harder.
        let d = try DesignCheck.decidability(agentCount: 4, comparisons: Comparison.allPairs(agentCount: 4),
                                             config: Self.ttsbench(n: 2, k: 2))
        #expect(!d.canDecide)
    }

    @Test("the smallest deciding sizes decide, and one less does not")
    func smallestSizes() throws {
        let config = Self.ttsbench(n: 2, k: 2)
        let sizes = try DesignCheck.smallestDecidingSizes(agentCount: 2, comparisons: [Comparison(0, 1)], config: config, limit: 12)
        let n = try #require(sizes.groupSize)
        let k = try #require(sizes.interims)
        #expect(n > 2 && k > 2)
        func decides(n: Int, k: Int) throws -> Bool {
            try DesignCheck.decidability(agentCount: 2, comparisons: [Comparison(0, 1)], config: Self.ttsbench(n: n, k: k)).canDecide
        }
        #expect(try decides(n: n, k: 2))
        #expect(try !decides(n: n - 1, k: 2))
        #expect(try decides(n: 2, k: k))
        #expect(try !decides(n: 2, k: k - 1))
    }

    @Test("one interim, exact pairwise test: decidable exactly when the smallest p-value 2 / C(2n, n) is at most alpha")
    func matchesTheSmallestAttainablePValue() throws {
        func choose(_ n: Int, _ k: Int) -> Double { (0..<k).reduce(1.0) { $0 * Double(n - $1) / Double($1 + 1) } }
        for alpha in [0.01, 0.05, 0.1, 0.2] {
            for n in 1...6 {
                // B above C(2n, n): the exact regime enumerates every split.
                let config = AdaStopConfig(interims: 1, groupSize: n, permutations: 10_000, alpha: alpha, seed: 1)
                let d = try DesignCheck.decidability(agentCount: 2, comparisons: [Comparison(0, 1)], config: config)
                let smallestP = 2 / choose(2 * n, n)
                #expect(d.canDecide == (smallestP <= alpha), "n = \(n), alpha = \(alpha), smallest p = \(smallestP)")
                if d.canDecide { #expect(d.firstDecidingInterim == 1) }
            }
        }
    }

    @Test("a design that decides does so on real separated data at the interim the check names")
    func firstInterimMatchesARealRun() throws {
        let config = Self.ttsbench(n: 3, k: 4)
        let d = try DesignCheck.decidability(agentCount: 2, comparisons: [Comparison(0, 1)], config: config)
        let first = try #require(d.firstDecidingInterim)
        let scores = [[0.9, 0.8, 0.85, 0.95, 0.9, 0.88, 0.91, 0.87, 0.9, 0.86, 0.92, 0.89],
                      [0.1, 0.2, 0.15, 0.12, 0.11, 0.14, 0.13, 0.1, 0.16, 0.12, 0.13, 0.11]]
        let run = try runAdaStop(scores: scores, comparisons: [Comparison(0, 1)], config: config)
        #expect(run.results[0].decision == .larger)
        #expect(run.results[0].interim.map { $0 + 1 } == first)
    }

    @Test("power: near 1 for a difference of many seed deviations, near the error level with none")
    func power() throws {
        let config = Self.ttsbench(n: 5, k: 4, b: 1000)
        let big = try DesignCheck.power(difference: 0.2, sd: 0.02, config: config, replications: 40)
        #expect(big.power >= 0.95)
        let none = try DesignCheck.power(difference: 0, sd: 0.02, config: config, replications: 40)
        #expect(none.power <= 0.15)
        #expect(none.standardError >= 0)
        // Reproducible: the same seed, the same estimate.
        let again = try DesignCheck.power(difference: 0, sd: 0.02, config: config, replications: 40)
        #expect(again.power == none.power)
        // A design that cannot decide has no power at all.
        let dead = try DesignCheck.power(difference: 0.2, sd: 0.02, config: Self.ttsbench(n: 2, k: 2, b: 1000), replications: 20)
        #expect(dead.power == 0)
    }
}
