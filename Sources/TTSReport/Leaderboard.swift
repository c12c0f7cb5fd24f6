import TTSCore
import TTSStore
import Foundation
import AdaStop

/// The leaderboard model: a pure function of the database (same database, same bytes).
///
/// `LeaderboardBuilder.build` reads the store alone (`StoreReader`): the suite, its systems,
/// their seed runs and outcomes (with the pool scores recorded at run time, for the scaling
/// curves of `ScalingCurves`), and the decisions. No suite file, data file, verifier, network
/// or working directory is involved.
public struct Leaderboard: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public var name: String
        public var model: String
        public var modelLabel: String
        public var strategy: String
        public var strategyLabel: String
        public var verifier: String
        public var simulated: Bool
        public var mean: Double
        public var ciLow: Double
        public var ciHigh: Double
        public var seeds: Int
        public var rank: String
        public var tokensPerItem: Double
        public var callsPerItem: Double
        public var failures: Int
        /// Mean over seeds of `seed_runs.cost_per_item` (USD); nil when the endpoint has no price.
        public var costPerItem: Double? = nil
        /// Milliseconds of generation per item (sum over the samples the strategy read); nil when unknown.
        public var latencyMsPerItem: Double? = nil
        /// Item-level paired difference against the top system (nil for the top system itself).
        public var vsTop: PairedDifference? = nil
        /// The base system this one is a twin of, and which twin ("multi_temperature", "fusion").
        public var variantOf: String? = nil
        public var variant: String? = nil
        /// For a twin: the item-level paired difference twin − base.
        public var vsBase: PairedDifference? = nil
        /// The system fingerprint (seed runs are stored under it).
        public var fingerprint: String = ""
        /// The strategy kind ("majority", "best_of_n", ...) and its N, as recorded.
        public var family: String = ""
        public var samplesPerItem: Int = 1
        /// The share of the completions the system read from which the task's extraction read no
        /// answer; nil when not recorded (outcomes written before schema 5).
        public var noAnswerRate: Double? = nil
        /// A few of those completions (item id and text), for the HTML report.
        public var noAnswerExamples: [NoAnswerExample] = []
    }
    /// A completion from which no answer was read.
    public struct NoAnswerExample: Sendable, Equatable {
        public var item: String
        public var text: String
    }
    /// mean(A) − mean(B) over items, each item's correctness averaged over the seeds used, with
    /// a 95% percentile bootstrap over items (paired by item).
    public struct PairedDifference: Sendable, Equatable {
        public var against: String
        public var difference: Double
        public var ciLow: Double
        public var ciHigh: Double
        public var items: Int
    }
    public struct DecisionRow: Sendable, Equatable {
        public var a: String
        public var b: String
        public var decision: String
        public var interim: Int
        public var meanA: Double = 0
        public var meanB: Double = 0
    }
    /// One point of a scaling curve: the metric with `n` samples per item.
    public struct CurvePoint: Sendable, Equatable {
        public var n: Int
        public var value: Double
        public var tokensPerItem: Double?
    }
    /// Accuracy against N for one model and one strategy family.
    public struct Curve: Sendable, Equatable {
        /// "majority", "best_of_n", "pass" (oracle pass@k: an upper bound), ...
        public var family: String
        public var model: String
        /// Where the points come from: "estimator" (maj@k, best-of-k, pass@k over one recorded
        /// pool) or "systems" (the leaderboard's own systems of this family).
        public var source: String
        public var points: [CurvePoint]
    }
    /// The AdaStop settings the decisions were taken with (from `suites.compare_json`).
    public struct Settings: Sendable, Equatable {
        public var alpha: Double
        public var groupSize: Int
        public var maxInterims: Int
        public var permutations: Int
        public var rule: String
        public var pool: String
        /// "pairwise" (default; absent from the stored settings) or "joint".
        public var permutation: String = "pairwise"
        /// The `comparisons` setting as canonical JSON ("all", pairs or a reference).
        public var comparisonsJSON: String
    }
    public var suite: String
    public var fingerprint: String
    public var metric: String
    public var rows: [Row]
    public var decisions: [DecisionRow]
    public var settings: Settings? = nil
    public var taskDigest: String = ""
    /// When the suite was first recorded and when its fingerprint last changed (from the database).
    public var createdAt: String = ""
    public var updatedAt: String = ""
    public var curves: [Curve] = []

    public var higherIsBetter: Bool { metric == "accuracy" }
    public func row(_ name: String) -> Row? { rows.first { $0.name == name } }
}

