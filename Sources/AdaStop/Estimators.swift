// Unbiased test-time-scaling estimators computed from ONE pool of N samples.
//
// Pure Swift (standard library only, no Foundation).
//
// All three estimators answer "what would the metric be, in expectation, if we had drawn only k
// of the N samples?" — the expectation is taken over all C(N, k) k-subsets of the pool (sampling
// without replacement), NOT over "the first k samples". That makes curves for k = 1, 2, 4, ..., N
// from a single pool unbiased and low-variance.
//
// Numerics: counts of subsets are kept as Double. Every term that is summed is non-negative, so
// there is no cancellation; C(N, k) stays finite for N ≤ 1000 (C(1000, 500) ≈ 2.7e299), which is
// the documented limit for `majorityAtK`. `passAtK` and `bestOfNAtK` use ratio/product forms and
// have no size limit.

/// Unbiased pass@k of Chen et al. 2021 ("Evaluating Large Language Models Trained on Code"):
/// the probability that at least one of k samples drawn without replacement from n samples,
/// c of which are correct, is correct:  1 - C(n-c, k) / C(n, k).
///
/// Computed with the numerically stable product form of the paper's numpy code:
/// `1 - prod(1 - k / arange(n - c + 1, n + 1))`.
///
/// - Precondition: 0 ≤ c ≤ n, 1 ≤ k ≤ n.
public func passAtK(n: Int, c: Int, k: Int) -> Double {
    precondition(n >= 1 && c >= 0 && c <= n && k >= 1 && k <= n,
                 "passAtK requires 0 <= c <= n and 1 <= k <= n (n=\(n), c=\(c), k=\(k))")
    if n - c < k { return 1.0 }
    var prod = 1.0
    let kd = Double(k)
    var i = n - c + 1
    while i <= n {
        prod *= 1.0 - kd / Double(i)
        i += 1
    }
    return 1.0 - prod
}

/// Exact maj@k: the expected correctness of a majority vote over a uniformly random k-subset of
/// the pool, averaged over all C(N, k) k-subsets.
///
/// - Parameters:
///   - answers: one answer-class label per sample (equal labels = same answer after
///     normalization); `nil` = the sample produced no answer. `nil` samples occupy a slot in the
///     subset but never vote.
///   - isCorrect: which classes are correct (usually exactly one class, the one matching the
///     reference; may be several, or none).
///   - k: subset size, 1 ≤ k ≤ N.
/// - Tie rule: the vote goes to the class(es) with the most samples in the subset. When several
///   classes tie for the most votes, the winner is drawn uniformly at random among them, so the
///   subset earns fractional credit (#correct tied classes) / (#tied classes). A subset in which
///   every sample is `nil` has no answer and earns 0.
/// - Method: exact combinatorics, no enumeration. For each correct class a (classes of equal size
///   and correctness are symmetric and computed once) and each vote count t of a, count the
///   subsets in which every other class has ≤ t votes, split by the number s of other classes
///   with exactly t votes (a DP over the classes that can reach t; classes smaller than t and the
///   `nil` samples are unconstrained and fold into one binomial). Credit for such a subset is
///   1/(s+1). Cost is about O(N · k² · log k) in the worst case; N = 256 takes milliseconds.
/// - Precondition: 1 ≤ k ≤ N ≤ 1000.
public func majorityAtK(answers: [Int?], k: Int, isCorrect: (Int) -> Bool) -> Double {
    let n = answers.count
    precondition(n >= 1 && k >= 1 && k <= n, "majorityAtK requires 1 <= k <= N (N=\(n), k=\(k))")
    precondition(n <= 1000, "majorityAtK supports pools of at most 1000 samples")

    // Class sizes.
    var counts: [Int: Int] = [:]
    var nilCount = 0
    for a in answers {
        if let a { counts[a, default: 0] += 1 } else { nilCount += 1 }
    }
    // (size, isCorrect) per class, sorted for determinism.
    var classes: [(size: Int, correct: Bool)] = []
    classes.reserveCapacity(counts.count)
    for (label, size) in counts { classes.append((size, isCorrect(label))) }
    classes.sort { ($0.size, $0.correct ? 1 : 0) < ($1.size, $1.correct ? 1 : 0) }
    if !classes.contains(where: { $0.correct }) { return 0.0 }

    let binom = EstimatorBinomialTable(n)
    let total = binom[n, k]

    // Group correct classes by size: symmetric, compute once and multiply by multiplicity.
    var correctBySize: [Int: Int] = [:]
    for c in classes where c.correct { correctBySize[c.size, default: 0] += 1 }

    var credit = 0.0
    for (size, multiplicity) in correctBySize.sorted(by: { $0.key < $1.key }) {
        // Remove one instance of this correct class from the "others" list.
        var others = classes.map { $0.size }
        if let idx = classes.firstIndex(where: { $0.correct && $0.size == size }) {
            others.remove(at: idx)
        }
        var perClass = 0.0
        let tMax = min(size, k)
        for t in 1...tMax {
            let rest = k - t  // slots left for the other samples (including nil)
            // Unconstrained pool: nil samples + classes that cannot reach t votes.
            var freePool = nilCount
            var constrained: [Int] = []
            for m in others {
                if m < t { freePool += m } else { constrained.append(m) }
            }
            // sMax: other classes with exactly t votes is bounded by slots and class count.
            let sMax = min(constrained.count, rest / t)
            // dp[j * (sMax+1) + s]: ways to pick j samples from processed constrained classes,
            // each ≤ t, with s of them exactly t.
            let width = sMax + 1
            var dp = [Double](repeating: 0, count: (rest + 1) * width)
            dp[0] = 1
            var maxJ = 0
            for m in constrained {
                var next = [Double](repeating: 0, count: (rest + 1) * width)
                let newMaxJ = min(rest, maxJ + t)
                for j in 0...maxJ {
                    for s in 0..<width {
                        let v = dp[j * width + s]
                        if v == 0 { continue }
                        let upper = min(t, rest - j)
                        if upper < 0 { continue }
                        for x in 0...upper {
                            let w = binom[m, x]
                            if x == t {
                                if s + 1 < width { next[(j + x) * width + s + 1] += v * w }
                            } else {
                                next[(j + x) * width + s] += v * w
                            }
                        }
                    }
                }
                dp = next
                maxJ = newMaxJ
            }
            // Combine with the free pool: it supplies the remaining rest - j samples.
            var acc = 0.0
            for j in 0...maxJ {
                let free = rest - j
                if free > freePool { continue }
                let ways = binom[freePool, free]
                if ways == 0 { continue }
                var inner = 0.0
                for s in 0..<width {
                    let v = dp[j * width + s]
                    if v != 0 { inner += v / Double(s + 1) }
                }
                acc += inner * ways
            }
            perClass += binom[size, t] * acc
        }
        credit += Double(multiplicity) * perClass
    }
    return min(1.0, max(0.0, credit / total))
}

