import Foundation
import GRDB

/// The leaderboard model: a pure function of the database (same database, same bytes).
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
    }
    public struct DecisionRow: Sendable, Equatable {
        public var a: String
        public var b: String
        public var decision: String
        public var interim: Int
    }
    public var suite: String
    public var fingerprint: String
    public var metric: String
    public var rows: [Row]
    public var decisions: [DecisionRow]
}

public enum LeaderboardBuilder {
    public static func build(reader: any DatabaseReader, suite name: String) throws -> Leaderboard {
        try reader.read { db in
            guard let suiteRow = try Row.fetchOne(db, sql: "SELECT fingerprint, compare_json FROM suites WHERE name = ?", arguments: [name]) else {
                throw StoreError(message: "the database holds no suite named '\(name)'")
            }
            let compareJSON: String = suiteRow["compare_json"]
            let compare = (try? JSONSerialization.jsonObject(with: Data(compareJSON.utf8))) as? [String: Any] ?? [:]
            let metric = compare["metric"] as? String ?? "accuracy"
            var rows: [Leaderboard.Row] = []
            for s in try Row.fetchAll(db, sql: "SELECT * FROM systems WHERE suite = ? ORDER BY position", arguments: [name]) {
                let seedsUsed: Int = s["seeds_used"]
                let runs = try Row.fetchAll(db, sql: """
                    SELECT accuracy, tokens_per_item, calls_per_item, failures FROM seed_runs
                    WHERE system_fp = ? AND seed_index < ? ORDER BY seed_index
                    """, arguments: [s["fingerprint"] as String, seedsUsed])
                let values = runs.map { SeedScores(accuracy: $0[0], tokensPerItem: $0[1], callsPerItem: $0[2], failures: $0[3]).value(of: metric) }
                let mean = values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
                let (lo, hi) = bootstrapInterval(values, seed: s["fingerprint"] as String)
                rows.append(Leaderboard.Row(
                    name: s["name"], model: s["model"], modelLabel: s["model_label"], strategy: s["strategy"],
                    strategyLabel: s["strategy_label"], verifier: s["verifier"], simulated: s["simulated"],
                    mean: mean, ciLow: lo, ciHigh: hi, seeds: runs.count, rank: "",
                    tokensPerItem: average(runs.map { $0[1] as Double }), callsPerItem: average(runs.map { $0[2] as Double }),
                    failures: runs.reduce(0) { $0 + ($1[3] as Int) }))
            }
            let decisions = try Row.fetchAll(db, sql: "SELECT a, b, decision, interim FROM decisions WHERE suite = ? ORDER BY interim, a, b", arguments: [name])
                .map { Leaderboard.DecisionRow(a: $0[0], b: $0[1], decision: $0[2], interim: $0[3]) }
            let higherIsBetter = metric == "accuracy"
            rows.sort { l, r in
                l.mean != r.mean ? (higherIsBetter ? l.mean > r.mean : l.mean < r.mean) : l.name < r.name
            }
            assignRanks(&rows, decisions: decisions)
            return Leaderboard(suite: name, fingerprint: suiteRow["fingerprint"], metric: metric, rows: rows, decisions: decisions)
        }
    }

    /// Rank groups: a system shares the rank of the one above it unless a decision separates
    /// them ("2=" for ties). Without decisions, ranks follow the sorted means.
    static func assignRanks(_ rows: inout [Leaderboard.Row], decisions: [Leaderboard.DecisionRow]) {
        guard !rows.isEmpty else { return }
        var separated = Set<String>()
        for d in decisions where d.decision != "equal" {
            separated.insert([d.a, d.b].sorted().joined(separator: "\u{0}"))
        }
        var groups: [[Int]] = [[0]]
        for i in 1..<rows.count {
            // Join the current group when the test could not separate this system from every member.
            let joins = !decisions.isEmpty && groups[groups.count - 1].allSatisfy { j in
                let key = [rows[i].name, rows[j].name].sorted().joined(separator: "\u{0}")
                return !separated.contains(key)
            }
            if joins { groups[groups.count - 1].append(i) } else { groups.append([i]) }
        }
        for group in groups {
            let rank = group[0] + 1
            for i in group { rows[i].rank = group.count > 1 ? "\(rank)=" : "\(rank)" }
        }
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