public enum LeaderboardBuilder {
    /// The full leaderboard of a recorded suite.
    public static func build(reader: StoreReader, suite name: String) throws -> Leaderboard {
        let suite = try reader.suite(name)
        let compare = try CompareSettingsJSON.decode(suite.compareJSON)
        let metric = compare.metric
        var rows: [Leaderboard.Row] = []
        var itemScores: [String: [String: Double]] = [:]
        for s in try reader.systems(suite: name) {
            let runs = try reader.seedRuns(systemFingerprint: s.fingerprint, seeds: s.seedsUsed)
            let values = runs.map {
                SeedScores(accuracy: $0.accuracy, tokensPerItem: $0.tokensPerItem, callsPerItem: $0.callsPerItem, failures: $0.failures)
                    .value(of: metric)
            }
            let mean = Bootstrap.mean(values)
            let (lo, hi) = bootstrapInterval(values, seed: s.fingerprint)
            let costs = runs.map(\.costPerItem)
            let cost: Double? = !costs.isEmpty && costs.allSatisfy({ $0 != nil }) ? Bootstrap.mean(costs.map { $0! }) : nil
            rows.append(Leaderboard.Row(
                name: s.name, model: s.model, modelLabel: s.modelLabel, strategy: s.strategy, strategyLabel: s.strategyLabel,
                verifier: s.verifier, simulated: s.simulated, mean: mean, ciLow: lo, ciHigh: hi, seeds: runs.count, rank: "",
                tokensPerItem: Bootstrap.mean(runs.map(\.tokensPerItem)), callsPerItem: Bootstrap.mean(runs.map(\.callsPerItem)),
                failures: runs.reduce(0) { $0 + $1.failures }, costPerItem: cost,
                latencyMsPerItem: runs.isEmpty ? nil : Bootstrap.mean(runs.map(\.latencyMsPerItem)),
                variantOf: s.variantOf, variant: s.variant, fingerprint: s.fingerprint, family: s.family,
                samplesPerItem: s.samplesPerItem))
            let noAnswer = try reader.noAnswerSummary(systemFingerprint: s.fingerprint, seeds: s.seedsUsed)
            rows[rows.count - 1].noAnswerRate = noAnswer.rate
            rows[rows.count - 1].noAnswerExamples = noAnswer.examples.map { Leaderboard.NoAnswerExample(item: $0.item, text: $0.text) }
            // Per item: correctness averaged over the seeds used (for the paired intervals).
            itemScores[s.name] = try reader.itemAccuracy(systemFingerprint: s.fingerprint, seeds: s.seedsUsed)
        }
        let decisions = try reader.decisions(scope: name).map {
            Leaderboard.DecisionRow(a: $0.a, b: $0.b, decision: $0.decision, interim: $0.interim, meanA: $0.meanA, meanB: $0.meanB)
        }
        rows = order(rows, decisions: decisions, higherIsBetter: metric == "accuracy")
        assignRanks(&rows, decisions: decisions)
        if metric == "accuracy", let top = rows.first, let topItems = itemScores[top.name] {
            for i in rows.indices {
                let items = itemScores[rows[i].name] ?? [:]
                if i > 0 {
                    rows[i].vsTop = pairedDifference(items, topItems, against: top.name, seed: "\(rows[i].fingerprint)|top")
                }
                if let base = rows[i].variantOf, let baseItems = itemScores[base] {
                    rows[i].vsBase = pairedDifference(items, baseItems, against: base, seed: "\(rows[i].fingerprint)|base")
                }
            }
        }
        let settings = Leaderboard.Settings(
            alpha: compare.alpha, groupSize: compare.groupSize, maxInterims: compare.maxInterims, permutations: compare.permutations,
            rule: compare.rule, pool: compare.pool, permutation: compare.permutation ?? "pairwise",
            comparisonsJSON: comparisonsJSON(suite.compareJSON))
        var board = Leaderboard(suite: name, fingerprint: suite.fingerprint, metric: metric, rows: rows, decisions: decisions,
                                settings: settings, taskDigest: suite.taskDigest, createdAt: suite.createdAt, updatedAt: suite.updatedAt)
        board.curves = try ScalingCurves.curves(for: board, reader: reader)
        return board
    }

