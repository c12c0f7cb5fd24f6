import Foundation
import Testing
import AdaStop

// MARK: - Helpers

/// Deterministic EstimatorTestRNG so that the random cases are reproducible.
private struct EstimatorTestRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// All k-subsets of 0..<n as bitmasks (n ≤ 20).
private func subsets(n: Int, k: Int) -> [UInt32] {
    var out: [UInt32] = []
    for mask in 0..<(UInt32(1) << UInt32(n)) where mask.nonzeroBitCount == k { out.append(mask) }
    return out
}

private func bruteMajority(_ answers: [Int?], correct: Set<Int>, k: Int) -> Double {
    let subs = subsets(n: answers.count, k: k)
    var credit = 0.0
    for mask in subs {
        var votes: [Int: Int] = [:]
        for i in 0..<answers.count where mask & (1 << UInt32(i)) != 0 {
            if let a = answers[i] { votes[a, default: 0] += 1 }
        }
        guard let top = votes.values.max() else { continue }
        let tied = votes.filter { $0.value == top }.map(\.key)
        credit += Double(tied.filter { correct.contains($0) }.count) / Double(tied.count)
    }
    return credit / Double(subs.count)
}

private func bruteBestOfN(_ rewards: [Double], _ correct: [Bool], k: Int) -> Double {
    let subs = subsets(n: rewards.count, k: k)
    var credit = 0.0
    for mask in subs {
        let idx = (0..<rewards.count).filter { mask & (1 << UInt32($0)) != 0 }
        let best = idx.map { rewards[$0] }.max()!
        let top = idx.filter { rewards[$0] == best }
        credit += Double(top.filter { correct[$0] }.count) / Double(top.count)
    }
    return credit / Double(subs.count)
}

@Suite struct EstimatorsTests {
    // MARK: - pass@k

    /// (n, c, k, pass@k) with pass@k = 1 - C(n-c, k)/C(n, k) computed exactly in rationals and
    /// rounded to 17 significant digits, once, by:
    ///
    ///     from fractions import Fraction; from math import comb; from decimal import Decimal, getcontext
    ///     getcontext().prec = 17
    ///     exact = 1 - Fraction(comb(n - c, k), comb(n, k))
    ///     print(format(Decimal(exact.numerator) / Decimal(exact.denominator), '.17g'))
    ///
    /// Independent of the product formula the function uses (and of numpy). Covers c = 0, c = n,
    /// n - c < k (1 exactly), k = n, and n up to 1000.
    static let passAtKExact: [(n: Int, c: Int, k: Int, value: Double)] = [
        (1, 0, 1, 0),
        (1, 1, 1, 1),
        (2, 1, 1, 0.5),
        (2, 1, 2, 1),
        (10, 0, 5, 0),
        (10, 10, 1, 1),
        (10, 3, 1, 0.3),
        (10, 3, 2, 0.53333333333333333),
        (10, 7, 3, 0.99166666666666667),
        (10, 8, 3, 1),
        (5, 2, 5, 1),
        (100, 1, 1, 0.01),
        (100, 1, 50, 0.5),
        (100, 10, 10, 0.66952378891327485),
        (100, 50, 50, 1.0000000000000000),  // 1 - 1/C(100, 50) = 1 - 9.9e-30
        (100, 99, 1, 0.99),
        (100, 5, 95, 0.99999998671758613),
        (100, 5, 96, 1),
        (100, 37, 20, 0.99997483399258188),
        (200, 0, 200, 0),
        (200, 1, 1, 0.005),
        (200, 1, 200, 1),
        (200, 3, 17, 0.23501522765341861),
        (200, 7, 200, 1),
        (200, 20, 100, 0.99999966783129223),
        (200, 100, 1, 0.5),
        (200, 199, 1, 0.995),
        (200, 2, 150, 0.93844221105527638),
        (256, 3, 128, 0.87647058823529412),
        (256, 255, 2, 1),
        (1000, 1, 1, 0.001),
        (1000, 13, 10, 0.12317592591377480),
    ]

