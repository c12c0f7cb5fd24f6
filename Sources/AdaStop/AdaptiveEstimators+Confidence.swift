// The expectation of the confidence-weighted adaptive vote (`confidence_consistency`) over the
// orderings of one recorded pool whose samples carry weights: the counterpart of
// `adaptiveVoteExpectation` for weighted votes. Weights are continuous, so the counts-only
// dynamic program does not apply; the value is a Monte Carlo average over a fixed number of
// orderings, seeded deterministically.

/// What the confidence-weighted rule read when it read a pool in one order.
public struct ConfidenceReading: Sendable, Equatable {
    /// Samples read.
    public var samples: Int
    /// The answer class with the largest total confidence (nil: no sample answered).
    public var answer: Int?
    /// That answer's total confidence.
    public var weight: Double?
}

/// Reads a pool in `order` with the confidence-weighted rule (the same loop as the strategy:
/// `ConfidenceTally` and `stopping`, one sample a round).
///
/// - Parameters:
///   - answers: the answer class per sample (nil: no answer; it takes a read but does not vote).
///   - weights: the confidence per sample (the vote weight of an answered sample; nil counts 0).
///   - order: the sample indices in reading order (a permutation of, or a prefix longer than
///     `stopping.maxN` of, `answers.indices`).
///
/// ```swift
/// let r = confidenceVoteReading(answers: [1, 1, 2], weights: [0.9, 0.8, 0.1], order: [0, 1, 2],
///                               stopping: AdaptiveStopping(rule: .beta(threshold: 0.7), maxN: 3, minN: 2))
/// r.samples   // 2
/// ```
public func confidenceVoteReading(answers: [Int?], weights: [Double?], order: [Int], stopping: AdaptiveStopping) -> ConfidenceReading {
    precondition(answers.count == weights.count, "confidenceVoteReading needs one weight per answer")
    precondition(stopping.roundSize == 1, "confidenceVoteReading reads one sample a round (the posterior rules)")
    var tally = ConfidenceTally<Int>(weighted: true)
    var read = 0
    for i in order.prefix(stopping.maxN) {
        read += 1
        if let a = answers[i] { tally.add(a, weight: weights[i] ?? 0) }
        if stopping.shouldStop(read: read, votes: tally.votes) { break }
    }
    let leader = tally.leader
    return ConfidenceReading(samples: read, answer: leader?.key, weight: leader?.weight)
}

/// Orderings per pool `confidenceVoteExpectation` averages over by default.
public let confidenceMonteCarloOrders = 2000

/// The expected accuracy, samples and rounds of the confidence-weighted rule when it reads the
/// samples of a pool in a uniformly random order (without replacement): a Monte Carlo average
/// over `orders` orderings (Fisher-Yates with a counter-based generator seeded by `seed` and the
/// ordering's index), so the same inputs give the same bytes in every process. `exact` is false.
///
/// - Answer: the class with the largest total confidence when reading stops (ties: the earliest
///   first vote in that ordering), as the strategy answers; no vote: incorrect.
/// - Error: the standard error of each average is its spread over orderings / √orders (about
///   0.5/√orders for the accuracy of one pool).
///
/// ```swift
/// let e = confidenceVoteExpectation(answers: [1, 1, 2, nil], weights: [0.9, 0.7, 0.2, nil], correctClasses: [1],
///                                   stopping: AdaptiveStopping(rule: .beta(threshold: 0.9), maxN: 4, minN: 2))
/// e.accuracy; e.samples
/// ```
public func confidenceVoteExpectation(answers: [Int?], weights: [Double?], correctClasses: Set<Int>, stopping: AdaptiveStopping,
                                      orders: Int = confidenceMonteCarloOrders, seed: UInt64 = 0) -> AdaptiveExpectation {
    let n = answers.count
    precondition(n >= 1 && stopping.maxN >= 1 && stopping.maxN <= n,
                 "confidenceVoteExpectation needs 1 <= maxN <= N (N=\(n), maxN=\(stopping.maxN))")
    precondition(orders >= 1, "confidenceVoteExpectation needs at least one ordering")
    var accuracy = 0.0, samples = 0.0
    var deck = Array(0..<n)
    for o in 0..<orders {
        var rng = SplitMix64(seed: seed, interim: -11, index: o)
        for i in deck.indices { deck[i] = i }
        // Only the first maxN positions are read: a partial shuffle draws just those.
        for t in 0..<stopping.maxN {
            deck.swapAt(t, t + Int(rng.next(below: UInt64(n - t))))
        }
        let r = confidenceVoteReading(answers: answers, weights: weights, order: deck, stopping: stopping)
        if let a = r.answer, correctClasses.contains(a) { accuracy += 1 }
        samples += Double(r.samples)
    }
    let m = Double(orders)
    return AdaptiveExpectation(accuracy: accuracy / m, samples: samples / m, rounds: samples / m, exact: false)
}
