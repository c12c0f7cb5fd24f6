// The sequential AdaStop test (../shared/adastop/SPEC.md), as a state machine fed interim by
// interim.
//
// Arithmetic follows the reference (REFERENCE.md §11) so that exact-regime results match it bit
// for bit: means are NumPy pairwise sums divided by the count, a block split's two group means
// are taken over positions in increasing order, a path is updated as `(S + mean1) - mean2`, and
// the observed statistic is `(k+1) * |meanA - meanB|`.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Sequential state machine. The caller feeds scores interim by interim.
public struct AdaStopTest: Sendable {
    public let agentCount: Int
    public let comparisons: [Comparison]
    public let config: AdaStopConfig

    /// Threads used for the permutation work (results never depend on it).
    public var parallelism: Int
    /// Below this estimated number of elementary operations a step runs on one thread.
    var minParallelWork = 60_000

    /// P = C(2n, n), saturated at Int.max.
    public let splitsPerBlock: Int

    /// The scheme the test runs: `config.scheme`, except `holm` (Holm over exact pairwise tests,
    /// also valid in the strong sense) when the closed test has too many hypotheses to enumerate
    /// (`ClosedTesting.maxAgents` systems, `ClosedTesting.maxCells` path cells), or `pairwise`
    /// there when n is beyond `PairwiseHolm.maxGroupSize`. Reports name it (`Procedure`).
    public let effectiveScheme: PermutationScheme

    private var workspace: Workspace
    /// The partition hypotheses when the scheme is `closed`.
    private var closed: ClosedTesting?
    /// The pair tests when the scheme is `holm`.
    private var holm: PairwiseHolm?
    private var k = 0
    private var finished = false
    /// Indices into `comparisons` of the undecided comparisons, in comparison order.
    private var tracked: [Int]
    /// Comparisons accepted "equal" early that stay in the single family's statistic (pairwise
    /// and joint schemes): dropping them would choose the family from the data and bias the
    /// boundary (measured: 3 equal systems under `joint`, 0.111 instead of 0.05 at L = 10).
    private var accepted = Set<Int>()
    /// Number of live paths per tracked comparison.
    private var pathCount = 0
    /// Number of interims that enumerated exactly (only meaningful before the first random one).
    private var exactInterims = 0
    private var spent = 0.0
    private var previousBoundary = Double.infinity
    private var previousFamily: [Int] = []
    private var _results: [ComparisonResult]
    private var _scoresUsed: [Int]
    private var _interims: [InterimRecord] = []

    public init(agentCount: Int, comparisons: [Comparison], config: AdaStopConfig) throws {
        try config.validate()
        guard agentCount >= 2 else { throw AdaStopError.tooFewAgents(count: agentCount) }
        guard !comparisons.isEmpty else { throw AdaStopError.noComparisons }
        var seen = Set<Comparison>()
        for c in comparisons {
            if c.a < 0 || c.a >= agentCount || c.b < 0 || c.b >= agentCount {
                throw AdaStopError.invalidComparison(c, reason: "agent index out of range 0..<\(agentCount)")
            }
            if c.a == c.b {
                throw AdaStopError.invalidComparison(c, reason: "an agent compared with itself")
            }
            let key = Comparison(min(c.a, c.b), max(c.a, c.b))
            if !seen.insert(key).inserted {
                throw AdaStopError.duplicateComparison(c)
            }
        }
        var scheme = config.scheme
        if scheme == .closed {
            closed = ClosedTesting(agentCount: agentCount, comparisons: comparisons, permutations: config.permutations,
                                   seed: config.seed)
            if closed == nil { scheme = Self.closedFallback(groupSize: config.groupSize) }
        }
        if scheme == .holm {
            holm = PairwiseHolm(comparisons: comparisons.count, alpha: config.alpha, interims: config.interims,
                                groupSize: config.groupSize)
        }
        self.effectiveScheme = scheme
        // The joint scheme indexes every active agent's block scores with UInt16.
        if scheme == .joint && agentCount * config.groupSize > Int(UInt16.max) + 1 {
            throw AdaStopError.invalidParameter(
                name: "agents x group size (n)", value: "\(agentCount) x \(config.groupSize)",
                requirement: "at most \(Int(UInt16.max) + 1) scores per block with the joint permutation")
        }
        // One row of B doubles per comparison: refuse sizes that cannot be allocated sensibly.
        let (cells, overflow) = comparisons.count.multipliedReportingOverflow(by: config.permutations)
        if overflow || cells > 1_000_000_000 {
            throw AdaStopError.invalidParameter(
                name: "permutations (B)", value: "\(config.permutations)",
                requirement: "at most \(1_000_000_000 / comparisons.count) with \(comparisons.count) comparisons")
        }
        self.agentCount = agentCount
        self.comparisons = comparisons
        self.config = config
        self.parallelism = max(1, min(8, onlineProcessorCount()))
        self.splitsPerBlock = centralBinomial(config.groupSize)
        self.tracked = Array(comparisons.indices)
        self._results = comparisons.map { ComparisonResult(comparison: $0) }
        self._scoresUsed = Array(repeating: 0, count: agentCount)
        // Every regime stays within B paths per comparison: exact interims hold
        // P^(k+1) < B paths, random ones at most B.
        self.workspace = closed != nil || holm != nil
            ? Workspace(rows: 1, capacity: 1, n: config.groupSize)  // the closed test holds its own paths
            : Workspace(rows: comparisons.count, capacity: config.permutations, n: config.groupSize)
    }

