// Stopping rules of adaptive voting: when a strategy that reads samples 0, 1, 2, ... of a pool may
// stop reading. Shared by the strategies (TTSRuntime) and the leaderboard's exact curves
// (`adaptiveVoteExpectation`), so the rule a strategy ran and the rule a curve describes are the
// same code.
//
// Pure Swift and the C math library; every function is deterministic.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// When adaptive voting stops reading samples.
///
/// ```swift
/// let ac = AdaptiveStopping(rule: .beta(threshold: 0.95), maxN: 16)
/// ac.shouldStop(read: 4, votes: [4])          // true: P(leader) = 1 - 2^-5 = 0.969
/// let esc = AdaptiveStopping(rule: .unanimousWindow(size: 4), maxN: 16)
/// esc.shouldStop(read: 4, votes: [3, 1], lastRoundUnanimous: false)   // false
/// ```
///
/// Samples are read in rounds of `roundSize` (1 for the posterior rules, the window for ESC; the
/// last round may be shorter when `maxN` is not a multiple). The rule is checked at the end of
/// each round once `minN` samples are read; at `maxN` reading stops whatever the rule says.
public struct AdaptiveStopping: Sendable, Equatable {
    public enum Rule: Sendable, Equatable {
        /// Adaptive-Consistency's Beta rule (Aggarwal et al. 2023): with v₁ votes for the leader
        /// and v₂ for the runner-up, stop when P(p₁ > p₂) ≥ threshold under Beta(v₁+1, v₂+1),
        /// i.e. the posterior mass above 1/2.
        case beta(threshold: Double)
        /// Adaptive-Consistency's Dirichlet rule: stop when the leader has the largest share with
        /// probability ≥ threshold under Dirichlet(v + 1) over the answers seen (with one answer
        /// seen, a second with no vote stands for the unseen ones, so it equals the Beta rule).
        case dirichlet(threshold: Double)
        /// Early-stopping self-consistency (Li et al., ICLR 2024): read windows of `size` samples
        /// and stop after a window whose samples all gave the same answer.
        case unanimousWindow(size: Int)
    }

    public var rule: Rule
    public var maxN: Int
    public var minN: Int

    public init(rule: Rule, maxN: Int, minN: Int = 1) {
        self.rule = rule
        self.maxN = maxN
        self.minN = minN
    }

    /// Samples read per round: 1, or the ESC window.
    public var roundSize: Int {
        if case .unanimousWindow(let size) = rule { return size }
        return 1
    }

    /// Whether reading stops after `read` samples (at a round's end), with `votes` the vote count
    /// (or weight) of each answer read so far, in any order, and whether the last round's samples
    /// all gave one answer.
    public func shouldStop(read: Int, votes: [Double], lastRoundUnanimous: Bool = false) -> Bool {
        if read >= maxN { return true }
        guard read >= minN else { return false }
        switch rule {
        case .beta(let threshold):
            let (top, second) = Self.topTwo(votes)
            return top > 0 && betaLeaderProbability(top: top, second: second) >= threshold
        case .dirichlet(let threshold):
            return votes.contains { $0 > 0 } && dirichletLeaderProbability(votes: votes) >= threshold
        case .unanimousWindow:
            return lastRoundUnanimous
        }
    }

    public func shouldStop(read: Int, votes: [Int], lastRoundUnanimous: Bool = false) -> Bool {
        shouldStop(read: read, votes: votes.map(Double.init), lastRoundUnanimous: lastRoundUnanimous)
    }

    /// The posterior probability the rule compares with its threshold (nil for ESC).
    public func leaderProbability(votes: [Double]) -> Double? {
        switch rule {
        case .beta:
            let (top, second) = Self.topTwo(votes)
            return betaLeaderProbability(top: top, second: second)
        case .dirichlet: return dirichletLeaderProbability(votes: votes)
        case .unanimousWindow: return nil
        }
    }

    static func topTwo(_ votes: [Double]) -> (Double, Double) {
        var top = 0.0, second = 0.0
        for v in votes {
            if v > top { second = top; top = v } else if v > second { second = v }
        }
        return (top, second)
    }
}

