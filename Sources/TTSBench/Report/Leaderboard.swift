import Foundation
import GRDB

/// The leaderboard model: a pure function of the database (same database, same bytes).
///
/// `LeaderboardBuilder.build` reads the `suites`, `systems`, `seed_runs`, `outcomes` and
/// `decisions` tables. `PoolMetrics.attach` (Report/PoolMetrics.swift) adds what needs the
/// sample pools (scaling curves, latency), from the suite text stored in the database.
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
    /// The suites a database holds, by name.
    public static func suiteNames(reader: any DatabaseReader) throws -> [String] {
        try reader.read { db in try String.fetchAll(db, sql: "SELECT name FROM suites ORDER BY name") }
    }

    public static func build(reader: any DatabaseReader, suite name: String) throws -> Leaderboard {
        try reader.read { db in
            guard let suiteRow = try Row.fetchOne(db, sql: "SELECT * FROM suites WHERE name = ?", arguments: [name]) else {
                let known = (try? String.fetchAll(db, sql: "SELECT name FROM suites ORDER BY name")) ?? []
                throw StoreError(message: "the database holds no suite named '\(name)'"
                                 + (known.isEmpty ? " (it holds no suite)" : "; suites: \(known.joined(separator: ", "))"))
            }
            let compareJSON: String = suiteRow["compare_json"]
            let compare = (try? JSONSerialization.jsonObject(with: Data(compareJSON.utf8))) as? [String: Any] ?? [:]
            let metric = compare["metric"] as? String ?? "accuracy"
            let hasCost = try db.columns(in: "seed_runs").contains { $0.name == "cost_per_item" }
            var rows: [Leaderboard.Row] = []
            var itemScores: [String: [String: Double]] = [:]
            for s in try Row.fetchAll(db, sql: "SELECT * FROM systems WHERE suite = ? ORDER BY position", arguments: [name]) {
                let seedsUsed: Int = s["seeds_used"]
                let fingerprint: String = s["fingerprint"]
                let runs = try Row.fetchAll(db, sql: """
                    SELECT accuracy, tokens_per_item, calls_per_item, failures\(hasCost ? ", cost_per_item" : "") FROM seed_runs
                    WHERE system_fp = ? AND seed_index < ? ORDER BY seed_index
                    """, arguments: [fingerprint, seedsUsed])
                let values = runs.map { SeedScores(accuracy: $0[0], tokensPerItem: $0[1], callsPerItem: $0[2], failures: $0[3]).value(of: metric) }
                let mean = values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
                let (lo, hi) = bootstrapInterval(values, seed: fingerprint)
                let costs: [Double?] = hasCost ? runs.map { $0[4] as Double? } : []
                let cost: Double? = hasCost && !costs.isEmpty && costs.allSatisfy({ $0 != nil }) ? average(costs.map { $0! }) : nil
                let systemName: String = s["name"]
                let strategy: String = s["strategy"]
                let (variantOf, variant) = Variants.parse(systemName: systemName, strategy: strategy)
                rows.append(Leaderboard.Row(
                    name: systemName, model: s["model"], modelLabel: s["model_label"], strategy: strategy,
                    strategyLabel: s["strategy_label"], verifier: s["verifier"], simulated: s["simulated"],
                    mean: mean, ciLow: lo, ciHigh: hi, seeds: runs.count, rank: "",
                    tokensPerItem: average(runs.map { $0[1] as Double }), callsPerItem: average(runs.map { $0[2] as Double }),
                    failures: runs.reduce(0) { $0 + ($1[3] as Int) }, costPerItem: cost, variantOf: variantOf, variant: variant,
                    fingerprint: fingerprint))
                // Per item: correctness averaged over the seeds used (for the paired intervals).
                var perItem: [String: Double] = [:]
                for r in try Row.fetchAll(db, sql: """
                    SELECT o.item_id, AVG(o.correct) FROM outcomes o JOIN seed_runs r ON o.run_id = r.id
                    WHERE r.system_fp = ? AND r.seed_index < ? GROUP BY o.item_id
                    """, arguments: [fingerprint, seedsUsed]) {
                    perItem[r[0]] = r[1]
                }
                itemScores[systemName] = perItem
            }
            let decisions = try Row.fetchAll(db, sql: """
                SELECT a, b, decision, interim, mean_a, mean_b FROM decisions WHERE suite = ? ORDER BY interim, a, b
                """, arguments: [name])
                .map { Leaderboard.DecisionRow(a: $0[0], b: $0[1], decision: $0[2], interim: $0[3], meanA: $0[4], meanB: $0[5]) }
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
                alpha: compare["alpha"] as? Double ?? 0.05, groupSize: compare["group_size"] as? Int ?? 0,
                maxInterims: compare["max_interims"] as? Int ?? 0, permutations: compare["permutations"] as? Int ?? 0,
                rule: compare["rule"] as? String ?? "absolute", pool: compare["pool"] as? String ?? "shared",
                permutation: compare["permutation"] as? String ?? "pairwise", comparisonsJSON: comparisonsJSON(compareJSON))
            return Leaderboard(suite: name, fingerprint: suiteRow["fingerprint"], metric: metric, rows: rows, decisions: decisions,
                               settings: settings, taskDigest: suiteRow["task_digest"], createdAt: suiteRow["created_at"],
                               updatedAt: suiteRow["updated_at"])
        }
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
        let mean = diffs.reduce(0, +) / Double(diffs.count)
        var rng = SplitMix64("paired-items", seed)
        var means: [Double] = []
        means.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var sum = 0.0
            for _ in diffs.indices { sum += diffs[Int(rng.next() % UInt64(diffs.count))] }
            means.append(sum / Double(diffs.count))
        }
        means.sort()
        return Leaderboard.PairedDifference(against: against, difference: mean, ciLow: means[Int(0.025 * Double(resamples))],
                                            ciHigh: means[Int(0.975 * Double(resamples)) - 1], items: items.count)
    }

    /// 95% percentile bootstrap over seeds, seeded by the system: deterministic.
    static func bootstrapInterval(_ values: [Double], seed: String, resamples: Int = 2000) -> (Double, Double) {
        guard values.count > 1 else { return (values.first ?? 0, values.first ?? 0) }
        var rng = SplitMix64("bootstrap", seed)
        var means: [Double] = []
        means.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var sum = 0.0
            for _ in values.indices { sum += values[Int(rng.next() % UInt64(values.count))] }
            means.append(sum / Double(values.count))
        }
        means.sort()
        return (means[Int(0.025 * Double(resamples))], means[Int(0.975 * Double(resamples)) - 1])
    }

    static func average(_ xs: [Double]) -> Double { xs.isEmpty ? 0 : xs.reduce(0, +) / Double(xs.count) }
}