    /// What the closed test runs when it has too many hypotheses: Holm over exact pairwise
    /// tests, or SPEC.md's pairwise step-down when n is beyond the exact lattice.
    static func closedFallback(groupSize: Int) -> PermutationScheme {
        groupSize <= PairwiseHolm.maxGroupSize ? .holm : .pairwise
    }

    /// The scheme a test with these comparisons and settings runs (see `effectiveScheme`),
    /// without running it: what reports name as the procedure that decided.
    public static func effectiveScheme(agentCount: Int, comparisons: [Comparison], config: AdaStopConfig) -> PermutationScheme {
        guard config.scheme == .closed else { return config.scheme }
        let fits = ClosedTesting(agentCount: agentCount, comparisons: comparisons, permutations: config.permutations,
                                 seed: config.seed) != nil
        return fits ? .closed : closedFallback(groupSize: config.groupSize)
    }

    /// Next interim to run (0-based).
    public var currentInterim: Int { k }

    /// True once every comparison is decided (at the latest after interim K-1).
    public var isFinished: Bool { finished }

    /// Agents in at least one undecided comparison, ascending: they need `n` new scores for the
    /// next interim. Empty once finished.
    public var agentsNeedingScores: [Int] {
        guard !finished else { return [] }
        var flags = Array(repeating: false, count: agentCount)
        for ci in tracked {
            flags[comparisons[ci].a] = true
            flags[comparisons[ci].b] = true
        }
        if let closed {
            for a in closed.agentsNeeded(undecided: undecidedFlags) { flags[a] = true }
        }
        return flags.indices.filter { flags[$0] }
    }

    /// Per comparison, whether it is still open.
    private var undecidedFlags: [Bool] {
        var undecided = [Bool](repeating: false, count: comparisons.count)
        for ci in tracked where !accepted.contains(ci) { undecided[ci] = true }
        return undecided
    }

    /// Total number of scores `agent` must have for the next interim: `(k+1)·n` while it is in
    /// an undecided comparison, else the number it has used (it is frozen).
    public func scoresNeeded(agent: Int) -> Int {
        guard !finished, agent >= 0, agent < agentCount else {
            return agent >= 0 && agent < agentCount ? _scoresUsed[agent] : 0
        }
        for ci in tracked where comparisons[ci].a == agent || comparisons[ci].b == agent {
            return (k + 1) * config.groupSize
        }
        if let closed, closed.agentsNeeded(undecided: undecidedFlags).contains(agent) {
            return (k + 1) * config.groupSize
        }
        return _scoresUsed[agent]
    }

