import TTSCore
import Foundation
import GRDB

/// Per-item outcomes of sharded runs (`ttsbench run SUITE --shard i/M`).
///
/// A seed run's scores aggregate over all items, so a shard (some of the items) cannot commit
/// one. It records each item's outcome instead, keyed by (system fingerprint, seed index, item
/// id), as the `OutcomeRecord` in JSON (so a field added to outcomes later travels too). After
/// `ttsbench merge`, a run finds every item of a seed run here and commits the seed run from
/// them without solving anything again.
///
/// ```swift
/// try await store.recordItemOutcomes(seedRun)          // a shard: its items only
/// let items = try await store.itemOutcomes(systemFingerprint: fp, seedIndex: 0)
/// ```
extension Store {
    /// Records the outcomes of a seed run's items (a shard's share), with any buffered samples.
    /// An outcome already recorded is kept.
    public func recordItemOutcomes(_ run: SeedRunRecord) async throws {
        try await flush()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let rows = try run.outcomes.map { ($0.itemID, String(decoding: try encoder.encode($0), as: UTF8.self)) }
        try await db.write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO item_outcomes(system_fp, seed_index, item_id, system_name, outcome_json) VALUES (?, ?, ?, ?, ?)
                """)
            for (item, json) in rows {
                try statement.execute(arguments: [run.systemFingerprint, run.seedIndex, item, run.systemName, json])
            }
        }
    }

    /// The recorded item outcomes of one seed run, by item id.
    public func itemOutcomes(systemFingerprint: String, seedIndex: Int) async throws -> [String: OutcomeRecord] {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let rows = try await db.read { db in
            try Row.fetchAll(db, sql: "SELECT item_id, outcome_json FROM item_outcomes WHERE system_fp = ? AND seed_index = ?",
                             arguments: [systemFingerprint, seedIndex]).map { ($0["item_id"] as String, $0["outcome_json"] as String) }
        }
        var out: [String: OutcomeRecord] = [:]
        for (item, json) in rows {
            do {
                out[item] = try decoder.decode(OutcomeRecord.self, from: Data(json.utf8))
            } catch {
                throw StoreError(message: "\(path): the recorded outcome of item '\(item)' (system \(systemFingerprint.prefix(12)), seed \(seedIndex)) "
                    + "cannot be read: \(error)")
            }
        }
        return out
    }

    /// How many item outcomes are recorded per seed index of a system.
    public func itemOutcomeCounts(systemFingerprint: String) async throws -> [Int: Int] {
        try await db.read { db in
            var out: [Int: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT seed_index, COUNT(*) AS n FROM item_outcomes WHERE system_fp = ? GROUP BY seed_index",
                                        arguments: [systemFingerprint]) {
                out[row["seed_index"]] = row["n"]
            }
            return out
        }
    }
}
