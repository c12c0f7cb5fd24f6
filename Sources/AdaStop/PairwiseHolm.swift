// Holm's step-down over exact two-sample group-sequential permutation tests: the state behind
// `PermutationScheme.holm`, and what the default runs when the closed test has too many
// hypotheses to enumerate.
//
// Each comparison (a, b) has its own test, which only ever looks at the scores of a and b: its
// permutations re-split each block's 2n scores of the pair, so it is exact for "a and b are
// equally good" whatever the other systems do. The family-wise error is then held by Holm's
// procedure (Holm 1979), which needs no assumption on how the tests depend on one another, run
// group-sequentially as in the graphical approach of Maurer & Bretz (2013): every open pair is
// tested at level alpha / (number of pairs not yet rejected), each spending its level over the K
// interims as ((k+1)/K)^3 with conditioning on not having stopped (SPEC.md's rule, with a
// spending that saves alpha for the last interims, where close pairs are decided); when a
// pair is rejected its level is recycled to the others, whose boundaries are recomputed at the
// higher level from the first interim on, and a pair is rejected as soon as its statistic
// crossed one of its recomputed boundaries at any interim so far. A pair accepted "equal" early
// keeps its share (the early accept is non-binding), so that share is simply not recycled.
//
// Exactness without sampling. Holm tests pairs at levels down to alpha / (L(L-1)/2) spread over
// K interims (20 systems: 4.4e-5 per interim), far below what B random permutations resolve.
// So each pair's permutation distribution is computed exactly: the scores are rounded to a
// lattice fixed by the pair's first informative block (its pooled range over `steps(n)` steps,
// clamped to four ranges either side), the statistic is the absolute sum of the blocks'
// lattice group sums (a fixed function of the scores, so its permutation test is exact), each
// block's split distribution is a subset-sum count over its 2n lattice scores, and the
// distribution of the running sum over the paths that have not crossed is carried from interim
// to interim by convolution: every one of the C(2n, n)^(k+1) paths is accounted for, and tail
// probabilities as small as 2 / C(2n, n)^(k+1) are attainable.

/// The pair tests and Holm's bookkeeping.
struct PairwiseHolm: Sendable {
    /// Largest group size the exact lattice supports (the subset-sum table grows as n^3).
    static let maxGroupSize = 64
    /// Lattice steps across the first informative block's pooled range: about 200 lattice units
    /// per group sum, whatever n.
    static func steps(groupSize n: Int) -> Int { max(4, 200 / max(1, n)) }
    /// Scores are clamped to this many first-block ranges beyond either end of it.
    static let clampRanges = 4

    /// One block's split distribution: P(first group's lattice sum = low + i) = probs[i].
    struct Block: Sendable {
        var low: Int
        var probs: [Double]
        /// Lattice sum of all 2n scores of the block.
        var total: Int
        /// Lattice sum of agent a's n scores (the data's own split).
        var observed: Int
    }

    /// The test of one comparison.
    struct Pair: Sendable {
        /// Lattice origin and step; `step == 0` until a block with any spread fixes them.
        var origin = 0.0
        var step = 0.0
        var top = 0
        var blocks: [Block] = []
        /// The level the state below was computed at (-1: none yet).
        var level = -1.0
        /// Number of blocks folded into `mass`.
        var looks = 0
        /// Sub-distribution of U = sum of the first groups' lattice sums over the paths that
        /// never crossed: P(U = low + i, not crossed) = mass[i].
        var mass: [Double] = [1]
        var low = 0
        var spent = 0.0
        /// Whether the statistic crossed a boundary (at the current level) at some look.
        var crossed = false
        /// Boundary of the last look on |2U - C| in lattice units (nil: none could be set).
        var lastBoundary: Int?
    }

    let alpha: Double
    let interims: Int
    /// Each pair spends its level as ((k+1)/K)^3 by interim k: little at the first interims,
    /// where clear pairs reach the smallest attainable tails anyway, and most at the last, where
    /// close pairs are decided. Chosen with stats-bench: with linear spending the 10-system
    /// partial case found all 35 differences in 0.050 of runs (2000 runs), with the cube 0.103,
    /// above SPEC.md's pairwise step-down (0.099) on the same data, while the demo's seeds stay
    /// at 430 (docs/statistics.md).
    func spent(fraction t: Double) -> Double { t * t * t }
    let groupSize: Int
    private(set) var pairs: [Pair]
    /// Comparisons rejected so far (Holm's r).
    private(set) var rejectedCount = 0

    init(comparisons: Int, alpha: Double, interims: Int, groupSize: Int) {
        self.alpha = alpha
        self.interims = interims
        self.groupSize = groupSize
        self.pairs = Array(repeating: Pair(), count: comparisons)
    }

    /// The level each open pair is tested at now.
    var currentLevel: Double { alpha / Double(max(1, pairs.count - rejectedCount)) }

    /// Runs interim `k` of the pair tests of the `open` comparisons (their agents have
    /// (k+1)·n scores) and Holm's step-down; returns the comparisons rejected at this interim,
    /// in the order they were rejected (by rounds; within a round in comparison order).
    mutating func runInterim(k: Int, open: [Int], comparisons: [Comparison], scores: [[Double]]) -> [Int] {
        let n = groupSize
        for ci in open {
            let c = comparisons[ci]
            let lo = k * n
            addBlock(ci, a: Array(scores[c.a][lo..<(lo + n)]), b: Array(scores[c.b][lo..<(lo + n)]))
        }
        var remaining = open
        var rejected: [Int] = []
        while !remaining.isEmpty {
            let level = currentLevel
            var round: [Int] = []
            for ci in remaining {
                evaluate(ci, level: level, through: k)
                if pairs[ci].crossed { round.append(ci) }
            }
            guard !round.isEmpty else { break }
            rejected += round
            rejectedCount += round.count
            let gone = Set(round)
            remaining.removeAll { gone.contains($0) }
        }
        return rejected
    }