    /// Per comparison (in `comparisons` order): decision, interim, means.
    public var results: [ComparisonResult] { _results }

    /// Scores used so far per agent: n·(1 + last interim at which the agent was active).
    public var scoresUsed: [Int] { _scoresUsed }

    /// One record per interim run.
    public var interims: [InterimRecord] { _interims }

    /// Comparisons still undecided, in comparison order.
    public var activeComparisons: [Comparison] {
        finished ? [] : tracked.filter { !accepted.contains($0) }.map { comparisons[$0] }
    }

    /// Cumulative level spent so far.
    public var levelSpent: Double { spent }

    /// Runs interim `currentInterim`.
    ///
    /// `scores[agent]` holds ALL scores of that agent so far, in production order. It may be
    /// longer than needed: only the first `scoresNeeded(agent:)` are used. Agents that are not
    /// active may pass anything (even an empty array): their scores are not read.
    public mutating func runInterim(scores: [[Double]]) throws -> InterimRecord {
        guard !finished else { throw AdaStopError.testFinished }
        guard scores.count == agentCount else {
            throw AdaStopError.wrongAgentCount(expected: agentCount, got: scores.count)
        }
        let n = config.groupSize
        let used = (k + 1) * n
        let active = agentsNeedingScores
        for a in active {
            guard scores[a].count >= used else {
                throw AdaStopError.notEnoughScores(agent: a, needed: used, available: scores[a].count)
            }
            for i in 0..<used where !scores[a][i].isFinite {
                throw AdaStopError.nonFiniteScore(agent: a, index: i)
            }
        }
        if closed != nil {
            return runClosedInterim(scores: scores, active: active)
        }
        if holm != nil {
            return runHolmInterim(scores: scores, active: active)
        }

        if !isKnownUniquelyReferenced(&workspace) {
            workspace = workspace.copy()
        }

        // 1. Condition on not having stopped: drop the paths that crossed the previous boundary.
        if k > 0 && previousBoundary.isFinite {
            eliminate(family: previousFamily, boundary: previousBoundary)
        }

        // 2. Extend the paths with block k.
        let P = splitsPerBlock
        let B = config.permutations
        let exact = effectiveScheme == .pairwise && B > saturatingPower(P, k + 1)
        let normalization: Double
        if exact {
            if k == 0 { resetPaths(count: 1) }
            extendExact(scores: scores)
            exactInterims = k + 1
            normalization = Double(saturatingPower(P, k + 1))
        } else {
            if k == 0 { resetPaths(count: B) }
            if effectiveScheme == .pairwise { extendRandom(scores: scores) } else { extendJoint(scores: scores) }
            if k == 0 {
                normalization = Double(B)
            } else {
                switch config.rule {
                case .absolute:
                    normalization = exactInterims == 0 ? Double(B) : Double(saturatingPower(P, exactInterims))
                case .adastop013:
                    // N = C ** floor(log(B) / log(C)) as the reference computes it (Q2).
                    let e = (naturalLog(Double(B)) / naturalLog(Double(P))).rounded(.down)
                    normalization = powInt(Double(P), Int(e))
                }
            }
        }

        // 3. Observed statistics.
        let (signed, statistic) = observeStatistics(scores: scores, used: used)

        // 4. Boundary and step-down.
        let clevel = (config.alpha * Double(k + 1)) / Double(config.interims)
        let startActive = activeComparisons
        var family = tracked
        var decided: [Comparison] = []
        var boundary = Double.infinity
        var added = 0.0
        for _ in 0..<tracked.count {
            (boundary, added) = computeBoundary(family: family, normalization: normalization, clevel: clevel)
            // Largest positive T in the family, ties to the earliest comparison.
            var best = -1
            var bestT = 0.0
            for (pos, ci) in family.enumerated() {
                let t = statistic[ci]
                if t > bestT {
                    bestT = t
                    best = pos
                }
            }
            guard best >= 0, bestT > boundary else { break }
            let ci = family.remove(at: best)
            // A comparison accepted early keeps its reported "equal" (non-binding early accept).
            if accepted.remove(ci) == nil {
                _results[ci].decision = signed[ci] > 0 ? .larger : .smaller
                _results[ci].interim = k
                decided.append(comparisons[ci])
            }
            if family.isEmpty { break }
        }
        spent += added

        for a in active { _scoresUsed[a] = used }
        // Conditioning at the next interim uses the family the boundary was computed on.
        previousFamily = family
        previousBoundary = boundary
        tracked = family
        decided += acceptEqualOrFinish(scores: scores, used: used)
        let record = InterimRecord(
            interim: k, boundary: boundary.isFinite ? boundary : nil, levelSpent: spent, active: startActive,
            decided: decided, levelAdded: added, exact: exact, paths: pathCount, normalization: normalization)
        return advance(record)
    }