/// P(X > 1/2) for X ~ Beta(top + 1, second + 1): the Beta rule's probability that the leading
/// answer is more likely than the runner-up. Exact (a binomial sum) for whole vote counts; the
/// regularized incomplete beta function (continued fraction) for weighted votes.
public func betaLeaderProbability(top: Double, second: Double) -> Double {
    precondition(top >= 0 && second >= 0, "betaLeaderProbability needs non-negative votes")
    let a = top + 1, b = second + 1
    if a == a.rounded(), b == b.rounded(), a + b < 1000 {
        // X ~ Beta(a, b) with whole a, b: P(X > 1/2) = P(Binomial(a+b-1, 1/2) ≤ a-1).
        let m = Int(a + b) - 1
        var term = pow(0.5, Double(m))  // C(m, 0) / 2^m
        var sum = 0.0
        for i in 0..<Int(a) {
            sum += term
            term *= Double(m - i) / Double(i + 1)
        }
        return min(1, sum)
    }
    return regularizedIncompleteBeta(x: 0.5, a: b, b: a)  // P(X > 1/2) = I_{1/2}(b, a)
}

/// The Dirichlet rule's probability that the answer with the most votes has the largest share,
/// under Dirichlet(votes + 1) over the answers seen (those with a vote, padded to two answers). Computed from the
/// Gamma representation, ∫ g_{a₁}(x) Π_{j≠1} G_{aⱼ}(x) dx, by Simpson's rule (error below 1e-9
/// for vote counts up to a few hundred). Votes are rounded to whole numbers.
public func dirichletLeaderProbability(votes: [Double]) -> Double {
    var alphas = votes.filter { $0 > 0 }.map { Int($0.rounded()) + 1 }.sorted(by: >)
    while alphas.count < 2 { alphas.append(1) }
    let lead = alphas[0]
    let others = Array(alphas.dropFirst())
    // The Gamma(a, 1) density and CDF for whole a.
    func logDensity(_ x: Double, _ a: Int) -> Double { Double(a - 1) * log(x) - x - lgamma(Double(a)) }
    func cdf(_ x: Double, _ a: Int) -> Double {
        var term = 1.0, sum = 1.0
        if a > 1 { for m in 1..<a { term *= x / Double(m); sum += term } }
        return max(0, 1 - exp(-x) * sum)
    }
    let upper = Double(lead) + 12 * Double(lead).squareRoot() + 12
    let steps = 1000
    let h = upper / Double(steps)
    var total = 0.0
    for i in 1...steps {  // the integrand is 0 at x = 0
        let x = Double(i) * h
        var f = exp(logDensity(x, lead))
        for a in others { f *= cdf(x, a) }
        total += f * (i == steps ? 1 : (i % 2 == 1 ? 4 : 2))
    }
    return min(1, max(0, total * h / 3))
}

/// The regularized incomplete beta function I_x(a, b) (the Beta(a, b) CDF at x), by the
/// continued fraction of Numerical Recipes (`betacf`, modified Lentz), to about 1e-12.
public func regularizedIncompleteBeta(x: Double, a: Double, b: Double) -> Double {
    precondition(a > 0 && b > 0, "regularizedIncompleteBeta needs a, b > 0")
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    let front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(1 - x))
    if x < (a + 1) / (a + b + 2) { return front * betaContinuedFraction(x: x, a: a, b: b) / a }
    return 1 - front * betaContinuedFraction(x: 1 - x, a: b, b: a) / b
}

private func betaContinuedFraction(x: Double, a: Double, b: Double) -> Double {
    let tiny = 1e-300
    var c = 1.0
    var d = 1 - (a + b) * x / (a + 1)
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var h = d
    for m in 1...300 {
        let md = Double(m)
        let m2 = 2 * md
        var aa = md * (b - md) * x / ((a + m2 - 1) * (a + m2))
        d = 1 + aa * d; if abs(d) < tiny { d = tiny }
        c = 1 + aa / c; if abs(c) < tiny { c = tiny }
        d = 1 / d
        h *= d * c
        aa = -(a + md) * (a + b + md) * x / ((a + m2) * (a + m2 + 1))
        d = 1 + aa * d; if abs(d) < tiny { d = tiny }
        c = 1 + aa / c; if abs(c) < tiny { c = tiny }
        d = 1 / d
        let delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-14 { break }
    }
    return h
}
