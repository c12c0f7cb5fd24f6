import GRDB

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