    /// Statistics of the tracked comparisons on the first `used` scores: the signed
    /// `(k+1)·(meanA − meanB)` and `T = (k+1)·|meanA − meanB|` by comparison index. The results
    /// of the open ones are updated (an accepted one keeps the means it was decided on).
    private mutating func observeStatistics(scores: [[Double]], used: Int) -> (signed: [Double], statistic: [Double]) {
        var signed = [Double](repeating: 0, count: comparisons.count)
        var statistic = [Double](repeating: 0, count: comparisons.count)
        for ci in tracked {
            let c = comparisons[ci]
            let meanA = numpyMean(scores[c.a][0..<used])
            let meanB = numpyMean(scores[c.b][0..<used])
            signed[ci] = Double(k + 1) * (meanA - meanB)
            statistic[ci] = Double(k + 1) * abs(meanA - meanB)
            guard !accepted.contains(ci) else { continue }
            _results[ci].meanA = meanA
            _results[ci].meanB = meanB
            _results[ci].statistic = statistic[ci]
        }
        return (signed, statistic)
    }

    /// Early accept of the open comparisons (before the last interim, when `config.futility` is
    /// set), or "equal" for all of them at the last interim; returns them in comparison order.
    /// The closed test drops them from `tracked` (its hypotheses keep fixed families); the single
    /// family keeps them in its statistic while any comparison is still open.
    private mutating func acceptEqualOrFinish(scores: [[Double]], used: Int) -> [Comparison] {
        let last = k == config.interims - 1
        var decided: [Comparison] = []
        if last || config.futility != nil {
            for ci in tracked where !accepted.contains(ci) {
                let c = comparisons[ci]
                let equal = last || config.futility!.acceptsEqual(scores[c.a][0..<used], scores[c.b][0..<used],
                                                                 interims: config.interims)
                guard equal else { continue }
                _results[ci].decision = .equal
                _results[ci].interim = k
                decided.append(c)
                accepted.insert(ci)
            }
        }
        if closed != nil || holm != nil || tracked.allSatisfy(accepted.contains) {
            tracked = tracked.filter { !accepted.contains($0) }
            accepted = []
        }
        return decided
    }

    /// Appends the record and moves to the next interim.
    private mutating func advance(_ record: InterimRecord) -> InterimRecord {
        _interims.append(record)
        k += 1
        if tracked.isEmpty || k >= config.interims {
            finished = true
        }
        return record
    }

    /// An interim of the closed test: every open partition hypothesis runs its own step, then
    /// each comparison all of whose hypotheses are rejected is decided.
    private mutating func runClosedInterim(scores: [[Double]], active: [Int]) -> InterimRecord {
        let n = config.groupSize
        let used = (k + 1) * n
        let signed = observeStatistics(scores: scores, used: used).signed
        let undecided = undecidedFlags
        let startActive = tracked.map { comparisons[$0] }
        let steps = closed!.runInterim(k: k, n: n, undecided: undecided, comparisons: comparisons, scores: scores,
                                       alpha: config.alpha, interims: config.interims, threads: parallelism,
                                       minWork: minParallelWork)
        // Rejections, largest statistic first (ties: comparison order).
        let rejected = tracked.filter { closed!.isRejected(comparison: $0) }
            .sorted { _results[$0].statistic > _results[$1].statistic || (_results[$0].statistic == _results[$1].statistic && $0 < $1) }
        let decided = decide(rejected: rejected, signed: signed, scores: scores, active: active, used: used)
        // The record shows the widest hypothesis tested (the global one while it stands).
        let shown = steps.first
        spent = shown?.spent ?? spent
        let record = InterimRecord(
            interim: k, boundary: shown.flatMap { $0.boundary.isFinite ? $0.boundary : nil }, levelSpent: spent,
            active: startActive, decided: decided, levelAdded: shown?.added ?? 0, exact: false, paths: shown?.paths ?? 0,
            normalization: shown?.normalization ?? Double(config.permutations))
        return advance(record)
    }

