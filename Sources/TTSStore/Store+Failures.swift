import TTSCore
import GRDB

/// An item of a seed run left unfinished by a request that failed for good: what the user
/// needs to diagnose it (the model, its URL, the cause, a plain message and the attempts).
/// Failed requests are never samples and never scored; these rows are kept for diagnosis and
/// marked resolved when the seed run is committed by a later run.
public struct FailureRecord: Sendable, Equatable {
    public var suite: String
    public var systemFingerprint: String
    public var systemName: String
    public var seedIndex: Int
    public var itemID: String
    public var model: String
    public var url: String
    /// The cause in words ("connection refused", "server error (HTTP 5xx)", ...).
    public var cause: String
    public var message: String
    public var attempts: Int

    public init(suite: String, systemFingerprint: String, systemName: String, seedIndex: Int, itemID: String, model: String,
                url: String, cause: String, message: String, attempts: Int) {
        self.suite = suite
        self.systemFingerprint = systemFingerprint
        self.systemName = systemName
        self.seedIndex = seedIndex
        self.itemID = itemID
        self.model = model
        self.url = url
        self.cause = cause
        self.message = message
        self.attempts = attempts
    }
}

extension Store {
    /// Records unfinished items (one row per system, seed and item; a later failure of the same
    /// item replaces the earlier one). With `replacingSeedRuns`, the seed runs the records belong
    /// to were attempted whole: their earlier failures (of items that have since succeeded) are
    /// marked resolved first.
    public func recordFailures(_ records: [FailureRecord], replacingSeedRuns: Bool = false) async throws {
        guard !records.isEmpty else { return }
        try await db.write { db in
            if replacingSeedRuns {
                for run in Set(records.map { "\($0.seedIndex)\u{0}\($0.systemFingerprint)" }) {
                    let parts = run.split(separator: "\u{0}", maxSplits: 1)
                    try Self.resolveFailures(systemFingerprint: String(parts[1]), seedIndex: Int(parts[0])!, db)
                }
            }
            let statement = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO failures(suite, system_fp, system_name, seed_index, item_id, model, url, cause, message,
                  attempts, resolved) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
                """)
            for r in records {
                try statement.execute(arguments: [r.suite, r.systemFingerprint, r.systemName, r.seedIndex, r.itemID, r.model, r.url,
                                                  r.cause, r.message, r.attempts])
            }
        }
    }

    /// Marks every failure of these systems resolved: a run that completed needs nothing they
    /// left missing (a failure of a seed the test no longer asks for must not mark a system
    /// incomplete forever).
    public func resolveFailures(systemFingerprints: [String]) async throws {
        guard !systemFingerprints.isEmpty else { return }
        try await db.write { db in
            let marks = Array(repeating: "?", count: systemFingerprints.count).joined(separator: ",")
            try db.execute(sql: "UPDATE failures SET resolved = 1 WHERE resolved = 0 AND system_fp IN (\(marks))",
                           arguments: StatementArguments(systemFingerprints))
        }
    }

    /// Marks a seed run's failures resolved (in the transaction that commits it).
    static func resolveFailures(systemFingerprint: String, seedIndex: Int, _ db: Database) throws {
        try db.execute(sql: "UPDATE failures SET resolved = 1 WHERE system_fp = ? AND seed_index = ? AND resolved = 0",
                       arguments: [systemFingerprint, seedIndex])
    }
}

extension StoreReader {
    /// The unresolved failures of the given systems (by fingerprint), in system, seed and item
    /// order; none for a database without the table (before schema 8).
    public func unresolvedFailures(systemFingerprints: [String]) throws -> [FailureRecord] {
        guard !systemFingerprints.isEmpty else { return [] }
        return try db.read { db in
            guard try db.tableExists("failures") else { return [] }
            let marks = Array(repeating: "?", count: systemFingerprints.count).joined(separator: ",")
            return try Row.fetchAll(db, sql: """
                SELECT suite, system_fp, system_name, seed_index, item_id, model, url, cause, message, attempts FROM failures
                WHERE resolved = 0 AND system_fp IN (\(marks)) ORDER BY system_name, seed_index, item_id
                """, arguments: StatementArguments(systemFingerprints)).map { row in
                FailureRecord(suite: row["suite"], systemFingerprint: row["system_fp"], systemName: row["system_name"],
                              seedIndex: row["seed_index"], itemID: row["item_id"], model: row["model"], url: row["url"],
                              cause: row["cause"], message: row["message"], attempts: row["attempts"])
            }
        }
    }
}