    /// The `comparisons` value of the stored compare JSON, as written (canonical already).
    static func comparisonsJSON(_ compareJSON: String) -> String {
        guard let range = compareJSON.range(of: "\"comparisons\":") else { return "\"all\"" }
        var depth = 0, inString = false, escaped = false
        var out = ""
        for ch in compareJSON[range.upperBound...] {
            if inString {
                out.append(ch)
                if escaped { escaped = false } else if ch == "\\" { escaped = true } else if ch == "\"" { inString = false }
                continue
            }
            if (ch == "," || ch == "}") && depth == 0 { break }
            if ch == "\"" { inString = true }
            if ch == "[" || ch == "{" { depth += 1 }
            if ch == "]" || ch == "}" { depth -= 1 }
            out.append(ch)
        }
        return out
    }

    /// Sorted by mean (best first, then by name), except that a recorded decision always wins:
    /// a system the test found better is listed before the one it beat, even in the rare case
    /// where the final means (over more seeds than the decision used) are in the other order.
    /// This is a topological order of the "decided better" graph, taking the best mean first.
    static func order(_ rows: [Leaderboard.Row], decisions: [Leaderboard.DecisionRow], higherIsBetter: Bool) -> [Leaderboard.Row] {
        let sorted = rows.sorted { l, r in
            l.mean != r.mean ? (higherIsBetter ? l.mean > r.mean : l.mean < r.mean) : l.name < r.name
        }
        var beatenBy: [String: Set<String>] = [:]  // loser -> winners
        for d in decisions where d.decision != "equal" {
            let (winner, loser) = d.decision == "larger" ? (d.a, d.b) : (d.b, d.a)
            beatenBy[loser, default: []].insert(winner)
        }
        var placed = Set<String>()
        var out: [Leaderboard.Row] = []
        var remaining = sorted
        while !remaining.isEmpty {
            // The best-mean system all of whose winners are placed; on a cycle (never seen in
            // practice), the best-mean system.
            let index = remaining.firstIndex { (beatenBy[$0.name] ?? []).isSubset(of: placed) } ?? 0
            let row = remaining.remove(at: index)
            placed.insert(row.name)
            out.append(row)
        }
        return out
    }

    /// Rank groups, consistent with the recorded decisions. Walking the ordered rows, a system
    /// joins the current group when the test separated it from no member of the group ("equal"
    /// or never compared); otherwise it starts a new group. Every member of a group gets the
    /// group's first position, with "=" when the group has several members ("1", "2=", "2=",
    /// "4"). Hence: two systems share a rank only if no decision separates them, and a system
    /// the test found better always has a better rank. Without any decision (a fixed number of
    /// seeds, no test), ranks follow the means and nobody shares.
    static func assignRanks(_ rows: inout [Leaderboard.Row], decisions: [Leaderboard.DecisionRow]) {
        guard !rows.isEmpty else { return }
        var separated = Set<String>()
        for d in decisions where d.decision != "equal" {
            separated.insert([d.a, d.b].sorted().joined(separator: "\u{0}"))
        }
        var groups: [[Int]] = [[0]]
        for i in 1..<rows.count {
            let joins = !decisions.isEmpty && groups[groups.count - 1].allSatisfy { j in
                !separated.contains([rows[i].name, rows[j].name].sorted().joined(separator: "\u{0}"))
            }
            if joins { groups[groups.count - 1].append(i) } else { groups.append([i]) }
        }
        for group in groups {
            let rank = group[0] + 1
            for i in group { rows[i].rank = group.count > 1 ? "\(rank)=" : "\(rank)" }
        }
    }

    /// Paired over the items both systems have; bootstrap over items, seeded: deterministic.
    static func pairedDifference(_ x: [String: Double], _ y: [String: Double], against: String, seed: String,
                                 resamples: Int = 2000) -> Leaderboard.PairedDifference? {
        let items = x.keys.filter { y[$0] != nil }.sorted()
        guard !items.isEmpty else { return nil }
        let diffs = items.map { x[$0]! - y[$0]! }
        let (lo, hi) = Bootstrap.meanInterval(diffs, stream: "paired-items", seed: seed, resamples: resamples)
        return Leaderboard.PairedDifference(against: against, difference: Bootstrap.mean(diffs), ciLow: lo, ciHigh: hi, items: items.count)
    }

    /// 95% percentile bootstrap over seeds, seeded by the system: deterministic.
    static func bootstrapInterval(_ values: [Double], seed: String, resamples: Int = 2000) -> (Double, Double) {
        Bootstrap.meanInterval(values, stream: "bootstrap", seed: seed, resamples: resamples)
    }

}