    /// Records this interim's rejections (signed by the observed difference), drops them from the
    /// tracked comparisons, counts the scores used, then applies early accept or the last interim.
    private mutating func decide(rejected: [Int], signed: [Double], scores: [[Double]], active: [Int], used: Int) -> [Comparison] {
        var decided: [Comparison] = []
        for ci in rejected {
            _results[ci].decision = signed[ci] > 0 ? .larger : .smaller
            _results[ci].interim = k
            decided.append(comparisons[ci])
        }
        let rejectedSet = Set(rejected)
        tracked = tracked.filter { !rejectedSet.contains($0) }
        for a in active { _scoresUsed[a] = used }
        return decided + acceptEqualOrFinish(scores: scores, used: used)
    }

    /// Holm's step-down over the open pairs' exact tests (`PairwiseHolm`).
    private mutating func runHolmInterim(scores: [[Double]], active: [Int]) -> InterimRecord {
        let n = config.groupSize
        let used = (k + 1) * n
        let signed = observeStatistics(scores: scores, used: used).signed
        let startActive = tracked.map { comparisons[$0] }
        let rejected = holm!.runInterim(k: k, open: tracked, comparisons: comparisons, scores: scores)
        let decided = decide(rejected: rejected, signed: signed, scores: scores, active: active, used: used)
        // The level each open pair is now tested at (Holm's alpha / pairs not rejected).
        let record = InterimRecord(
            interim: k, boundary: nil, levelSpent: holm!.currentLevel, active: startActive, decided: decided,
            levelAdded: 0, exact: true, paths: 0, normalization: 0)
        return advance(record)
    }

    // MARK: - Permutation machinery

    private func threadsFor(work: Int) -> Int {
        work >= minParallelWork ? parallelism : 1
    }

    /// Sets `count` zero-valued paths for every tracked comparison.
    private mutating func resetPaths(count: Int) {
        let cap = workspace.capacity
        for ci in tracked {
            (workspace.paths + ci * cap).update(repeating: 0, count: count)
        }
        pathCount = count
    }

    /// Keeps the paths whose maximum |S| over `family` is at most `boundary`, in order.
    private mutating func eliminate(family: [Int], boundary: Double) {
        let R = pathCount
        guard R > 0, !family.isEmpty else { return }
        let ws = workspace
        let cap = ws.capacity
        let keep = UncheckedSendable(ws.keep)
        let paths = UncheckedSendable(ws.paths)
        let fam = family
        parallelChunks(count: R, threads: parallelism, work: R * fam.count, minWork: minParallelWork) { range in
            for m in range {
                var mx = 0.0
                for ci in fam {
                    let v = abs(paths.value[ci * cap + m])
                    if v > mx { mx = v }
                }
                keep.value[m] = mx <= boundary ? 1 : 0
            }
        }
        var kept = 0
        for m in 0..<R where ws.keep[m] != 0 {
            if kept != m {
                for ci in tracked {
                    let row = ws.paths + ci * cap
                    row[kept] = row[m]
                }
            }
            kept += 1
        }
        pathCount = kept
    }

    /// Gathers block k of comparison `c` into `out` (2n values: agent a's then agent b's).
    private func pooledBlock(_ c: Comparison, scores: [[Double]], into out: UnsafeMutablePointer<Double>) {
        let n = config.groupSize
        let lo = k * n
        for i in 0..<n {
            out[i] = scores[c.a][lo + i]
            out[n + i] = scores[c.b][lo + i]
        }
    }

