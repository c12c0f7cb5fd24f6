// Closed testing over equality partitions: the state behind `PermutationScheme.closed`.
//
// A partition of the compared systems into classes of equals is a hypothesis H_π ("the
// systems of each class are equally good"). "i equals j" is implied by every H_π that puts i
// and j in one class, so closed testing (Marcus, Peritz & Gabriel 1976) rejects it once each of
// those H_π is rejected by its own level-alpha test; that holds the family-wise error in the
// strong sense. Each H_π has its own group-sequential permutation test: its statistic is the
// maximum |S| over the undecided compared pairs inside its classes, its permutations shuffle the
// block scores jointly *within* each class (exact under H_π, and never pooling systems H_π
// allows to differ), and it spends alpha linearly with conditioning on not having stopped,
// as SPEC.md does for the single family.
//
// Only the agents that appear in a within-class compared pair matter to a test, so partitions
// that agree on those are one hypothesis. With every pair of L systems compared there are
// Bell(L) - 1 hypotheses (L = 5: 51; L = 6: 202).

/// The hypotheses of the closed test and their permutation paths.
struct ClosedTesting: Sendable {
    struct Hypothesis: Sendable {
        /// Classes of equals (agents ascending), each holding a compared pair.
        var classes: [[Int]]
        /// Comparisons whose two agents share a class.
        var pairs: [Int]
        /// Agents with a row in `sums`, ascending.
        var agents: [Int]
        /// Seed of this hypothesis' permutations.
        var seed: UInt64
        var rejectedAt: Int?
        var spent = 0.0
        var previousBoundary = Double.infinity
        var previousFamily: [Int] = []
        var pathCount = 0
        /// Equally likely paths the list stands for (N of the spending rule): B, or C(2n, n)
        /// when a two-system hypothesis enumerated its first block exactly.
        var normalization = 0.0
        /// Row-major `agents.count x capacity`: per agent and path, the running sum of the block
        /// means the permutations dealt to that agent. Path 0 is the identity (the data).
        var sums: [Double] = []

        func row(of agent: Int) -> Int { agents.firstIndex(of: agent)! }
    }

    /// What one hypothesis test did at an interim (for the interim record).
    struct Step: Sendable {
        var hypothesis: Int
        var boundary: Double
        var paths: Int
        var spent: Double
        var added: Double
        var normalization: Double
    }

    /// Largest number of compared agents enumerated (Bell(8) = 4140 partitions).
    static let maxAgents = 8
    /// Largest number of path cells (agent rows x B) held; beyond it the test uses `joint`.
    static let maxCells = 40_000_000

    private(set) var hypotheses: [Hypothesis]
    /// Per comparison, the hypotheses that imply it.
    private(set) var implying: [[Int]]
    let capacity: Int

    /// The hypotheses for `comparisons`, or nil when there are too many to hold.
    init?(agentCount: Int, comparisons: [Comparison], permutations: Int, seed: UInt64) {
        let involved = Array(Set(comparisons.flatMap { [$0.a, $0.b] })).sorted()
        guard involved.count <= Self.maxAgents else { return nil }
        // Every pair compared: Bell(L) - 1 hypotheses of at least two agents each. When even
        // that lower bound of path cells is over the cap, skip the enumeration (the same answer).
        let bell = [1, 1, 2, 5, 15, 52, 203, 877, 4140]
        if comparisons.count == involved.count * (involved.count - 1) / 2,
           Double(bell[involved.count] - 1) * 2 * Double(permutations) > Double(Self.maxCells) {
            return nil
        }
        var seen = Set<[[Int]]>()
        var found: [[[Int]]] = []
        // Restricted growth strings: label[i] <= 1 + max(label[0..<i]).
        var labels = [Int](repeating: 0, count: involved.count)
        func visit(_ i: Int, _ top: Int) {
            if i == involved.count {
                var classOf = [Int: Int]()
                for (p, a) in involved.enumerated() { classOf[a] = labels[p] }
                var members = [Int: Set<Int>]()
                for c in comparisons where classOf[c.a] == classOf[c.b] {
                    members[classOf[c.a]!, default: []].formUnion([c.a, c.b])
                }
                guard !members.isEmpty else { return }
                let signature = members.values.map { $0.sorted() }.sorted { $0.lexicographicallyPrecedes($1) }
                if seen.insert(signature).inserted { found.append(signature) }
                return
            }
            for l in 0...(top + 1) {
                labels[i] = l
                visit(i + 1, max(top, l))
            }
        }
        if involved.isEmpty { return nil }
        labels[0] = 0
        visit(1, 0)
        // The global hypothesis (most agents in one class) first, then a stable order.
        found.sort { lhs, rhs in
            let l = lhs.map(\.count).max()!, r = rhs.map(\.count).max()!
            if l != r { return l > r }
            let la = lhs.reduce(0) { $0 + $1.count }, ra = rhs.reduce(0) { $0 + $1.count }
            if la != ra { return la > ra }
            return lhs.lexicographicallyPrecedes(rhs) { $0.lexicographicallyPrecedes($1) }
        }
        var cells = 0
        var hypotheses: [Hypothesis] = []
        var implying = [[Int]](repeating: [], count: comparisons.count)
        for (index, classes) in found.enumerated() {
            var classOf = [Int: Int]()
            for (ci, cl) in classes.enumerated() { for a in cl { classOf[a] = ci } }
            let pairs = comparisons.indices.filter {
                let c = comparisons[$0]
                return classOf[c.a] != nil && classOf[c.a] == classOf[c.b]
            }
            for p in pairs { implying[p].append(index) }
            let agents = classes.flatMap { $0 }.sorted()
            cells += agents.count * permutations
            guard cells <= Self.maxCells else { return nil }
            hypotheses.append(Hypothesis(classes: classes, pairs: pairs, agents: agents,
                                         seed: mix64(seed ^ (UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15))))
        }
        self.hypotheses = hypotheses
        self.implying = implying
        self.capacity = permutations
    }

