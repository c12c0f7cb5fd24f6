import GRDB

/// Auxiliary model calls: the calls a strategy makes outside the sample pool (a fuser call, a
/// refinement round, a "Wait" continuation). One row per call, keyed by the pool of the model
/// that answered it, the seed index, the item and the call's stable id (its tag and a digest of
/// the full request), so a call is made once and replayed on resume, like a pooled sample.
enum AuxiliarySchema {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3-aux") { db in
            try db.execute(sql: """
                CREATE TABLE aux_calls (
                  id INTEGER PRIMARY KEY,
                  pool TEXT NOT NULL,
                  item_id TEXT NOT NULL,
                  seed_index INTEGER NOT NULL,
                  call_id TEXT NOT NULL,
                  request_seed INTEGER NOT NULL,
                  temperature REAL NOT NULL,
                  text TEXT,
                  answer TEXT,
                  finish_reason TEXT,
                  prompt_tokens INTEGER,
                  completion_tokens INTEGER,
                  latency_ms REAL,
                  error TEXT,
                  tokens_estimated INTEGER NOT NULL DEFAULT 0,
                  UNIQUE (pool, seed_index, item_id, call_id)
                );
                """)
        }
    }
}

public struct AuxiliaryRecord: Sendable {
    public var pool: String
    public var itemID: String
    public var seedIndex: Int
    public var callID: String
    public var requestSeed: UInt64
    public var sample: Sample
}

extension Store {
    /// Recorded auxiliary calls of one pool and seed index, keyed by item id and call id.
    func auxiliaryCalls(pool: String, seedIndex: Int) async throws -> [AuxiliaryKey: Sample] {
        try await reader.read { db in
            var out: [AuxiliaryKey: Sample] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT item_id, call_id, temperature, text, answer, finish_reason, prompt_tokens, completion_tokens,
                       latency_ms, error, tokens_estimated FROM aux_calls WHERE pool = ? AND seed_index = ?
                """, arguments: [pool, seedIndex])
            while let row = try rows.next() {
                let error: String? = row[9]
                let text: String? = row[3]
                let completion: Completion? = error != nil && text == nil ? nil
                    : Completion(text: text ?? "", finishReason: row[5] ?? "", promptTokens: row[6] ?? 0,
                                 completionTokens: row[7] ?? 0, latencyMs: row[8] ?? 0, tokensEstimated: row[10] ?? false)
                out[AuxiliaryKey(item: row[0], callID: row[1])] = Sample(sampleIndex: -1, temperature: row[2], completion: completion,
                                                                         answer: row[4], error: error)
            }
            return out
        }
    }

    func recordAuxiliary(_ records: [AuxiliaryRecord]) async throws {
        guard !records.isEmpty else { return }
        try await db.write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO aux_calls(pool, item_id, seed_index, call_id, request_seed, temperature, text, answer,
                  finish_reason, prompt_tokens, completion_tokens, latency_ms, error, tokens_estimated)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for r in records {
                let c = r.sample.completion
                try statement.execute(arguments: [
                    r.pool, r.itemID, r.seedIndex, r.callID, Int64(bitPattern: r.requestSeed), r.sample.temperature,
                    c?.text, r.sample.answer, c?.finishReason, c?.promptTokens, c?.completionTokens, c?.latencyMs,
                    r.sample.error, c?.tokensEstimated ?? false,
                ])
            }
        }
    }
}

struct AuxiliaryKey: Hashable, Sendable {
    var item: String
    var callID: String
}