    /// Exact regime: every kept path times every split of block k (split-major order).
    private mutating func extendExact(scores: [[Double]]) {
        let n = config.groupSize
        let width = 2 * n
        let P = splitsPerBlock
        let ws = workspace
        let combos = UncheckedSendable(ws.ensureCombos(count: P))
        let means = UncheckedSendable(ws.blockMeans!)
        let R = pathCount
        let cap = ws.capacity
        let pooled = UnsafeMutablePointer<Double>.allocate(capacity: width)
        defer { pooled.deallocate() }
        let dn = Double(n)
        for ci in tracked {
            pooledBlock(comparisons[ci], scores: scores, into: pooled)
            let w = UncheckedSendable(UnsafePointer(pooled))
            parallelChunks(count: P, threads: parallelism, work: P * width, minWork: minParallelWork) { range in
                for s in range {
                    let idx = UnsafePointer(combos.value + s * width)
                    let m1 = numpySumIndexed(w.value, idx, n) / dn
                    let m2 = numpySumIndexed(w.value, idx + n, n) / dn
                    means.value[2 * s] = m1
                    means.value[2 * s + 1] = m2
                }
            }
            let row = UncheckedSendable(ws.paths + ci * cap)
            // Splits s >= 1 write to [s*R, (s+1)*R), disjoint from the old paths [0, R).
            if P > 1 {
                parallelChunks(count: P - 1, threads: parallelism, work: (P - 1) * R, minWork: minParallelWork) { range in
                    for s in range {
                        let sp = s + 1
                        let m1 = means.value[2 * sp]
                        let m2 = means.value[2 * sp + 1]
                        let dst = row.value + sp * R
                        for r in 0..<R {
                            dst[r] = (row.value[r] + m1) - m2
                        }
                    }
                }
            }
            let m1 = means.value[0]
            let m2 = means.value[1]
            for r in 0..<R {
                row.value[r] = (row.value[r] + m1) - m2
            }
        }
        pathCount = P * R
    }