    /// Whether every hypothesis implying comparison `ci` is rejected.
    func isRejected(comparison ci: Int) -> Bool {
        implying[ci].allSatisfy { hypotheses[$0].rejectedAt != nil }
    }

    /// Whether hypothesis `h` is still tested: not rejected, and some pair it implies is open.
    func isLive(_ h: Int, undecided: [Bool]) -> Bool {
        hypotheses[h].rejectedAt == nil && hypotheses[h].pairs.contains { undecided[$0] }
    }

    /// Agents the live hypotheses need scores from: a pair accepted "equal" early keeps its two
    /// systems running while a live hypothesis still holds them, so that no test's statistic
    /// changes with the data (which would bias it).
    func agentsNeeded(undecided: [Bool]) -> Set<Int> {
        var out = Set<Int>()
        for h in hypotheses.indices where isLive(h, undecided: undecided) { out.formUnion(hypotheses[h].agents) }
        return out
    }

    /// Runs interim `k` of every live hypothesis. `undecided[ci]` marks the comparisons still
    /// open; `scores` as in `AdaStopTest.runInterim`.
    mutating func runInterim(k: Int, n: Int, undecided: [Bool], comparisons: [Comparison], scores: [[Double]],
                             alpha: Double, interims K: Int, threads: Int, minWork: Int) -> [Step] {
        var steps: [Step] = []
        let clevel = alpha * Double(k + 1) / Double(K)
        for h in hypotheses.indices where isLive(h, undecided: undecided) {
            steps.append(step(h, k: k, n: n, comparisons: comparisons, scores: scores, clevel: clevel,
                              threads: threads, minWork: minWork))
        }
        return steps
    }

