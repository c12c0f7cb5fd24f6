import TTSCore
import Foundation
import GRDB

/// Everything a run produces, in SQLite (WAL; readers never block the writer). The only
/// writer of the database; `reader` gives read-only access (`StoreReader`).
///
/// Samples are buffered and written in batched transactions as they complete; a seed run's
/// outcomes and scores are written in one transaction when the seed run finishes, together
/// with any buffered samples. Nothing is ever updated in place except the systems registry,
/// so a run killed at any moment resumes from what is committed.
///
/// ```swift
/// let store = try Store(path: "results/ttsbench.sqlite")
/// try await store.register(suite: record, models: models, systems: systems)
/// try await store.commitSeedRun(run)
/// let board = try LeaderboardBuilder.build(reader: store.reader, suite: "demo")
/// ```
public actor Store {
    public let path: String
    let db: DatabasePool
    /// Samples and request-cache entries not yet written (cache entries are read through by
    /// `cachedResponses`).
    nonisolated let pending: WriteBuffer
    /// Samples committed so far by this store.
    public nonisolated var samplesWritten: Int { pending.samplesWritten }
    /// Which cache keys may exist: lets a lookup that must miss skip the database.
    nonisolated let cacheIndex = CacheKeyIndex()

    /// Buffered samples are flushed at this many rows, or when the oldest is this old.
    static let flushRows = 2048
    static let flushAge = Duration.milliseconds(500)

    /// Opens (creating when needed) the database at `path`; a database of another schema
    /// version is refused with a message naming both versions.
    public init(path: String) throws {
        try self.init(path: path, flushAge: Store.flushAge)
    }

    /// Writes sample texts uncompressed: for the storage benchmark's baseline only.
    package init(path: String, compressingTexts: Bool) throws {
        try self.init(path: path, flushAge: Store.flushAge, compressingTexts: compressingTexts)
    }

    /// Whether sample and call texts are written zstd-compressed (`StoredText`).
    nonisolated let compressesTexts: Bool

    /// `flushAge`: how old the oldest buffered row may get before a record writes the batch.
    init(path: String, flushAge: Duration, compressingTexts: Bool = true) throws {
        self.path = path
        compressesTexts = compressingTexts
        pending = WriteBuffer(flushRows: Store.flushRows, flushAge: flushAge)
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            db = try DatabasePool(path: path, configuration: config)
        } catch {
            throw StoreError(message: "cannot open the database \(path): \(error)")
        }
        try db.read { try StoreSchema.check($0, path: path) }
        do {
            try StoreSchema.migrator.migrate(db)
        } catch {
            throw StoreError(message: "cannot create the schema of \(path): \(error)")
        }
    }

    /// Read-only access for reports and lookups.
    public nonisolated var reader: StoreReader { StoreReader(db, path: path) }

    // MARK: suites and systems

    /// Records the suite and replaces its models and systems registry (in suite order),
    /// keeping each system's `seeds_used` when its fingerprint is unchanged. `created_at` is
    /// kept; `updated_at` moves when the suite's fingerprint changes.
    public func register(suite: SuiteRecord, models: [ModelRecord], systems: [SystemRecord]) async throws {
        try await db.write { db in
            let now = ISO8601DateFormatter().string(from: Date())
            var record = suite
            if let existing = try SuiteRecord.fetchOne(db, key: suite.name) {
                record.createdAt = existing.createdAt
                record.updatedAt = existing.fingerprint == suite.fingerprint ? existing.updatedAt : now
            } else {
                record.createdAt = now
                record.updatedAt = now
            }
            try record.save(db)
            _ = try ModelRecord.filter(Column("suite") == suite.name).deleteAll(db)
            for model in models { try model.insert(db) }
            let previous = try SystemRecord.filter(Column("suite") == suite.name).fetchAll(db)
            var keptSeeds: [String: Int] = [:]
            for old in previous where systems.first(where: { $0.name == old.name })?.fingerprint == old.fingerprint {
                keptSeeds[old.name] = old.seedsUsed
            }
            _ = try SystemRecord.filter(Column("suite") == suite.name).deleteAll(db)
            for var system in systems {
                system.seedsUsed = keptSeeds[system.name] ?? 0
                try system.insert(db)
            }
        }
    }

    public func setSeedsUsed(suite: String, system: String, seeds: Int) async throws {
        try await db.write { db in
            try db.execute(sql: "UPDATE systems SET seeds_used = ? WHERE suite = ? AND name = ?", arguments: [seeds, suite, system])
        }
    }

    // MARK: samples

    /// All recorded samples of one pool and seed index, keyed by (item, temperature, sample index):
    /// those in the database and those still buffered.
    public nonisolated func samples(pool: String, seedIndex: Int) async throws -> [SampleKey: StoredSample] {
        // The buffer is read first: a sample it hands to the database meanwhile is in the read.
        let buffered = pending.samples(pool: pool, seedIndex: seedIndex)
        var found = try await db.read { db in
            var out: [SampleKey: StoredSample] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT item_id, temperature, sample_index, request_seed, text, answer, finish_reason, prompt_tokens,
                       completion_tokens, latency_ms, error, tokens_estimated, attempts, retry_log, cost, logprobs, cached,
                       extract_rule, reasoning, reasoning_tokens
                FROM samples WHERE pool = ? AND seed_index = ?
                """, arguments: [pool, seedIndex])
            while let row = try rows.next() {
                let sample = StoredSample(
                    itemID: row["item_id"], seedIndex: seedIndex, temperature: row["temperature"], sampleIndex: row["sample_index"],
                    requestSeed: UInt64(bitPattern: row["request_seed"] as Int64), text: try StoredText.decode(row, "text"),
                    answer: row["answer"],
                    finishReason: row["finish_reason"], promptTokens: row["prompt_tokens"], completionTokens: row["completion_tokens"],
                    latencyMs: row["latency_ms"], error: row["error"], tokensEstimated: row["tokens_estimated"] ?? false,
                    attempts: row["attempts"], retryLog: row["retry_log"], cost: row["cost"], logprobs: row["logprobs"],
                    cached: row["cached"] ?? false, extractRule: row["extract_rule"],
                    reasoning: try StoredText.decode(row, "reasoning"), reasoningTokens: row["reasoning_tokens"])
                out[SampleKey(item: sample.itemID, temperature: sample.temperature, sampleIndex: sample.sampleIndex)] = sample
            }
            return out
        }
        for record in buffered {
            let s = record.sample
            let key = SampleKey(item: s.itemID, temperature: s.temperature, sampleIndex: s.sampleIndex)
            if found[key] == nil { found[key] = s }
        }
        return found
    }

    /// Buffers samples; they are written in the next batch (this call writes it when it is due).
    public nonisolated func record(_ records: [SampleRecord]) async throws {
        if pending.add(samples: records) { try await flush() }
    }

    /// Writes the buffered samples and cache entries now; returns when they, and every batch
    /// taken before them, are committed.
    public nonisolated func flush() async throws {
        try await writeBuffered { _ in }
    }

    /// Takes the buffer and commits it, with `more` in the same transaction, on the database's
    /// writer queue (the caller's thread is free meanwhile). Batches commit in the order taken.
    nonisolated func writeBuffered(with more: @escaping @Sendable (Database) throws -> Void) async throws {
        let db = self.db, pending = self.pending, compress = compressesTexts
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            pending.takeAndSubmit { batch in
                db.asyncWrite({ db in
                    try Self.insert(batch.samples, db, compress: compress)
                    try Self.insertCache(batch.cache, db)
                    try more(db)
                }, completion: { _, result in
                    pending.written(batch, committed: (try? result.get()) != nil)
                    continuation.resume(with: result)
                })
            }
        }
    }

    static func insert(_ batch: [SampleRecord], _ db: Database, compress: Bool = true) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO samples(pool, item_id, seed_index, temperature, sample_index, request_seed, text, answer,
              finish_reason, prompt_tokens, completion_tokens, latency_ms, error, tokens_estimated,
              attempts, retry_log, cost, logprobs, cached, extract_rule, reasoning, reasoning_tokens)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for r in batch {
            let s = r.sample
            try statement.execute(arguments: [
                r.pool, s.itemID, s.seedIndex, s.temperature, s.sampleIndex, Int64(bitPattern: s.requestSeed),
                StoredText.encode(s.text, compress: compress), s.answer, s.finishReason, s.promptTokens, s.completionTokens, s.latencyMs,
                s.error, s.tokensEstimated, s.attempts, s.retryLog, s.cost, s.logprobs, s.cached, s.extractRule,
                StoredText.encode(s.reasoning, compress: compress), s.reasoningTokens,
            ])
        }
    }

    // MARK: seed runs

    /// Commits one finished seed run: its outcomes, its scores, and all buffered samples.
    public nonisolated func commitSeedRun(_ run: SeedRunRecord) async throws {
        try await writeBuffered { db in
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try db.execute(sql: """
                INSERT OR IGNORE INTO seed_runs(system_fp, seed_index, system_name, items, accuracy, tokens_per_item,
                  calls_per_item, latency_ms_per_item, failures, cost_per_item, sequential_tokens_per_item, thinking_tokens_per_item,
                  verifier_calls_per_item, verifier_tokens_per_item, verifier_cost_per_item)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [run.systemFingerprint, run.seedIndex, run.systemName, run.outcomes.count,
                                 run.accuracy, run.tokensPerItem, run.callsPerItem, run.latencyMsPerItem, run.failures,
                                 run.costPerItem, run.sequentialTokensPerItem, run.thinkingTokensPerItem,
                                 run.verifierCallsPerItem, run.verifierTokensPerItem, run.verifierCostPerItem])
            guard db.changesCount == 1 else { return }  // already committed by an earlier run
            let runID = db.lastInsertedRowID
            try Self.resolveFailures(systemFingerprint: run.systemFingerprint, seedIndex: run.seedIndex, db)
            let statement = try db.cachedStatement(sql: """
                INSERT INTO outcomes(run_id, item_index, item_id, answer, correct, reward, prompt_tokens, completion_tokens,
                  calls, failures, latency_ms, detail, pool_scores, completions, no_answer, no_answer_text, sequential_tokens,
                  thinking_tokens, unfinished_thinking, samples_read, rounds)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for (i, o) in run.outcomes.enumerated() {
                let scores = try o.poolScores.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
                try statement.execute(arguments: [runID, i, o.itemID, o.answer, o.correct, o.reward, o.promptTokens,
                                                  o.completionTokens, o.calls, o.failures, o.latencyMs, o.detail, scores,
                                                  o.completions, o.noAnswer, o.noAnswerText, o.sequentialTokens,
                                                  o.thinkingTokens, o.unfinishedThinking, o.samplesRead, o.rounds])
            }
        }
    }

    /// Scores of the committed seed runs of a system, by seed index.
    public func seedScores(systemFingerprint: String) async throws -> [Int: SeedScores] {
        try reader.seedScores(systemFingerprint: systemFingerprint)
    }

    // MARK: AdaStop

    /// Interims and decisions of a scope are rewritten by each run (they are a deterministic
    /// replay of the recorded scores).
    public func clearDecisions(scope: String) async throws {
        try await db.write { db in
            try db.execute(sql: "DELETE FROM interims WHERE suite = ?", arguments: [scope])
            try db.execute(sql: "DELETE FROM decisions WHERE suite = ?", arguments: [scope])
        }
    }

    public func recordInterim(scope: String, interim: InterimRow, decisions: [DecisionRecord]) async throws {
        let active = JSONWriter(layout: .compact).string(.array(interim.active.map { .array($0.map(JSONValue.string)) }))
        try await db.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO interims(suite, interim, boundary, level_spent, active_json) VALUES (?, ?, ?, ?, ?)
                """, arguments: [scope, interim.interim, interim.boundary, interim.levelSpent, active])
            try Self.insert(decisions, scope: scope, in: db)
        }
    }

    /// Comparisons a run left open (a budget): recorded as "undecided" with their reason.
    public func recordUndecided(scope: String, decisions: [DecisionRecord]) async throws {
        guard !decisions.isEmpty else { return }
        try await db.write { db in
            try Self.insert(decisions, scope: scope, in: db)
        }
    }

    private static func insert(_ decisions: [DecisionRecord], scope: String, in db: Database) throws {
        for d in decisions {
            try db.execute(sql: """
                INSERT OR REPLACE INTO decisions(suite, a, b, decision, interim, mean_a, mean_b) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [scope, d.a, d.b, d.storedDecision, d.interim, d.meanA, d.meanB])
        }
    }

    // MARK: request cache

    /// Cached responses for the given request keys (buffered entries included). Keys the cache
    /// certainly lacks are answered without entering the actor or reading the database.
    public nonisolated func cachedResponses(_ keys: [String]) async throws -> [String: [UInt8]] {
        try cacheIndex.loadIfNeeded(db)
        let candidates = cacheIndex.candidates(keys)
        if candidates.isEmpty { return [:] }
        var out: [String: [UInt8]] = [:]
        var missing: [String] = []
        for key in candidates {
            if let v = pending.cached(key) { out[key] = v } else { missing.append(key) }
        }
        guard !missing.isEmpty else { return out }
        let wanted = missing
        let found = try await db.read { db in
            var found: [String: [UInt8]] = [:]
            let statement = try db.cachedStatement(sql: "SELECT response FROM cache WHERE key = ?")
            for key in wanted {
                if let data = try Data.fetchOne(statement, arguments: [key]) { found[key] = try StoredText.expand([UInt8](data)) }
            }
            return found
        }
        out.merge(found) { a, _ in a }
        return out
    }

    /// Buffers cache entries; they are written with the next batch of samples.
    public nonisolated func cacheResponses(_ entries: [(key: String, response: [UInt8])]) async throws {
        let due = pending.add(cache: entries)
        cacheIndex.insert(entries.lazy.map(\.key))
        if due { try await flush() }
    }

    static func insertCache(_ entries: [String: [UInt8]], _ db: Database) throws {
        guard !entries.isEmpty else { return }
        let statement = try db.cachedStatement(sql: "INSERT OR IGNORE INTO cache(key, response) VALUES (?, ?)")
        for (key, value) in entries { try statement.execute(arguments: [key, Data(StoredText.shrink(value))]) }
    }

    public func cacheCount() async throws -> Int {
        try await flush()
        return try await db.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cache") ?? 0 }
    }

    public func sampleCount() async throws -> Int {
        try await flush()
        return try await db.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM samples") ?? 0 }
    }
}