    /// Random regime: each kept path is extended by one split of block k; the first by the
    /// identity, path m >= 1 by a uniformly random split drawn from SplitMix64(seed, k, m)
    /// (Floyd's algorithm when 2n <= 64, a partial Fisher-Yates shuffle otherwise). All
    /// comparisons use the same split at the same index.
    private mutating func extendRandom(scores: [[Double]]) {
        let n = config.groupSize
        let width = 2 * n
        let R = pathCount
        guard R > 0 else { return }
        let ws = workspace
        let cap = ws.capacity
        let splits = UncheckedSendable(ws.ensureSplits())
        let seed = config.seed
        let interim = k
        parallelChunks(count: R, threads: parallelism, work: R * width * 4, minWork: minParallelWork) { range in
            let perm = UnsafeMutablePointer<UInt16>.allocate(capacity: width)
            let member = UnsafeMutablePointer<Bool>.allocate(capacity: width)
            defer {
                perm.deallocate()
                member.deallocate()
            }
            for m in range {
                let out = splits.value + m * width
                if m == 0 {
                    for i in 0..<width { out[i] = UInt16(i) }
                    continue
                }
                var rng = SplitMix64(seed: seed, interim: interim, index: m)
                if width <= 64 {
                    // Floyd's sampling of an n-subset of 0..<2n: exactly n draws, uniform
                    // over subsets; membership in a bit mask.
                    var mask: UInt64 = 0
                    for j in (width - n)..<width {
                        let t = Int(rng.next(below: UInt64(j + 1)))
                        let bit: UInt64 = 1 << UInt64(t)
                        mask |= (mask & bit) == 0 ? bit : (1 << UInt64(j))
                    }
                    let full: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) - 1
                    var f = 0
                    var rest = mask
                    while rest != 0 {
                        out[f] = UInt16(rest.trailingZeroBitCount)
                        rest &= rest - 1
                        f += 1
                    }
                    rest = ~mask & full
                    while rest != 0 {
                        out[f] = UInt16(rest.trailingZeroBitCount)
                        rest &= rest - 1
                        f += 1
                    }
                    continue
                }
                for i in 0..<width {
                    perm[i] = UInt16(i)
                    member[i] = false
                }
                for i in 0..<n {
                    let j = i + Int(rng.next(below: UInt64(width - i)))
                    let t = perm[i]
                    perm[i] = perm[j]
                    perm[j] = t
                    member[Int(perm[i])] = true
                }
                var f = 0
                var s = n
                for p in 0..<width {
                    if member[p] {
                        out[f] = UInt16(p)
                        f += 1
                    } else {
                        out[s] = UInt16(p)
                        s += 1
                    }
                }
            }
        }
        // Pooled blocks of every tracked comparison, then the path updates.
        let rows = tracked
        let pooled = UnsafeMutablePointer<Double>.allocate(capacity: max(1, rows.count * width))
        defer { pooled.deallocate() }
        for (t, ci) in rows.enumerated() {
            pooledBlock(comparisons[ci], scores: scores, into: pooled + t * width)
        }
        let w = UncheckedSendable(UnsafePointer(pooled))
        let paths = UncheckedSendable(ws.paths)
        let dn = Double(n)
        parallelChunks(count: R, threads: parallelism, work: R * rows.count * width, minWork: minParallelWork) { range in
            for m in range {
                let idx = UnsafePointer(splits.value + m * width)
                for (t, ci) in rows.enumerated() {
                    let wt = w.value + t * width
                    let m1 = numpySumIndexed(wt, idx, n) / dn
                    let m2 = numpySumIndexed(wt, idx + n, n) / dn
                    let p = paths.value + ci * cap + m
                    p.pointee = (p.pointee + m1) - m2
                }
            }
        }
    }

    /// Joint scheme: path m >= 1 is extended by one uniformly random permutation of the block-k
    /// scores of every active agent (SplitMix64(seed, k, m), Fisher-Yates), dealt into groups
    /// of n in agent order; each tracked comparison (a, b) adds mean(group of a) - mean(group
    /// of b). Path 0 is the identity, i.e. the observed statistic.
    private mutating func extendJoint(scores: [[Double]]) {
        let n = config.groupSize
        let R = pathCount
        guard R > 0 else { return }
        let agents = agentsNeedingScores
        let L = agents.count
        let width = L * n
        var group = [Int](repeating: -1, count: agentCount)
        for (g, a) in agents.enumerated() { group[a] = g }
        let pooled = UnsafeMutablePointer<Double>.allocate(capacity: width)
        defer { pooled.deallocate() }
        for (g, a) in agents.enumerated() {
            for i in 0..<n { pooled[g * n + i] = scores[a][k * n + i] }
        }
        let rows = tracked.map { (row: $0, a: group[comparisons[$0].a], b: group[comparisons[$0].b]) }
        let w = UncheckedSendable(UnsafePointer(pooled))
        let paths = UncheckedSendable(workspace.paths)
        let cap = workspace.capacity
        let seed = config.seed
        let interim = k
        let dn = Double(n)
        parallelChunks(count: R, threads: parallelism, work: R * width * 4, minWork: minParallelWork) { range in
            let perm = UnsafeMutablePointer<UInt16>.allocate(capacity: width)
            let means = UnsafeMutablePointer<Double>.allocate(capacity: L)
            defer {
                perm.deallocate()
                means.deallocate()
            }
            for m in range {
                for i in 0..<width { perm[i] = UInt16(i) }
                if m > 0 {
                    var rng = SplitMix64(seed: seed, interim: interim, index: m)
                    for i in 0..<(width - 1) {
                        let j = i + Int(rng.next(below: UInt64(width - i)))
                        let t = perm[i]
                        perm[i] = perm[j]
                        perm[j] = t
                    }
                }
                for g in 0..<L { means[g] = numpySumIndexed(w.value, UnsafePointer(perm + g * n), n) / dn }
                for r in rows {
                    let p = paths.value + r.row * cap + m
                    p.pointee = (p.pointee + means[r.a]) - means[r.b]
                }
            }
        }
    }

    /// Boundary for `family` at the current interim (SPEC "Boundary and alpha spending"):
    /// returns (b, level added); b = +inf when no sorted value qualifies.
    private func computeBoundary(family: [Int], normalization N: Double, clevel: Double) -> (Double, Double) {
        let R = pathCount
        let ws = workspace
        guard R > 0, !family.isEmpty, let mStar = largestAdmissible(paths: R, spent: spent, clevel: clevel, normalization: N) else {
            return (.infinity, 0)
        }
        let cap = ws.capacity
        let paths = UncheckedSendable(ws.paths)
        let maxv = UncheckedSendable(ws.maxValues)
        let fam = family
        let useAbs = config.rule == .absolute
        parallelChunks(count: R, threads: parallelism, work: R * fam.count, minWork: minParallelWork) { range in
            for m in range {
                var mx = -Double.infinity
                if useAbs {
                    for ci in fam {
                        let v = abs(paths.value[ci * cap + m])
                        if v > mx { mx = v }
                    }
                } else {
                    for ci in fam {
                        let v = paths.value[ci * cap + m]
                        if v > mx { mx = v }
                    }
                }
                maxv.value[m] = mx
            }
        }
        // b = v[r*] with r* = R-1-m*, i.e. the (m*+1)-th largest value.
        let b = selectRank(ws.maxValues, count: R, rank: R - 1 - mStar)
        return (b, Double(mStar) / N)
    }
}

