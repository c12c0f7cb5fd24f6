import Testing
import AdaStop

/// The confidence-weighted adaptive vote over random orderings of a weighted pool
/// (`confidenceVoteExpectation`), against a brute-force average over every ordering.
@Suite struct ConfidenceVoteExpectationTests {
    /// Every ordering of 0..<n (Heap's algorithm).
    static func orderings(_ n: Int) -> [[Int]] {
        var out: [[Int]] = []
        var a = Array(0..<n)
        func generate(_ k: Int) {
            if k <= 1 { out.append(a); return }
            for i in 0..<k {
                generate(k - 1)
                a.swapAt(k % 2 == 0 ? i : 0, k - 1)
            }
        }
        generate(n)
        return out
    }

    /// The exact average over all N! orderings, and the spread over orderings of the accuracy and samples.
    static func bruteForce(answers: [Int?], weights: [Double?], correct: Set<Int>, stopping: AdaptiveStopping)
        -> (accuracy: Double, samples: Double, accuracySD: Double, samplesSD: Double) {
        let all = orderings(answers.count)
        var acc: [Double] = [], samples: [Double] = []
        for order in all {
            let r = confidenceVoteReading(answers: answers, weights: weights, order: order, stopping: stopping)
            acc.append(r.answer.map { correct.contains($0) ? 1 : 0 } ?? 0)
            samples.append(Double(r.samples))
        }
        func meanSD(_ x: [Double]) -> (Double, Double) {
            let m = x.reduce(0, +) / Double(x.count)
            return (m, (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count)).squareRoot())
        }
        let (a, sa) = meanSD(acc), (s, ss) = meanSD(samples)
        return (a, s, sa, ss)
    }

    static let pools: [(answers: [Int?], weights: [Double?], correct: Set<Int>)] = [
        ([1, 1, 2, 2, 1, nil, 3], [0.9, 0.3, 0.8, 0.7, 0.6, nil, 0.2], [1]),
        ([1, 2, 2, 1, 2, 1], [0.95, 0.2, 0.3, 0.7, 0.25, 0.9], [1]),
        ([4, 4, 4, 5, 6, 4, 5], [0.55, 0.4, 0.6, 0.9, 0.1, 0.5, 0.85], [5]),
        ([1, nil, 2, nil, 1], [0.7, nil, 0.4, nil, 0.2], [2]),
    ]

    /// On pools of N ≤ 7 the Monte Carlo average over 20 000 orderings is within 4 standard errors
    /// (spread over all orderings / √20 000) of the brute-force average over all N! orderings.
    @Test(arguments: [0.7, 0.9, 0.95])
    func monteCarloMatchesEveryOrdering(threshold: Double) {
        let draws = 20_000
        for (i, p) in Self.pools.enumerated() {
            for maxN in [3, p.answers.count] {
                let stopping = AdaptiveStopping(rule: .beta(threshold: threshold), maxN: maxN, minN: 2)
                let exact = Self.bruteForce(answers: p.answers, weights: p.weights, correct: p.correct, stopping: stopping)
                let mc = confidenceVoteExpectation(answers: p.answers, weights: p.weights, correctClasses: p.correct, stopping: stopping,
                                                   orders: draws, seed: UInt64(i))
                #expect(!mc.exact)
                let se = (accuracy: exact.accuracySD / Double(draws).squareRoot(), samples: exact.samplesSD / Double(draws).squareRoot())
                #expect(abs(mc.accuracy - exact.accuracy) <= 4 * se.accuracy + 1e-12, "pool \(i) maxN \(maxN): \(mc.accuracy) vs \(exact.accuracy)")
                #expect(abs(mc.samples - exact.samples) <= 4 * se.samples + 1e-12, "pool \(i) maxN \(maxN): \(mc.samples) vs \(exact.samples)")
                #expect(mc.rounds == mc.samples, "one sample a round")
            }
        }
    }

    /// With every weight equal, the weighted rule is the unweighted Beta rule: its average over
    /// all orderings equals the exact expectation of `adaptiveVoteExpectation` (ties: the earliest
    /// first vote wins, which over all orderings is the even split).
    @Test func equalWeightsGiveTheUnweightedRule() {
        for (i, p) in Self.pools.enumerated() {
            for w in [0.5, 0.73] {
                let weights = p.answers.map { $0 == nil ? nil : w } as [Double?]
                for threshold in [0.8, 0.95] {
                    let stopping = AdaptiveStopping(rule: .beta(threshold: threshold), maxN: p.answers.count, minN: 2)
                    let all = Self.bruteForce(answers: p.answers, weights: weights, correct: p.correct, stopping: stopping)
                    let unweighted = adaptiveVoteExpectation(answers: p.answers, correctClasses: p.correct, stopping: stopping)
                    #expect(unweighted.exact)
                    #expect(abs(all.accuracy - unweighted.accuracy) < 1e-9, "pool \(i): \(all.accuracy) vs \(unweighted.accuracy)")
                    #expect(abs(all.samples - unweighted.samples) < 1e-9, "pool \(i): \(all.samples) vs \(unweighted.samples)")
                }
            }
        }
    }

    /// The same inputs give the same value in every call (the draws depend on the seed only), and
    /// another seed gives other draws.
    @Test func deterministicAcrossCalls() {
        let p = Self.pools[0]
        let stopping = AdaptiveStopping(rule: .beta(threshold: 0.9), maxN: 7, minN: 2)
        let a = confidenceVoteExpectation(answers: p.answers, weights: p.weights, correctClasses: p.correct, stopping: stopping, orders: 500, seed: 3)
        let b = confidenceVoteExpectation(answers: p.answers, weights: p.weights, correctClasses: p.correct, stopping: stopping, orders: 500, seed: 3)
        #expect(a == b)
        let c = confidenceVoteExpectation(answers: p.answers, weights: p.weights, correctClasses: p.correct, stopping: stopping, orders: 500, seed: 4)
        #expect(a != c, "another seed draws other orderings")
    }

    /// The tally weighs each vote by its confidence relative to the mean: a confident lone vote
    /// can lead two hesitant ones, and equal confidences give the counts.
    @Test func theTallyWeighsVotesRelativeToTheMean() {
        var t = ConfidenceTally<String>(weighted: true)
        t.add("a", weight: 0.2)
        t.add("a", weight: 0.2)
        t.add("b", weight: 0.8)
        #expect(t.votes.map { ($0 * 1000).rounded() / 1000 } == [1.0, 2.0])
        #expect(t.leader?.key == "b")
        var equal = ConfidenceTally<String>(weighted: true)
        for k in ["x", "y", "x"] { equal.add(k, weight: 0.6) }
        #expect(equal.votes.map { ($0 * 1e9).rounded() / 1e9 } == [2, 1])
        var counts = ConfidenceTally<String>(weighted: false)
        for k in ["x", "y", "y"] { #expect(counts.add(k, weight: 0.9) == nil) }
        #expect(counts.votes == [1, 2])
        #expect(counts.leader?.key == "y")
    }
}
