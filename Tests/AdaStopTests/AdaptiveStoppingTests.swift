import Testing
import AdaStop

/// The stopping rules of the adaptive votes and the exact expectation over orderings of a pool.
@Suite struct AdaptiveStoppingTests {
    /// Adaptive-Consistency's Beta rule at 0.95: four unanimous votes stop (1 − 2⁻⁵ = 0.969), three do not (0.9375).
    @Test func theBetaRuleStopsAfterFourUnanimousVotes() {
        #expect(abs(betaLeaderProbability(top: 4, second: 0) - (1 - 1.0 / 32)) < 1e-12)
        #expect(abs(betaLeaderProbability(top: 3, second: 0) - 0.9375) < 1e-12)
        #expect(abs(betaLeaderProbability(top: 2, second: 2) - 0.5) < 1e-12)
        let ac = AdaptiveStopping(rule: .beta(threshold: 0.95), maxN: 16)
        #expect(!ac.shouldStop(read: 3, votes: [3]))
        #expect(ac.shouldStop(read: 4, votes: [4]))
        #expect(!ac.shouldStop(read: 6, votes: [5, 1]))   // P = 0.9375
        #expect(ac.shouldStop(read: 7, votes: [6, 1]))    // P = 0.9648
        #expect(ac.shouldStop(read: 16, votes: [8, 8]), "at max_n reading stops whatever the rule says")
        let withMinimum = AdaptiveStopping(rule: .beta(threshold: 0.95), maxN: 16, minN: 6)
        #expect(!withMinimum.shouldStop(read: 5, votes: [5]))
    }

    /// Weighted votes use the incomplete beta function, which agrees with the binomial sum on whole counts.
    @Test func theIncompleteBetaAgreesWithTheExactSum() {
        for top in 0...12 {
            for second in 0...top {
                let exact = betaLeaderProbability(top: Double(top), second: Double(second))
                let continued = regularizedIncompleteBeta(x: 0.5, a: Double(second + 1), b: Double(top + 1))
                #expect(abs(exact - continued) < 1e-9, "\(top)-\(second): \(exact) vs \(continued)")
            }
        }
        // Monotone in the leader's weight.
        #expect(betaLeaderProbability(top: 4.5, second: 1) > betaLeaderProbability(top: 4.4, second: 1))
    }

    /// With two answers the Dirichlet rule is the Beta rule; a third answer lowers the leader's probability.
    @Test func theDirichletRuleReducesToTheBetaRule() {
        for (a, b) in [(3, 0), (4, 1), (6, 2), (5, 5)] {
            let d = dirichletLeaderProbability(votes: [Double(a), Double(b)])
            #expect(abs(d - betaLeaderProbability(top: Double(a), second: Double(b))) < 1e-7, "\(a)-\(b): \(d)")
        }
        #expect(abs(dirichletLeaderProbability(votes: [4]) - betaLeaderProbability(top: 4, second: 0)) < 1e-7)
        #expect(dirichletLeaderProbability(votes: [5, 2, 2]) < dirichletLeaderProbability(votes: [5, 2]))
    }