    /// One interim of hypothesis `h`'s group-sequential test. Its family (every compared pair
    /// inside its classes) never changes while it stands, so the test is exact under H_π.
    private mutating func step(_ h: Int, k: Int, n: Int, comparisons: [Comparison], scores: [[Double]],
                               clevel: Double, threads: Int, minWork: Int) -> Step {
        var hyp = hypotheses[h]
        hypotheses[h].sums = []  // hold the buffer uniquely while it is worked on
        let B = capacity
        if k == 0 {
            hyp.sums = [Double](repeating: 0, count: hyp.agents.count * B)
            hyp.pathCount = B
            hyp.normalization = Double(B)
        }
        // A hypothesis on two systems alone is their pairwise test: while the C(2n, n) splits
        // of the first block fit in B, they are enumerated exactly, as SPEC.md does. Random
        // draws would repeat the data's own split about B/C(2n, n) times, and with n = 5 those
        // ties alone keep the boundary at the observed value, so nothing could be decided at the
        // first interim.
        let splits = centralBinomial(n)
        let exactFirst = k == 0 && hyp.classes.count == 1 && hyp.classes[0].count == 2 && splits < B
        if exactFirst {
            hyp.pathCount = splits
            hyp.normalization = Double(splits)
        }
        let family = hyp.pairs
        let rows = family.map { (hyp.row(of: comparisons[$0].a), hyp.row(of: comparisons[$0].b)) }
        // 1. Condition on not having stopped at the previous interim.
        if k > 0 && hyp.previousBoundary.isFinite {
            let bound = hyp.previousBoundary
            var kept = 0
            hyp.sums.withUnsafeMutableBufferPointer { s in
                for m in 0..<hyp.pathCount {
                    var mx = 0.0
                    for (ra, rb) in rows { mx = max(mx, abs(s[ra * B + m] - s[rb * B + m])) }
                    guard mx <= bound else { continue }
                    if kept != m { for r in 0..<hyp.agents.count { s[r * B + kept] = s[r * B + m] } }
                    kept += 1
                }
            }
            hyp.pathCount = kept
        }
        // After an exact first block, each surviving split is copied B / C(2n, n) times, every
        // copy extended by its own random split: all copies stay equally likely, so N grows by
        // the same factor and the boundary keeps the resolution of B paths.
        if k == 1 && hyp.normalization == Double(splits) && splits < B && B / splits >= 2 {
            let copies = B / splits
            let kept = hyp.pathCount
            var widened = [Double](repeating: 0, count: hyp.agents.count * B)
            for r in 0..<hyp.agents.count {
                for o in 0..<kept {
                    let value = hyp.sums[r * B + o]
                    for c in 0..<copies { widened[r * B + o * copies + c] = value }
                }
            }
            hyp.sums = widened
            hyp.pathCount = kept * copies
            hyp.normalization = Double(splits * copies)
        }
        // 2. Extend every path by a permutation of block k within each class (path 0: identity).
        //    Block scores of all classes sit in one buffer, class after class, agent after agent.
        var block: [Double] = []
        var classStart: [Int] = []
        var rowOfGroup: [Int] = []
        for cl in hyp.classes {
            classStart.append(block.count)
            for a in cl {
                block += scores[a][(k * n)..<((k + 1) * n)]
                rowOfGroup.append(hyp.row(of: a))
            }
        }
        classStart.append(block.count)
        let R = hyp.pathCount
        let seed = hyp.seed
        let total = block.count
        let dn = Double(n)
        if exactFirst {
            // Split s puts positions combos[s][0..<n] with the first agent (s = 0: the data).
            let table = Workspace(rows: 1, capacity: 1, n: n)
            withExtendedLifetime(table) {
                let combos = table.ensureCombos(count: splits)
                for split in 0..<splits {
                    let row = combos + split * total
                    var first = 0.0, second = 0.0
                    for i in 0..<n { first += block[Int(row[i])] }
                    for i in n..<total { second += block[Int(row[i])] }
                    hyp.sums[rowOfGroup[0] * B + split] += first / dn
                    hyp.sums[rowOfGroup[1] * B + split] += second / dn
                }
            }
        } else {
            block.withUnsafeBufferPointer { blockBuf in
                hyp.sums.withUnsafeMutableBufferPointer { s in
                    let sums = UncheckedSendable(s.baseAddress!)
                    let values = UncheckedSendable(blockBuf.baseAddress!)
                    parallelChunks(count: R, threads: threads, work: R * total * 3, minWork: minWork) { range in
                        let perm = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, total))
                        defer { perm.deallocate() }
                        for m in range {
                            var rng = SplitMix64(seed: seed, interim: k, index: m)
                            for c in 0..<(classStart.count - 1) {
                                let lo = classStart[c], w = classStart[c + 1] - lo
                                for i in 0..<w { perm[lo + i] = Int32(lo + i) }
                                if m > 0 {
                                    for i in 0..<(w - 1) {
                                        let j = i + Int(rng.next(below: UInt64(w - i)))
                                        let t = perm[lo + i]
                                        perm[lo + i] = perm[lo + j]
                                        perm[lo + j] = t
                                    }
                                }
                            }
                            var g = 0
                            var i = 0
                            while i < total {
                                var sum = 0.0
                                for j in i..<(i + n) { sum += values.value[Int(perm[j])] }
                                sums.value[rowOfGroup[g] * B + m] += sum / dn
                                g += 1
                                i += n
                            }
                        }
                    }
                }
            }
        }
        // 3. Boundary (linear spending) and the test of H_π.
        var maxima = [Double](repeating: 0, count: R)
        hyp.sums.withUnsafeBufferPointer { s in
            for m in 0..<R {
                var mx = 0.0
                for (ra, rb) in rows { mx = max(mx, abs(s[ra * B + m] - s[rb * B + m])) }
                maxima[m] = mx
            }
        }
        let observed = maxima[0]
        let N = hyp.normalization
        var boundary = Double.infinity
        var added = 0.0
        if let mStar = largestAdmissible(paths: R, spent: hyp.spent, clevel: clevel, normalization: N) {
            boundary = maxima.withUnsafeMutableBufferPointer { selectRank($0.baseAddress!, count: R, rank: R - 1 - mStar) }
            added = Double(mStar) / N
        }
        hyp.spent += added
        if observed > boundary {
            hyp.rejectedAt = k
            hyp.sums = []
        } else {
            hyp.previousBoundary = boundary
            hyp.previousFamily = family
        }
        let step = Step(hypothesis: h, boundary: boundary, paths: R, spent: hyp.spent, added: added, normalization: N)
        hypotheses[h] = hyp
        return step
    }
}