/// Linear alpha spending: the largest m in [0, R-1] with spent + m/N <= clevel, i.e. how many
/// of the R paths may lie above the boundary; nil when not even m = 0 fits. Shared by the single
/// family and the closed test's hypotheses.
func largestAdmissible(paths R: Int, spent: Double, clevel: Double, normalization N: Double) -> Int? {
    func admissible(_ m: Int) -> Bool { spent + Double(m) / N <= clevel }
    guard R > 0, admissible(0) else { return nil }
    if admissible(R - 1) { return R - 1 }
    var lo = 0, hi = R - 1  // admissible(lo), !admissible(hi)
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2
        if admissible(mid) { lo = mid } else { hi = mid }
    }
    return lo
}

/// x^e for a small non-negative integer e (as Python's `int ** float` does for exact powers).
func powInt(_ x: Double, _ e: Int) -> Double {
    pow(x, Double(e))
}


/// Runs the test to completion on fixed score arrays, as the reference CLI does on a CSV fed
/// interim by interim: interim k runs only if every agent still needed has at least (k+1)·n
/// scores. If the data run out first, the remaining comparisons stay undecided (`decision ==
/// nil`) and the caller can append scores and run again (the test is deterministic, so rerunning
/// from the start on the longer data gives the same first interims).
public func runAdaStop(scores: [[Double]], comparisons: [Comparison], config: AdaStopConfig) throws
    -> (results: [ComparisonResult], scoresUsed: [Int], interims: [InterimRecord])
{
    var test = try AdaStopTest(agentCount: scores.count, comparisons: comparisons, config: config)
    try test.runAvailable(scores: scores)
    return (test.results, test.scoresUsed, test.interims)
}

extension AdaStopTest {
    /// Whether `scores` hold enough for the next interim of every agent that needs scores.
    public func canRunInterim(scores: [[Double]]) -> Bool {
        guard !isFinished, scores.count == agentCount else { return false }
        return agentsNeedingScores.allSatisfy { scores[$0].count >= scoresNeeded(agent: $0) }
    }

    /// Runs interims while the data allow; returns how many were run by this call.
    @discardableResult
    public mutating func runAvailable(scores: [[Double]]) throws -> Int {
        if scores.count != agentCount {
            throw AdaStopError.wrongAgentCount(expected: agentCount, got: scores.count)
        }
        var ran = 0
        while canRunInterim(scores: scores) {
            _ = try runInterim(scores: scores)
            ran += 1
        }
        return ran
    }
}