    /// Appends block k of comparison `ci` (a's n scores, b's n scores).
    mutating func addBlock(_ ci: Int, a: [Double], b: [Double]) {
        var p = pairs[ci]
        let pooled = a + b
        if p.step == 0 {
            let lo = pooled.min()!, hi = pooled.max()!
            if hi > lo {
                let g = Self.steps(groupSize: groupSize)
                p.step = (hi - lo) / Double(g)
                p.origin = lo - Double(Self.clampRanges) * (hi - lo)
                p.top = (2 * Self.clampRanges + 1) * g
            }
        }
        if p.step == 0 {
            // Every score of the block is the same: every split gives the same sums.
            p.blocks.append(Block(low: 0, probs: [1], total: 0, observed: 0))
        } else {
            let wa = a.map { lattice($0, p) }, wb = b.map { lattice($0, p) }
            p.blocks.append(Self.splitDistribution(first: wa, second: wb))
        }
        pairs[ci] = p
    }

    private func lattice(_ x: Double, _ p: Pair) -> Int {
        let v = ((x - p.origin) / p.step).rounded()
        return Int(min(Double(p.top), max(0, v)))
    }

    /// The distribution of the lattice sum of the first n of the 2n scores over the C(2n, n)
    /// splits (a subset-sum count), with the data's own split.
    static func splitDistribution(first: [Int], second: [Int]) -> Block {
        let w = first + second
        let n = first.count
        let wmin = w.min()!
        let shifted = w.map { $0 - wmin }
        let span = n * (shifted.max()!)
        // table[j * width + s]: number of j-subsets of the scores seen so far with shifted sum s.
        let width = span + 1
        var table = [Double](repeating: 0, count: (n + 1) * width)
        table[0] = 1
        var seen = 0
        table.withUnsafeMutableBufferPointer { t in
            for x in shifted {
                seen += 1
                let limit = span - x
                for j in stride(from: min(seen, n), through: 1, by: -1) {
                    let dst = t.baseAddress! + j * width + x
                    let src = t.baseAddress! + (j - 1) * width
                    for s in 0...limit where src[s] != 0 { dst[s] += src[s] }
                }
            }
        }
        var probs = Array(table[(n * width)..<((n + 1) * width)])
        let count = probs.reduce(0, +)
        for i in probs.indices { probs[i] /= count }
        while let last = probs.last, last == 0, probs.count > 1 { probs.removeLast() }
        return Block(low: n * wmin, probs: probs, total: w.reduce(0, +), observed: first.reduce(0, +))
    }

    /// Brings comparison `ci`'s test at `level` up to look `k`: incrementally when the level is
    /// the one its state holds, else from the first look (a recycled level is applied as if
    /// planned from the start).
    mutating func evaluate(_ ci: Int, level: Double, through k: Int) {
        var p = pairs[ci]
        if p.level != level {
            p.level = level
            p.looks = 0
            p.mass = [1]
            p.low = 0
            p.spent = 0
            p.crossed = false
            p.lastBoundary = nil
        }
        while p.looks <= k && !p.crossed {
            look(&p)
        }
        pairs[ci] = p
    }

    /// One look: convolve with the next block, set the boundary by linear spending, check the
    /// data, keep the paths that did not cross.
    private func look(_ p: inout Pair) {
        let j = p.looks
        let block = p.blocks[j]
        // Convolution of the kept paths with the block's splits.
        let outCount = p.mass.count + block.probs.count - 1
        var g = [Double](repeating: 0, count: outCount)
        g.withUnsafeMutableBufferPointer { out in
            p.mass.withUnsafeBufferPointer { f in
                block.probs.withUnsafeBufferPointer { b in
                    for i in 0..<f.count where f[i] != 0 {
                        let fi = f[i]
                        let dst = out.baseAddress! + i
                        for t in 0..<b.count { dst[t] += fi * b[t] }
                    }
                }
            }
        }
        let low = p.low + block.low
        var total = 0
        var observed = 0
        for b in p.blocks[0...j] {
            total += b.total
            observed += b.observed
        }
        // The statistic on the lattice: |2U - total|; index i holds U = low + i.
        func z(_ i: Int) -> Int { abs(2 * (low + i) - total) }
        let clevel = p.level * spent(fraction: Double(j + 1) / Double(interims))
        var l = 0, r = outCount - 1
        var acc = 0.0
        var boundary: Int?
        var tail = 0.0
        while l <= r {
            let v = max(z(l), z(r))
            guard p.spent + acc <= clevel else { break }
            boundary = v
            tail = acc
            while l <= r && z(l) == v {
                acc += g[l]
                l += 1
            }
            while r >= l && z(r) == v {
                acc += g[r]
                r -= 1
            }
        }
        let observedZ = abs(2 * observed - total)
        p.looks = j + 1
        p.lastBoundary = boundary
        guard let b = boundary else {
            // Nothing fits: no path is removed and nothing is spent.
            p.mass = g
            p.low = low
            return
        }
        p.spent += tail
        if observedZ > b {
            p.crossed = true
            return
        }
        // Keep |z| <= b: a contiguous range of indices.
        var first = 0, last = outCount - 1
        while first < last && z(first) > b { first += 1 }
        while last > first && z(last) > b { last -= 1 }
        p.mass = Array(g[first...last])
        p.low = low + first
    }
}
