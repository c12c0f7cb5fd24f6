import TTSCore
import GRDB

/// Auxiliary model calls: the calls a strategy makes outside the sample pool (a fuser call, a
/// refinement round, a "Wait" continuation). One row per call, keyed by the pool of the model
/// that answered it, the seed index, the item and the call's stable id (its tag and a digest of
/// the full request), so a call is made once and replayed on resume, like a pooled sample. A
/// call records the model that answered it, its attempts and its cost at that model's price.
public struct AuxiliaryRecord: Sendable {
    public var pool: String
    public var callID: String
    /// The suite's name of the model that answered.
    public var model: String?
    /// `sampleIndex` is -1.
    public var sample: StoredSample
    public init(pool: String, callID: String, model: String? = nil, sample: StoredSample) {
        self.pool = pool
        self.callID = callID
        self.model = model
        self.sample = sample
    }
}

public struct AuxiliaryKey: Hashable, Sendable {
    public var item: String
    public var callID: String
    public init(item: String, callID: String) {
        self.item = item
        self.callID = callID
    }
}

extension Store {
    /// Recorded auxiliary calls of one pool and seed index, keyed by item id and call id.
    public func auxiliaryCalls(pool: String, seedIndex: Int) async throws -> [AuxiliaryKey: StoredSample] {
        try await db.read { db in
            var out: [AuxiliaryKey: StoredSample] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT item_id, call_id, request_seed, temperature, text, answer, finish_reason, prompt_tokens,
                       completion_tokens, latency_ms, error, tokens_estimated, reasoning, reasoning_tokens, extract_rule, attempts, cost
                FROM aux_calls WHERE pool = ? AND seed_index = ?
                """, arguments: [pool, seedIndex])
            while let row = try rows.next() {
                let sample = StoredSample(
                    itemID: row["item_id"], seedIndex: seedIndex, temperature: row["temperature"], sampleIndex: -1,
                    requestSeed: UInt64(bitPattern: row["request_seed"] as Int64), text: try StoredText.decode(row, "text"),
                    answer: row["answer"],
                    finishReason: row["finish_reason"], promptTokens: row["prompt_tokens"], completionTokens: row["completion_tokens"],
                    latencyMs: row["latency_ms"], error: row["error"], tokensEstimated: row["tokens_estimated"] ?? false,
                    attempts: row["attempts"], cost: row["cost"],
                    extractRule: row["extract_rule"], reasoning: try StoredText.decode(row, "reasoning"),
                    reasoningTokens: row["reasoning_tokens"])
                out[AuxiliaryKey(item: sample.itemID, callID: row["call_id"])] = sample
            }
            return out
        }
    }

    public func recordAuxiliary(_ records: [AuxiliaryRecord]) async throws {
        guard !records.isEmpty else { return }
        try await db.write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO aux_calls(pool, item_id, seed_index, call_id, request_seed, temperature, text, answer,
                  finish_reason, prompt_tokens, completion_tokens, latency_ms, error, tokens_estimated, reasoning,
                  reasoning_tokens, extract_rule, model, attempts, cost)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for r in records {
                let s = r.sample
                try statement.execute(arguments: [
                    r.pool, s.itemID, s.seedIndex, r.callID, Int64(bitPattern: s.requestSeed), s.temperature,
                    StoredText.encode(s.text), s.answer, s.finishReason, s.promptTokens, s.completionTokens, s.latencyMs,
                    s.error, s.tokensEstimated, StoredText.encode(s.reasoning), s.reasoningTokens, s.extractRule,
                    r.model, s.attempts, s.cost,
                ])
            }
        }
    }
}
