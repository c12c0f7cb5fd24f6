// The closed test's shortcut for many systems: a step-down over the hypotheses H_S ("every
// remaining comparison S is a true null"), each tested exactly by permuting jointly within the
// connected components of S.
//
// Under H_S the systems joined by a path of comparisons in S are all equal, so the components of
// S are classes of equals and a permutation within each is exact under H_S; systems H_S allows
// to differ are never pooled. When H_S is rejected, the comparison with the largest statistic is
// decided and the next H_S (one comparison fewer, components perhaps split) is tested, as in
// SPEC.md's step-down. Each H_S is its own group-sequential test with a fixed family S: it is
// replayed from interim 0 on the recorded blocks (same permutations for the same components,
// linear spending, conditioning on not having stopped), so its boundary never depends on which
// comparisons were decided before. Under the global null the first H_S is the `joint` test.
// The step-down relies on critical values that shrink with S (max-T monotonicity); its error
// is measured in docs/statistics.md, not proved.

/// Group-sequential tests of H_S for the step-down.
struct ComponentStepDown: Sendable {
    let groupSize: Int
    let permutations: Int
    let seed: UInt64
    let alpha: Double
    let interims: Int

    /// The outcome of H_S's test replayed through interim k.
    struct Outcome {
        /// Whether the observed maximum crossed a boundary at some interim <= k.
        var rejected: Bool
        /// The boundary at interim k (nil: +infinity, or the test stopped earlier).
        var boundary: Double?
        var paths: Int
        var spent: Double
    }

    /// Replays H_S's test for `family` (comparison indices) on interims 0...k.
    func test(family: [Int], comparisons: [Comparison], scores: [[Double]], through k: Int,
              threads: Int, minWork: Int) -> Outcome {
        let n = groupSize, B = permutations
        // Components of the graph of `family` (union-find over agents).
        var parent: [Int: Int] = [:]
        func find(_ x: Int) -> Int {
            var r = x
            while let p = parent[r], p != r { r = p }
            var y = x
            while let p = parent[y], p != r { parent[y] = r; y = p }
            return r
        }
        for ci in family {
            let c = comparisons[ci]
            if parent[c.a] == nil { parent[c.a] = c.a }
            if parent[c.b] == nil { parent[c.b] = c.b }
            let ra = find(c.a), rb = find(c.b)
            if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
        }
        let agents = parent.keys.sorted()
        var members: [Int: [Int]] = [:]
        for a in agents { members[find(a), default: []].append(a) }
        let classes = members.values.map { $0.sorted() }.sorted { $0[0] < $1[0] }
        var row = [Int: Int]()
        var rowOfGroup: [Int] = []
        var classStart: [Int] = []
        for cl in classes {
            classStart.append(rowOfGroup.count * n)
            for a in cl {
                row[a] = rowOfGroup.count
                rowOfGroup.append(row[a]!)
            }
        }
        classStart.append(rowOfGroup.count * n)
        let pairRows = family.map { (row[comparisons[$0].a]!, row[comparisons[$0].b]!) }
        // The same components draw the same permutations, whenever they are replayed.
        var h: UInt64 = seed
        for cl in classes {
            for a in cl { h = mix64(h ^ UInt64(a + 1)) }
            h = mix64(h ^ 0xC1A5_5E5E_C1A5_5E5E)
        }
        let streamSeed = h
        var sums = [Double](repeating: 0, count: agents.count * B)
        var maxima = [Double](repeating: 0, count: B)
        var pathCount = B
        var spent = 0.0
        var previousBoundary = Double.infinity
        let total = agents.count * n
        let dn = Double(n)
        let N = Double(B)
        for j in 0...k {
            // Condition on not having stopped at j - 1.
            if j > 0 && previousBoundary.isFinite {
                var kept = 0
                sums.withUnsafeMutableBufferPointer { s in
                    for m in 0..<pathCount {
                        var mx = 0.0
                        for (ra, rb) in pairRows { mx = max(mx, abs(s[ra * B + m] - s[rb * B + m])) }
                        guard mx <= previousBoundary else { continue }
                        if kept != m { for r in 0..<agents.count { s[r * B + kept] = s[r * B + m] } }
                        kept += 1
                    }
                }
                pathCount = kept
            }
            // Block j of every agent, class after class.
            var block = [Double](repeating: 0, count: total)
            for cl in classes {
                for a in cl {
                    let r = row[a]!
                    for i in 0..<n { block[r * n + i] = scores[a][j * n + i] }
                }
            }
            let R = pathCount
            block.withUnsafeBufferPointer { blockBuf in
                sums.withUnsafeMutableBufferPointer { s in
                    let out = UncheckedSendable(s.baseAddress!)
                    let values = UncheckedSendable(blockBuf.baseAddress!)
                    parallelChunks(count: R, threads: threads, work: R * total * 3, minWork: minWork) { range in
                        let perm = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, total))
                        defer { perm.deallocate() }
                        for m in range {
                            var rng = SplitMix64(seed: streamSeed, interim: j, index: m)
                            for c in 0..<(classStart.count - 1) {
                                let lo = classStart[c], w = classStart[c + 1] - lo
                                for i in 0..<w { perm[lo + i] = Int32(lo + i) }
                                if m > 0 && w > 1 {
                                    for i in 0..<(w - 1) {
                                        let t = i + Int(rng.next(below: UInt64(w - i)))
                                        let x = perm[lo + i]
                                        perm[lo + i] = perm[lo + t]
                                        perm[lo + t] = x
                                    }
                                }
                            }
                            for g in 0..<rowOfGroup.count {
                                var sum = 0.0
                                for i in (g * n)..<((g + 1) * n) { sum += values.value[Int(perm[i])] }
                                out.value[rowOfGroup[g] * B + m] += sum / dn
                            }
                        }
                    }
                }
            }
            sums.withUnsafeBufferPointer { s in
                for m in 0..<R {
                    var mx = 0.0
                    for (ra, rb) in pairRows { mx = max(mx, abs(s[ra * B + m] - s[rb * B + m])) }
                    maxima[m] = mx
                }
            }
            let observed = maxima[0]
            let clevel = alpha * Double(j + 1) / Double(interims)
            var boundary = Double.infinity
            if R > 0 && spent <= clevel {
                var mStar = min(R - 1, Int(((clevel - spent) * N).rounded(.down)))
                while mStar >= 0 && spent + Double(mStar) / N > clevel { mStar -= 1 }
                while mStar + 1 <= R - 1 && spent + Double(mStar + 1) / N <= clevel { mStar += 1 }
                if mStar >= 0 {
                    boundary = maxima.withUnsafeMutableBufferPointer {
                        selectRank($0.baseAddress!, count: R, rank: R - 1 - mStar)
                    }
                    spent += Double(mStar) / N
                }
            }
            if observed > boundary {
                return Outcome(rejected: true, boundary: boundary, paths: R, spent: spent)
            }
            previousBoundary = boundary
            if j == k {
                return Outcome(rejected: false, boundary: boundary.isFinite ? boundary : nil, paths: R, spent: spent)
            }
        }
        return Outcome(rejected: false, boundary: nil, paths: pathCount, spent: spent)
    }
}