    @Test func passAtKMatchesExactRationalValues() {
        for (n, c, k, exact) in Self.passAtKExact {
            let v = passAtK(n: n, c: c, k: k)
            // Relative 1e-12; an exact 0 must come out as exactly 0.
            #expect(abs(v - exact) <= 1e-12 * abs(exact), "pass@k n=\(n) c=\(c) k=\(k): \(v) vs exact \(exact)")
        }
    }

    @Test func passAtKIsABoundedMonotoneProbabilityOnRandomCases() {
        var rng = EstimatorTestRNG(seed: 2021)
        for _ in 0..<500 {
            let n = Int.random(in: 1...300, using: &rng)
            let c = Int.random(in: 0...n, using: &rng)
            let k = Int.random(in: 1...n, using: &rng)
            let v = passAtK(n: n, c: c, k: k)
            #expect(v >= 0 && v <= 1, "n=\(n) c=\(c) k=\(k): \(v)")
            if c == 0 { #expect(v == 0, "no correct sample: n=\(n) k=\(k): \(v)") }
            if n - c < k { #expect(v == 1, "every k-subset holds a correct sample: n=\(n) c=\(c) k=\(k): \(v)") }
            // More correct samples, or a larger k, never lowers pass@k.
            if c < n { #expect(passAtK(n: n, c: c + 1, k: k) >= v - 1e-15, "n=\(n) c=\(c) k=\(k)") }
            if k < n { #expect(passAtK(n: n, c: c, k: k + 1) >= v - 1e-15, "n=\(n) c=\(c) k=\(k)") }
        }
    }

    @Test func passAtKEdgeCasesAndExactValues() {
        #expect(passAtK(n: 10, c: 0, k: 3) == 0)
        #expect(passAtK(n: 10, c: 8, k: 3) == 1)
        #expect(abs(passAtK(n: 10, c: 3, k: 1) - 0.3) < 1e-15)
        // 1 - C(7,2)/C(10,2) = 1 - 21/45
        #expect(abs(passAtK(n: 10, c: 3, k: 2) - (1 - 21.0 / 45.0)) < 1e-14)
    }

    // MARK: - maj@k

    @Test func majorityAtKMatchesBruteForceOnRandomPools() {
        var rng = EstimatorTestRNG(seed: 7)
        for trial in 0..<150 {
            let n = Int.random(in: 1...12, using: &rng)
            let nClasses = Int.random(in: 1...5, using: &rng)
            let nilRate = Double.random(in: 0...0.3, using: &rng)
            let answers: [Int?] = (0..<n).map { _ in
                Double.random(in: 0..<1, using: &rng) < nilRate ? nil : Int.random(in: 0..<nClasses, using: &rng)
            }
            // Usually one correct class; sometimes none or two.
            var correct: Set<Int> = [Int.random(in: 0..<nClasses, using: &rng)]
            if trial % 7 == 0 { correct.insert(Int.random(in: 0..<nClasses, using: &rng)) }
            if trial % 11 == 0 { correct = [] }
            for k in 1...n {
                let exact = majorityAtK(answers: answers, correctClasses: correct, k: k)
                let brute = bruteMajority(answers, correct: correct, k: k)
                #expect(abs(exact - brute) < 1e-12, "answers=\(answers) correct=\(correct) k=\(k): \(exact) vs \(brute)")
            }
        }
    }

    @Test func majorityAtKTieRuleAndEdgeCases() {
        // Two samples, two classes: k=2 is a tie -> half credit. k=1 -> 1/2.
        #expect(abs(majorityAtK(answers: [1, 2], correctAnswer: 1, k: 2) - 0.5) < 1e-15)
        #expect(abs(majorityAtK(answers: [1, 2], correctAnswer: 1, k: 1) - 0.5) < 1e-15)
        // nil never votes; an all-nil subset earns nothing.
        #expect(majorityAtK(answers: [nil, nil], correctAnswer: 1, k: 2) == 0)
        #expect(abs(majorityAtK(answers: [nil, 1], correctAnswer: 1, k: 1) - 0.5) < 1e-15)
        #expect(majorityAtK(answers: [nil, 1], correctAnswer: 1, k: 2) == 1)
        #expect(majorityAtK(answers: [1, 1, 2], correctAnswer: nil, k: 2) == 0)
        // k = N is the plain majority vote of the pool.
        #expect(majorityAtK(answers: [3, 3, 3, 4, 4], correctAnswer: 3, k: 5) == 1)
        #expect(majorityAtK(answers: [3, 3, 3, 4, 4], correctAnswer: 4, k: 5) == 0)
    }

    @Test func majorityAtKLargePoolIsFastAndConsistent() {
        // N = 256 pool, curve k = 1, 2, 4, ..., 256 from one pool.
        var rng = EstimatorTestRNG(seed: 99)
        let answers: [Int?] = (0..<256).map { _ in
            let u = Double.random(in: 0..<1, using: &rng)
            if u < 0.05 { return nil }
            if u < 0.45 { return 0 }  // correct class, 40%
            return Int.random(in: 1...30, using: &rng)  // wrong answers spread over 30 classes
        }
        let c = answers.filter { $0 == 0 }.count
        var k = 1
        var previous = -1.0
        while k <= 256 {
            let v = majorityAtK(answers: answers, correctAnswer: 0, k: k)
            #expect(v >= 0 && v <= 1)
            if k == 1 { #expect(abs(v - Double(c) / 256) < 1e-12) }  // maj@1 = accuracy
            if k >= 4 { #expect(v >= previous - 1e-12, "maj@k should grow here (k=\(k))") }
            previous = v
            k *= 2
        }
        #expect(abs(previous - 1) < 1e-12)  // the pooled plurality is the correct class
    }

    // MARK: - BoN@k

    @Test func bestOfNAtKMatchesBruteForceOnRandomPools() {
        var rng = EstimatorTestRNG(seed: 11)
        for _ in 0..<150 {
            let n = Int.random(in: 1...12, using: &rng)
            // Coarse rewards so that ties happen often.
            let rewards: [Double] = (0..<n).map { _ in Double(Int.random(in: 0...4, using: &rng)) / 4 }
            let correct: [Bool] = (0..<n).map { _ in Bool.random(using: &rng) }
            for k in 1...n {
                let exact = bestOfNAtK(rewards: rewards, correct: correct, k: k)
                let brute = bruteBestOfN(rewards, correct, k: k)
                #expect(abs(exact - brute) < 1e-12, "rewards=\(rewards) correct=\(correct) k=\(k): \(exact) vs \(brute)")
            }
        }
    }

    @Test func bestOfNAtKEdgeCases() {
        #expect(bestOfNAtK(rewards: [0.1, 0.9], correct: [false, true], k: 2) == 1)
        #expect(abs(bestOfNAtK(rewards: [0.1, 0.9], correct: [false, true], k: 1) - 0.5) < 1e-15)
        #expect(abs(bestOfNAtK(rewards: [0.5, 0.5], correct: [false, true], k: 2) - 0.5) < 1e-15)
        // Large N: no overflow, BoN@N = correctness of the top sample.
        let n = 256
        let rewards = (0..<n).map { Double($0) }
        let correct = (0..<n).map { $0 == n - 1 }
        #expect(bestOfNAtK(rewards: rewards, correct: correct, k: n) == 1)
        #expect(abs(bestOfNAtK(rewards: rewards, correct: correct, k: 1) - 1.0 / 256) < 1e-15)
        #expect(abs(bestOfNAtK(rewards: rewards, correct: correct, k: 128) - 0.5) < 1e-12)
    }
}
