// The exact expectation of an adaptive vote over one recorded pool, the adaptive counterpart of
// maj@k (`majorityAtK`): what accuracy, how many samples and how many rounds a stopping rule
// gives on average when it reads the pool's samples in a uniformly random order.

/// What an adaptive vote gives on average over the orderings of one pool.
public struct AdaptiveExpectation: Sendable, Equatable {
    /// Expected correctness of the answer (ties split as in maj@k).
    public var accuracy: Double
    /// Expected samples read.
    public var samples: Double
    /// Expected rounds (1 sample a round for the posterior rules, a window for ESC).
    public var rounds: Double
    /// Whether the value is exact (the dynamic program) or a Monte Carlo estimate over
    /// `monteCarloOrders` orderings (pools with too many distinct states).
    public var exact: Bool
}

/// Orderings drawn when a pool has too many states for the exact dynamic program.
public let monteCarloOrders = 4000

/// The expected accuracy, samples and rounds of `stopping` when it reads the samples of a pool in
/// a uniformly random order (without replacement), averaged over all N! orders.
///
/// - Parameters:
///   - answers: one answer class per sample of the pool (nil: no answer; it takes a read but
///     does not vote), as in `majorityAtK`.
///   - correctClasses: the classes that are correct.
///   - stopping: the rule, with `maxN ≤ N` (reading stops at `maxN`).
/// - Answer: the class with the most votes when reading stops; a tie splits the credit evenly
///   among the tied classes, which is exact for "the earliest first vote wins" too (given the
///   counts, every order of the samples read is equally likely). No vote: incorrect.
/// - Method: a dynamic program over the vote counts read so far (and, for ESC, the class the
///   current window agrees on), level by level: exact, and a few milliseconds for N = 16. When a
///   level would hold more than `stateLimit` states (many answer classes in a large pool), a
///   Monte Carlo average over `monteCarloOrders` orders seeded by `seed` (deterministic).
public func adaptiveVoteExpectation(answers: [Int?], correctClasses: Set<Int>, stopping: AdaptiveStopping,
                                    stateLimit: Int = 200_000, seed: UInt64 = 0) -> AdaptiveExpectation {
    let n = answers.count
    precondition(n >= 1 && stopping.maxN >= 1 && stopping.maxN <= n,
                 "adaptiveVoteExpectation needs 1 <= maxN <= N (N=\(n), maxN=\(stopping.maxN))")
    // Classes: slot 0 holds the samples without an answer, slots 1... the answer classes.
    var labels: [Int] = []
    var totals = [0]
    for a in answers {
        guard let a else { totals[0] += 1; continue }
        if let i = labels.firstIndex(of: a) { totals[i + 1] += 1 } else { labels.append(a); totals.append(1) }
    }
    let correct = [false] + labels.map { correctClasses.contains($0) }
    if let exact = AdaptiveProgram(totals: totals, correct: correct, stopping: stopping, stateLimit: stateLimit).run() {
        return exact
    }
    return AdaptiveProgram.monteCarlo(totals: totals, correct: correct, stopping: stopping, seed: seed)
}

/// The dynamic program of `adaptiveVoteExpectation`.
struct AdaptiveProgram {
    let totals: [Int]
    let correct: [Bool]
    let stopping: AdaptiveStopping
    let stateLimit: Int
    var n: Int { totals.reduce(0, +) }

    /// A state: the counts read per class, and the window's class (-1: the window is empty,
    /// -2: it is not unanimous or has a sample without an answer).
    struct State: Hashable, Comparable {
        var counts: [Int]
        var window: Int
        static func < (a: State, b: State) -> Bool {
            a.counts == b.counts ? a.window < b.window : a.counts.lexicographicallyPrecedes(b.counts)
        }
    }

    /// The credit of stopping with `counts`: the correct share of the tied leaders.
    static func credit(_ counts: [Int], correct: [Bool]) -> Double {
        var top = 0, tied = 0, right = 0
        for c in 1..<counts.count where counts[c] > 0 {
            if counts[c] > top { top = counts[c]; tied = 0; right = 0 }
            if counts[c] == top { tied += 1; if correct[c] { right += 1 } }
        }
        return tied == 0 ? 0 : Double(right) / Double(tied)
    }

    static func roundEnds(at read: Int, _ stopping: AdaptiveStopping) -> Bool {
        read % stopping.roundSize == 0 || read == stopping.maxN
    }

    static func windowAfter(_ window: Int, adding c: Int) -> Int {
        if c == 0 { return -2 }
        return window == -1 ? c : (window == c ? c : -2)
    }

    func run() -> AdaptiveExpectation? {
        var level: [State: Double] = [State(counts: [Int](repeating: 0, count: totals.count), window: -1): 1]
        var accuracy = 0.0, samples = 0.0, rounds = 0.0
        let size = stopping.roundSize
        for t in 0..<stopping.maxN {
            var next: [State: Double] = [:]
            let remaining = Double(n - t)
            // States in a fixed order, so the sums are the same bytes in every process (a
            // dictionary's order is not).
            for (state, p) in level.sorted(by: { $0.key < $1.key }) {
                for c in totals.indices where state.counts[c] < totals[c] {
                    let q = p * Double(totals[c] - state.counts[c]) / remaining
                    var s = state
                    s.counts[c] += 1
                    s.window = Self.windowAfter(state.window, adding: c)
                    let read = t + 1
                    if Self.roundEnds(at: read, stopping) {
                        let votes = s.counts.dropFirst().map(Double.init)
                        if stopping.shouldStop(read: read, votes: Array(votes), lastRoundUnanimous: s.window >= 0) {
                            accuracy += q * Self.credit(s.counts, correct: correct)
                            samples += q * Double(read)
                            rounds += q * Double((read + size - 1) / size)
                            continue
                        }
                        s.window = -1
                    }
                    next[s, default: 0] += q
                }
            }
            if next.count > stateLimit { return nil }
            level = next
        }
        return AdaptiveExpectation(accuracy: accuracy, samples: samples, rounds: rounds, exact: true)
    }

    /// The Monte Carlo fallback: `monteCarloOrders` uniformly random orders (Fisher-Yates with a
    /// counter-based generator seeded by `seed` and the order's index).
    static func monteCarlo(totals: [Int], correct: [Bool], stopping: AdaptiveStopping, seed: UInt64) -> AdaptiveExpectation {
        var pool: [Int] = []
        for (c, count) in totals.enumerated() { pool += [Int](repeating: c, count: count) }
        var accuracy = 0.0, samples = 0.0, rounds = 0.0
        let size = stopping.roundSize
        for order in 0..<monteCarloOrders {
            var rng = SplitMix64(seed: seed, interim: -7, index: order)
            var deck = pool
            var counts = [Int](repeating: 0, count: totals.count)
            var window = -1
            for t in 0..<stopping.maxN {
                let j = t + Int(rng.next(below: UInt64(deck.count - t)))
                deck.swapAt(t, j)
                let c = deck[t]
                counts[c] += 1
                window = windowAfter(window, adding: c)
                let read = t + 1
                guard roundEnds(at: read, stopping) else { continue }
                if stopping.shouldStop(read: read, votes: counts.dropFirst().map(Double.init), lastRoundUnanimous: window >= 0) {
                    accuracy += credit(counts, correct: correct)
                    samples += Double(read)
                    rounds += Double((read + size - 1) / size)
                    break
                }
                window = -1
            }
        }
        let m = Double(monteCarloOrders)
        return AdaptiveExpectation(accuracy: accuracy / m, samples: samples / m, rounds: rounds / m, exact: false)
    }
}