/// Exact maj@k with a single correct class (see `majorityAtK(answers:k:isCorrect:)`).
/// `correctAnswer == nil` means no class is correct (result 0).
public func majorityAtK(answers: [Int?], correctAnswer: Int?, k: Int) -> Double {
    guard let correctAnswer else {
        precondition(k >= 1 && k <= answers.count, "majorityAtK requires 1 <= k <= N")
        return 0.0
    }
    return majorityAtK(answers: answers, k: k, isCorrect: { $0 == correctAnswer })
}

/// Exact maj@k where several classes count as correct.
public func majorityAtK(answers: [Int?], correctClasses: Set<Int>, k: Int) -> Double {
    majorityAtK(answers: answers, k: k, isCorrect: { correctClasses.contains($0) })
}

/// Exact BoN@k (best-of-N with a reward model): the probability that the highest-reward sample
/// of a uniformly random k-subset of the pool is correct, averaged over all C(N, k) k-subsets.
///
/// Ties in reward are split evenly: when several samples of the subset share the highest reward,
/// the pick is uniform among them (fractional credit).
///
/// Closed form: sort by reward and group equal rewards. For a group g with s_g samples, c_g of
/// them correct, and B_g samples with strictly lower reward, the subset's maximum lies in g with
/// probability [C(s_g + B_g, k) - C(B_g, k)] / C(N, k), and then the pick is uniform over g, so
/// the group contributes (c_g / s_g) times that. The binomial ratios C(a, k)/C(N, k) are computed
/// as running products (no overflow for any N). NaN rewards are treated as the lowest reward.
///
/// - Precondition: rewards.count == correct.count, 1 ≤ k ≤ N.
public func bestOfNAtK(rewards: [Double], correct: [Bool], k: Int) -> Double {
    let n = rewards.count
    precondition(correct.count == n, "bestOfNAtK: rewards and correct must have equal length")
    precondition(n >= 1 && k >= 1 && k <= n, "bestOfNAtK requires 1 <= k <= N (N=\(n), k=\(k))")
    // Map NaN to -infinity so that ordering is total.
    let r = rewards.map { $0.isNaN ? -Double.infinity : $0 }
    let order = (0..<n).sorted { r[$0] < r[$1] }  // ascending

    // ratio[a] = C(a, k) / C(n, k) for a = 0...n, via ratio[a-1] = ratio[a] * (a - k) / a.
    var ratio = [Double](repeating: 0, count: n + 1)
    ratio[n] = 1
    var a = n
    while a > k {
        ratio[a - 1] = ratio[a] * Double(a - k) / Double(a)
        a -= 1
    }
    // ratio[a] = 0 for a < k (already zero).

    var result = 0.0
    var below = 0  // samples with strictly lower reward than the current group
    var i = 0
    while i < n {
        var j = i
        var c = 0
        while j < n && r[order[j]] == r[order[i]] {
            if correct[order[j]] { c += 1 }
            j += 1
        }
        let s = j - i
        if c > 0 {
            let pMaxInGroup = ratio[below + s] - ratio[below]
            result += Double(c) / Double(s) * pMaxInGroup
        }
        below += s
        i = j
    }
    return min(1.0, max(0.0, result))
}

/// Pascal's triangle in Double, rows 0...n. `table[m, j]` = C(m, j), 0 outside 0 ≤ j ≤ m.
struct EstimatorBinomialTable {
    private var rows: [[Double]]
    init(_ n: Int) {
        rows = []
        rows.reserveCapacity(n + 1)
        var row: [Double] = [1]
        rows.append(row)
        if n >= 1 {
            for m in 1...n {
                var next = [Double](repeating: 1, count: m + 1)
                if m >= 2 {
                    for j in 1..<m { next[j] = row[j - 1] + row[j] }
                }
                rows.append(next)
                row = next
            }
        }
    }
    subscript(m: Int, j: Int) -> Double {
        if m < 0 || j < 0 || j > m || m >= rows.count { return 0 }
        return rows[m][j]
    }
}
