import TTSCore
import TTSStore
import AdaStop

/// The curves of `confidence_consistency` (`confidence: reward`): the confidence-weighted Beta
/// rule over the pools of a system on the same model that records each sample's reward by the
/// same scorer (`best_of_n`), each vote weighted by `VoteWeighting` as the strategy weights it.
///
/// A pool is used only when it is the pool the adaptive system read: replaying the system's own
/// rule on the pool in its recorded order must give, on every item-seed both ran, the samples the
/// system read, its correctness and its winner's total confidence (its recorded reward). That
/// checks model, temperature, pool, scorer and weighting from the database alone.
extension AdaptiveCurves {
    /// Strategy kinds whose recorded pool scores hold rewards (`best_of_n`, when neither its
    /// verifier nor its scorer calls a model: those pools are not recorded).
    static let rewardSources = ["best_of_n"]
    /// Random orders averaged over all pools of one curve point (at least `minimumOrders` per pool).
    static let confidenceOrderBudget = 40_000
    static let minimumOrders = 16

    /// The settings a `confidence_consistency` label states: whether its confidence is a reward,
    /// its threshold and minimum samples (`confidence_consistency-rm-0.9-min3@16`).
    static func confidenceSettings(label: String) -> (reward: Bool, threshold: Double, minN: Int)? {
        guard let body = label.split(separator: "@").first else { return nil }
        let parts = body.split(separator: "-").dropFirst()
        guard let first = parts.first, first == "rm" || first == "logprobs" else { return nil }
        var threshold = 0.95, minN = 2
        for part in parts.dropFirst() {
            if part.hasPrefix("min"), let m = Int(part.dropFirst(3)) { minN = m } else if let t = Double(part) { threshold = t } else { return nil }
        }
        return (first == "rm", threshold, minN)
    }

    static func confidenceCurves(board: Leaderboard, rows: [Leaderboard.Row], reader: StoreReader, into out: inout Leaderboard.Adaptive) throws {
        var done: [(model: String, maxN: Int, minN: Int, threshold: Double)] = []
        for row in rows.sorted(by: { ($0.model, $0.samplesPerItem, $0.name) < ($1.model, $1.samplesPerItem, $1.name) }) {
            guard let settings = confidenceSettings(label: row.strategyLabel) else { continue }
            guard settings.reward else {
                out.missingCurves.append("\(row.name): confidence_consistency with confidence: logprobs has no curve "
                    + "(recorded pools keep no token probabilities).")
                continue
            }
            let maxN = row.samplesPerItem
            if done.contains(where: { $0 == (row.model, maxN, settings.minN, settings.threshold) }) { continue }
            let own = AdaptiveStopping(rule: .beta(threshold: settings.threshold), maxN: maxN, minN: settings.minN)
            let candidates = board.rows
                .filter { $0.variantOf == nil && rewardSources.contains($0.family) && $0.model == row.model && $0.samplesPerItem >= maxN }
                .sorted { ($1.samplesPerItem, $0.name) < ($0.samplesPerItem, $1.name) }
            var found: (source: Leaderboard.Row, weighting: VoteWeighting)?
            for source in candidates {
                let paired = try reader.pairedPools(adaptive: row.fingerprint, source: source.fingerprint, seeds: max(1, min(row.seeds, source.seeds)))
                if let weighting = VoteWeighting.allCases.first(where: { replays(paired, size: source.samplesPerItem, stopping: own, weighting: $0) }) {
                    found = (source, weighting)
                    break
                }
            }
            guard let (source, weighting) = found else {
                out.missingCurves.append("\(row.name): no curve; it needs a system on model \(row.model) that records every sample's reward "
                    + "by the same scorer over at least \(maxN) samples of the same pool (same temperature), e.g. "
                    + "{kind: best_of_n, n: \(maxN), scorer: <its scorer>, temperature: <its temperature>}.")
                continue
            }
            done.append((row.model, maxN, settings.minN, settings.threshold))
            let pools = try reader.poolScores(systemFingerprint: source.fingerprint, seeds: max(1, source.seeds))
                .filter { $0.scores.classes.count == source.samplesPerItem && $0.scores.rewards?.count == source.samplesPerItem }
            guard !pools.isEmpty else { continue }
            let orders = min(confidenceMonteCarloOrders, max(minimumOrders, (confidenceOrderBudget + pools.count - 1) / pools.count))
            let sweep = Set(thresholds + [settings.threshold]).sorted().map {
                ($0, AdaptiveStopping(rule: .beta(threshold: $0), maxN: maxN, minN: settings.minN))
            }
            var c = curve(model: row.model, rule: "confidence_consistency", maxN: maxN, source: source, pools: pools, settings: sweep) { i, scores, correct, stopping in
                confidenceVoteExpectation(answers: scores.classes, weights: weights(scores, weighting), correctClasses: correct,
                                          stopping: stopping, orders: orders, seed: UInt64(i))
            }
            c.weighting = weighting.rawValue
            c.ordersPerPool = orders
            out.curves.append(c)
        }
    }

    /// Each sample's vote weight: its recorded reward through `weighting` (a missing reward of an
    /// answered sample counts as 0, as the strategy counts it).
    static func weights(_ scores: PoolScores, _ weighting: VoteWeighting) -> [Double?] {
        scores.classes.indices.map { i in
            scores.classes[i] == nil ? nil : weighting.weight(reward: scores.rewards?[i] ?? 0)
        }
    }

    /// Whether reading each pool in its recorded order with `stopping` gives what the adaptive
    /// system recorded (samples read, correctness, the winner's total confidence) on every pair.
    static func replays(_ paired: [PairedPool], size: Int, stopping: AdaptiveStopping, weighting: VoteWeighting) -> Bool {
        guard !paired.isEmpty else { return false }
        for p in paired {
            guard p.pool.classes.count == size, p.pool.rewards?.count == size else { return false }
            let r = confidenceVoteReading(answers: p.pool.classes, weights: weights(p.pool, weighting), order: Array(0..<size), stopping: stopping)
            let correct = r.answer.map { a in p.pool.classes.indices.contains { p.pool.classes[$0] == a && p.pool.correct[$0] } } ?? false
            guard r.samples == p.samplesRead, correct == p.correct else { return false }
            switch (r.weight, p.reward) {
            case (nil, nil): continue
            case let (w?, reward?) where abs(w - reward) <= 1e-9 * max(1, abs(reward)): continue
            default: return false
            }
        }
        return true
    }
}
