import GRDB
import Foundation
import TTSCore

/// What a strategy that reads the pool round by round (the adaptive votes) read per item, over
/// seeds 0..<seeds: the leaderboard's "Adaptive stopping" section.
public struct AdaptiveReadingSummary: Sendable, Equatable {
    /// Outcomes that recorded their rounds.
    public var outcomes: Int
    public var samplesPerItem: Double
    public var roundsPerItem: Double
    /// Share of items that stopped before the strategy's maximum.
    public var stoppedEarly: Double
}

extension StoreReader {
    /// Whether the database records samples read and rounds (schema 11).
    static func recordsRounds(_ db: Database) throws -> Bool {
        try db.columns(in: "outcomes").contains { $0.name == "rounds" }
    }

    /// The samples read and rounds per item of a system, over seeds 0..<seeds; nil when none of
    /// its outcomes recorded rounds (a fixed-N strategy, or a database older than schema 11).
    /// `maxN` is the strategy's maximum (an item read fewer stopped early).
    public func adaptiveReading(systemFingerprint: String, seeds: Int, maxN: Int) throws -> AdaptiveReadingSummary? {
        try db.read { db in
            guard try Self.recordsRounds(db) else { return nil }
            let row = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS outcomes, AVG(o.samples_read) AS samples, AVG(o.rounds) AS rounds,
                       AVG(CASE WHEN o.samples_read < ? THEN 1.0 ELSE 0.0 END) AS early
                FROM outcomes o JOIN seed_runs r ON o.run_id = r.id
                WHERE r.system_fp = ? AND r.seed_index < ? AND o.rounds IS NOT NULL
                """, arguments: [maxN, systemFingerprint, seeds])
            guard let row, let outcomes: Int = row["outcomes"], outcomes > 0 else { return nil }
            return AdaptiveReadingSummary(outcomes: outcomes, samplesPerItem: row["samples"], roundsPerItem: row["rounds"],
                                          stoppedEarly: row["early"])
        }
    }
}

/// One item-seed that an adaptive system and a system recording pool scores both ran: what the
/// adaptive system read and answered, beside the other's recorded pool (`pairedPools`).
public struct PairedPool: Sendable, Equatable {
    public var samplesRead: Int
    /// The adaptive outcome's reward (for `confidence_consistency`: the winner's total confidence).
    public var reward: Double?
    public var correct: Bool
    public var pool: PoolScores
}

extension StoreReader {
    /// The outcomes of `adaptive` (seeds 0..<seeds) that recorded their samples read, joined by
    /// seed and item with the recorded pool scores of `source`, in seed and item order: lets the
    /// leaderboard check that a pool is the one an adaptive system read (same samples, same scores).
    public func pairedPools(adaptive: String, source: String, seeds: Int) throws -> [PairedPool] {
        let decoder = JSONDecoder()
        return try db.read { db in
            guard try Self.recordsRounds(db) else { return [] }
            return try Row.fetchAll(db, sql: """
                SELECT a.samples_read AS samples_read, a.reward AS reward, a.correct AS correct, s.pool_scores AS pool_scores
                FROM outcomes a JOIN seed_runs ra ON a.run_id = ra.id
                JOIN seed_runs rs ON rs.system_fp = ? AND rs.seed_index = ra.seed_index
                JOIN outcomes s ON s.run_id = rs.id AND s.item_index = a.item_index AND s.item_id = a.item_id
                WHERE ra.system_fp = ? AND ra.seed_index < ? AND a.samples_read IS NOT NULL AND s.pool_scores IS NOT NULL
                ORDER BY ra.seed_index, a.item_index
                """, arguments: [source, adaptive, seeds]).map { row in
                let text: String = row["pool_scores"]
                return PairedPool(samplesRead: row["samples_read"], reward: row["reward"], correct: row["correct"],
                                  pool: try decoder.decode(PoolScores.self, from: Data(text.utf8)))
            }
        }
    }
}
