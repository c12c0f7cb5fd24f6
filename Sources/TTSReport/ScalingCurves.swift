import TTSCore
import TTSStore
import AdaStop
import Foundation

/// Accuracy against N, per model and strategy family, from the database alone.
///
/// - "estimator" curves: for each model, the majority (and best-of-N) system with the largest N
///   gives maj@k (best-of-k) and pass@k for k = 1, 2, 4, ..., N, computed with the exact
///   estimators of `AdaStop/Estimators.swift` over the pool scores its outcomes recorded at run
///   time (each sample's answer class, correctness and reward). Nothing is verified again.
/// - "systems" curves: the leaderboard's own systems of one family at several N.
enum ScalingCurves {
    static let estimatorFamilies = ["majority", "best_of_n"]

    static func curves(for board: Leaderboard, reader: StoreReader) throws -> [Leaderboard.Curve] {
        var curves: [Leaderboard.Curve] = []
        var passDone = Set<String>()
        for family in estimatorFamilies {
            var best: [String: Leaderboard.Row] = [:]
            for row in board.rows where row.variantOf == nil && row.family == family && row.samplesPerItem > 1 {
                if let current = best[row.model], current.samplesPerItem >= row.samplesPerItem { continue }
                best[row.model] = row
            }
            for model in best.keys.sorted() {
                let row = best[model]!
                let n = row.samplesPerItem
                let pools = try reader.poolScores(systemFingerprint: row.fingerprint, seeds: max(1, row.seeds))
                    .filter { $0.scores.classes.count == n }
                if family == "best_of_n" && pools.contains(where: { $0.scores.rewards == nil }) { continue }
                guard !pools.isEmpty else { continue }
                let ks = powersOfTwo(upTo: n)
                var sums = [Double](repeating: 0, count: ks.count)
                var passSums = [Double](repeating: 0, count: ks.count)
                var tokens = 0.0
                for (scores, itemTokens) in pools {
                    tokens += Double(itemTokens)
                    let correctClasses = Set(zip(scores.classes, scores.correct).compactMap { $1 ? $0 : nil })
                    let rewards = (scores.rewards ?? []).map { $0 ?? -.infinity }
                    let c = scores.correct.filter { $0 }.count
                    for (j, k) in ks.enumerated() {
                        sums[j] += family == "majority"
                            ? majorityAtK(answers: scores.classes, correctClasses: correctClasses, k: k)
                            : bestOfNAtK(rewards: rewards, correct: scores.correct, k: k)
                        passSums[j] += passAtK(n: n, c: c, k: k)
                    }
                }
                let count = Double(pools.count)
                let perSample = tokens / (count * Double(n))
                curves.append(Leaderboard.Curve(family: family, model: model, source: "estimator", points: ks.enumerated().map { j, k in
                    Leaderboard.CurvePoint(n: k, value: sums[j] / count, tokensPerItem: perSample * Double(k))
                }))
                if passDone.insert(model).inserted {
                    curves.append(Leaderboard.Curve(family: "pass", model: model, source: "estimator", points: ks.enumerated().map { j, k in
                        Leaderboard.CurvePoint(n: k, value: passSums[j] / count, tokensPerItem: perSample * Double(k))
                    }))
                }
            }
        }
        return (curves + systemCurves(board)).sorted { ($0.model, $0.family, $0.source) < ($1.model, $1.family, $1.source) }
    }

    static func powersOfTwo(upTo n: Int) -> [Int] {
        var ks: [Int] = []
        var k = 1
        while k < n { ks.append(k); k *= 2 }
        ks.append(n)
        return ks
    }

    /// Curves from the leaderboard's own systems: for each model and strategy family with at
    /// least two values of N, the systems' means against N (and their tokens per item).
    static func systemCurves(_ board: Leaderboard) -> [Leaderboard.Curve] {
        var groups: [String: [Leaderboard.Row]] = [:]
        for r in board.rows where r.variantOf == nil {
            let family = String(r.strategyLabel.prefix { $0 != "@" && $0 != " " })
            groups["\(r.model)\u{0}\(family)", default: []].append(r)
        }
        var out: [Leaderboard.Curve] = []
        for key in groups.keys.sorted() {
            let rows = groups[key]!
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
            let points = rows.compactMap { r -> Leaderboard.CurvePoint? in
                guard let n = Int(r.strategyLabel.split(separator: "@").dropFirst().first?.prefix { $0.isNumber } ?? "") else { return nil }
                return Leaderboard.CurvePoint(n: n, value: r.mean, tokensPerItem: r.tokensPerItem)
            }.sorted { $0.n < $1.n }
            if Set(points.map(\.n)).count >= 2 {
                out.append(Leaderboard.Curve(family: parts[1], model: parts[0], source: "systems", points: points))
            }
        }
        return out
    }
}