    /// Every ordering of a small pool, read by the rule step by step, averaged: the dynamic program must match.
    func bruteForce(_ answers: [Int?], correct: Set<Int>, _ stopping: AdaptiveStopping) -> (Double, Double, Double) {
        var acc = 0.0, samples = 0.0, rounds = 0.0, orders = 0.0
        func permutations(_ a: [Int?]) -> [[Int?]] {
            if a.count <= 1 { return [a] }
            var out: [[Int?]] = []
            for i in a.indices {
                var rest = a
                let x = rest.remove(at: i)
                for p in permutations(rest) { out.append([x] + p) }
            }
            return out
        }
        for order in permutations(answers) {
            orders += 1
            var counts: [Int: Int] = [:]
            var window: [Int?] = []
            for (t, a) in order.prefix(stopping.maxN).enumerated() {
                if let a { counts[a, default: 0] += 1 }
                window.append(a)
                let read = t + 1
                guard read % stopping.roundSize == 0 || read == stopping.maxN else { continue }
                let unanimous = !window.contains(where: { $0 == nil }) && Set(window.compactMap { $0 }).count == 1
                window = []
                if stopping.shouldStop(read: read, votes: counts.keys.sorted().map { counts[$0]! }, lastRoundUnanimous: unanimous) {
                    let top = counts.values.max() ?? 0
                    let tied = counts.filter { $0.value == top && top > 0 }.map(\.key)
                    acc += tied.isEmpty ? 0 : Double(tied.filter(correct.contains).count) / Double(tied.count)
                    samples += Double(read)
                    rounds += Double((read + stopping.roundSize - 1) / stopping.roundSize)
                    break
                }
            }
        }
        return (acc / orders, samples / orders, rounds / orders)
    }

    @Test(arguments: [
        [1, 1, 1, 2, 2, nil, 1],
        [1, 2, 3, 1, 2, 1, 4],
        [1, 1, 1, 1, 1, 2, 2],
        [nil, nil, 1, 2, 2, 3],
    ] as [[Int?]])
    func theExactExpectationMatchesEveryOrdering(_ pool: [Int?]) {
        let rules: [AdaptiveStopping] = [
            AdaptiveStopping(rule: .beta(threshold: 0.9), maxN: pool.count),
            AdaptiveStopping(rule: .beta(threshold: 0.7), maxN: pool.count - 1, minN: 2),
            AdaptiveStopping(rule: .dirichlet(threshold: 0.8), maxN: pool.count),
            AdaptiveStopping(rule: .unanimousWindow(size: 2), maxN: pool.count),
            AdaptiveStopping(rule: .unanimousWindow(size: 3), maxN: pool.count),
        ]
        for rule in rules {
            let e = adaptiveVoteExpectation(answers: pool, correctClasses: [1], stopping: rule)
            let (acc, samples, rounds) = bruteForce(pool, correct: [1], rule)
            #expect(e.exact)
            #expect(abs(e.accuracy - acc) < 1e-9, "\(rule): accuracy \(e.accuracy) vs \(acc)")
            #expect(abs(e.samples - samples) < 1e-9, "\(rule): samples \(e.samples) vs \(samples)")
            #expect(abs(e.rounds - rounds) < 1e-9, "\(rule): rounds \(e.rounds) vs \(rounds)")
        }
    }

    /// A rule that never stops early reads max N and is maj@N; the Monte Carlo fallback lands near the exact value.
    @Test func reducesToMajorityAndTheFallbackIsClose() {
        let pool: [Int?] = [1, 1, 2, 3, 1, 2, nil, 1, 4, 2, 1, 5]
        let never = AdaptiveStopping(rule: .unanimousWindow(size: 12), maxN: 12)
        let e = adaptiveVoteExpectation(answers: pool, correctClasses: [1], stopping: never)
        #expect(abs(e.samples - 12) < 1e-12)
        #expect(abs(e.accuracy - majorityAtK(answers: pool, correctClasses: [1], k: 12)) < 1e-12)
        let rule = AdaptiveStopping(rule: .beta(threshold: 0.8), maxN: 10)
        let exact = adaptiveVoteExpectation(answers: pool, correctClasses: [1], stopping: rule)
        let sampled = adaptiveVoteExpectation(answers: pool, correctClasses: [1], stopping: rule, stateLimit: 1, seed: 3)
        #expect(exact.exact && !sampled.exact)
        #expect(abs(exact.accuracy - sampled.accuracy) < 0.03 && abs(exact.samples - sampled.samples) < 0.2,
                "exact \(exact), Monte Carlo \(sampled)")
        #expect(sampled == adaptiveVoteExpectation(answers: pool, correctClasses: [1], stopping: rule, stateLimit: 1, seed: 3),
                "deterministic")
    }
}
