import AdaStop
import Foundation
import GRDB

/// Everything a run produces, in SQLite (WAL; readers never block the writer).
///
/// Samples are buffered and written in batched transactions as they complete; a seed run's
/// outcomes and scores are written in one transaction when the seed run finishes, together
/// with any buffered samples. Nothing is ever updated in place except the systems registry,
/// so a run killed at any moment resumes from what is committed.
public actor Store {
    public let path: String
    let db: DatabasePool
    private var pendingSamples: [SampleRecord] = []
    /// Request-cache entries not yet written (read through by `cachedResponses`).
    private var pendingCache: [String: [UInt8]] = [:]
    /// USD per million (input, output) tokens by system fingerprint, for `cost_per_item`.
    private var prices: [String: (Double, Double)] = [:]
    private var lastFlush = ContinuousClock.now
    public private(set) var samplesWritten = 0
    /// Which cache keys may exist: lets a lookup that must miss skip the database.
    nonisolated let cacheIndex = CacheKeyIndex()

    /// Buffered samples are flushed at this many rows, or when the oldest is this old.
    static let flushRows = 2048
    static let flushAge = Duration.milliseconds(500)

    public init(path: String) throws {
        self.path = path
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            db = try DatabasePool(path: path, configuration: config)
            try StoreSchema.migrator.migrate(db)
        } catch {
            throw StoreError(message: "cannot open the database \(path): \(error)")
        }
    }

    // MARK: suites and systems

    /// Records the suite and replaces its systems registry (names → fingerprints, in suite order).
    public func register(_ suite: Suite, taskDigest: String) async throws {
        let systems = suite.systems.map { s -> [any DatabaseValueConvertible & Sendable] in
            let model = suite.model(s.model)!
            let strategy = suite.strategy(s.strategy)!
            return [suite.name, s.name, s.fingerprint, s.model, model.label, strategy.label, s.strategy, s.verifier,
                    model.isSimulated]
        }
        for s in suite.systems {
            if case .openai(let p)? = suite.model(s.model)?.kind, p.pricePerMillionInput > 0 || p.pricePerMillionOutput > 0 {
                prices[s.fingerprint] = (p.pricePerMillionInput, p.pricePerMillionOutput)
            }
        }
        try await db.write { [suite] db in
            try db.execute(sql: "DELETE FROM models WHERE suite = ?", arguments: [suite.name])
            for model in suite.models {
                try db.execute(sql: "INSERT INTO models(suite, name, fingerprint, label) VALUES (?, ?, ?, ?)",
                               arguments: [suite.name, model.name, model.fingerprint, model.label])
            }
            let now = ISO8601DateFormatter().string(from: Date())
            try db.execute(sql: """
                INSERT INTO suites(name, fingerprint, yaml, task_digest, compare_json, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET fingerprint = excluded.fingerprint, yaml = excluded.yaml,
                  task_digest = excluded.task_digest, compare_json = excluded.compare_json,
                  updated_at = CASE WHEN suites.fingerprint = excluded.fingerprint THEN suites.updated_at ELSE excluded.updated_at END
                """, arguments: [suite.name, suite.fingerprint, suite.sourceText, taskDigest, suite.compare.canonicalJSON, now, now])
            let existing = try Row.fetchAll(db, sql: "SELECT name, fingerprint, seeds_used FROM systems WHERE suite = ?", arguments: [suite.name])
            var keptSeeds: [String: Int] = [:]
            for row in existing where row["fingerprint"] as String == suite.system(row["name"])?.fingerprint {
                keptSeeds[row["name"]] = row["seeds_used"]
            }
            try db.execute(sql: "DELETE FROM systems WHERE suite = ?", arguments: [suite.name])
            for (position, values) in systems.enumerated() {
                let name = values[1] as! String
                try db.execute(sql: """
                    INSERT INTO systems(suite, name, fingerprint, model, model_label, strategy_label, strategy, verifier,
                      simulated, position, seeds_used) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: StatementArguments(values + [position, keptSeeds[name] ?? 0]))
            }
        }
    }

    public func setSeedsUsed(suite: String, system: String, seeds: Int) async throws {
        try await db.write { db in
            try db.execute(sql: "UPDATE systems SET seeds_used = ? WHERE suite = ? AND name = ?", arguments: [seeds, suite, system])
        }
    }

    // MARK: samples

    /// All recorded samples of one pool and seed index, keyed by (item, temperature, sample index).
    public func samples(pool: String, seedIndex: Int) async throws -> [SampleKey: Sample] {
        try flushIfAny()
        return try await db.read { db in
            var out: [SampleKey: Sample] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT item_id, temperature, sample_index, text, answer, finish_reason, prompt_tokens, completion_tokens,
                       latency_ms, error, tokens_estimated, attempts, retry_log, cost, logprobs, cached
                FROM samples WHERE pool = ? AND seed_index = ?
                """, arguments: [pool, seedIndex])
            while let row = try rows.next() {
                let key = SampleKey(item: row[0], temperature: row[1], sampleIndex: row[2])
                let error: String? = row[9]
                var completion: Completion? = error != nil && (row[3] as String?) == nil ? nil
                    : Completion(text: row[3] ?? "", finishReason: row[5] ?? "", promptTokens: row[6] ?? 0,
                                 completionTokens: row[7] ?? 0, latencyMs: row[8] ?? 0, tokensEstimated: row[10] ?? false)
                if completion != nil {
                    completion!.attempts = row[11] ?? 1
                    completion!.retryLog = row[12]
                    completion!.cost = row[13]
                    completion!.logprobs = row[14]
                    completion!.cached = row[15] ?? false
                }
                out[key] = Sample(sampleIndex: key.sampleIndex, temperature: key.temperature, completion: completion,
                                  answer: row[4], error: error)
            }
            return out
        }
    }

    public func record(_ records: [SampleRecord]) throws {
        pendingSamples.append(contentsOf: records)
        if pendingSamples.count >= Self.flushRows || ContinuousClock.now - lastFlush > Self.flushAge {
            try flushIfAny()
        }
    }

    /// Writes buffered samples now.
    public func flush() throws { try flushIfAny() }

    private func flushIfAny() throws {
        lastFlush = ContinuousClock.now
        guard !pendingSamples.isEmpty || !pendingCache.isEmpty else { return }
        let batch = pendingSamples
        pendingSamples.removeAll(keepingCapacity: true)
        let cacheBatch = pendingCache
        pendingCache.removeAll(keepingCapacity: true)
        try db.write { db in
            try Self.insert(batch, db)
            try Self.insertCache(cacheBatch, db)
        }
        samplesWritten += batch.count
    }

    static func insert(_ batch: [SampleRecord], _ db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO samples(pool, item_id, seed_index, temperature, sample_index, request_seed, text, answer,
              finish_reason, prompt_tokens, completion_tokens, latency_ms, error, tokens_estimated,
              attempts, retry_log, cost, logprobs, cached)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for r in batch {
            let c = r.sample.completion
            // A failed sample's attempts are in its error message ("... after N attempts ...").
            let attempts: Int? = c?.attempts ?? r.sample.error.flatMap(ModelError.attempts(in:))
            try statement.execute(arguments: [
                r.pool, r.itemID, r.seedIndex, r.sample.temperature, r.sample.sampleIndex, Int64(bitPattern: r.requestSeed),
                c?.text, r.sample.answer, c?.finishReason, c?.promptTokens, c?.completionTokens, c?.latencyMs,
                r.sample.error, c?.tokensEstimated ?? false, attempts, c?.retryLog, c?.cost, c?.logprobs, c?.cached ?? false,
            ])
        }
    }

    // MARK: seed runs

    /// Commits one finished seed run: its outcomes, its scores, and all buffered samples.
    public func commitSeedRun(_ run: SeedRunRecord) throws {
        let batch = pendingSamples
        pendingSamples.removeAll(keepingCapacity: true)
        let cacheBatch = pendingCache
        pendingCache.removeAll(keepingCapacity: true)
        lastFlush = ContinuousClock.now
        // Cost is linear in tokens, so the outcomes' token totals give the exact cost per item.
        let costPerItem: Double? = prices[run.systemFingerprint].map { price in
            run.outcomes.isEmpty ? 0 : run.outcomes.reduce(0.0) {
                $0 + (Double($1.promptTokens) * price.0 + Double($1.completionTokens) * price.1) / 1e6
            } / Double(run.outcomes.count)
        }
        try db.write { db in
            try Self.insert(batch, db)
            try Self.insertCache(cacheBatch, db)
            try db.execute(sql: """
                INSERT OR IGNORE INTO seed_runs(system_fp, seed_index, system_name, items, accuracy, tokens_per_item,
                  calls_per_item, failures, cost_per_item) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [run.systemFingerprint, run.seedIndex, run.systemName, run.outcomes.count,
                                 run.accuracy, run.tokensPerItem, run.callsPerItem, run.failures, costPerItem])
            guard db.changesCount == 1 else { return }  // already committed by an earlier run
            let runID = db.lastInsertedRowID
            let statement = try db.cachedStatement(sql: """
                INSERT INTO outcomes(run_id, item_index, item_id, answer, correct, reward, prompt_tokens, completion_tokens,
                  calls, failures, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for (i, o) in run.outcomes.enumerated() {
                try statement.execute(arguments: [runID, i, run.itemIDs[i], o.answer, o.correct, o.reward, o.promptTokens,
                                                  o.completionTokens, o.calls, o.failures, o.detail])
            }
        }
        samplesWritten += batch.count
    }

    /// Scores of the committed seed runs of a system, by seed index.
    public func seedScores(systemFingerprint: String) async throws -> [Int: SeedScores] {
        try await db.read { db in
            var out: [Int: SeedScores] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT seed_index, accuracy, tokens_per_item, calls_per_item, failures FROM seed_runs WHERE system_fp = ?
                """, arguments: [systemFingerprint]) {
                out[row[0]] = SeedScores(accuracy: row[1], tokensPerItem: row[2], callsPerItem: row[3], failures: row[4])
            }
            return out
        }
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

    public func recordInterim(scope: String, record: InterimRecord, systems: [String], results: [AdaStop.ComparisonResult]) async throws {
        let active = "[" + record.active.map { "[\(jsonString(systems[$0.a])),\(jsonString(systems[$0.b]))]" }.joined(separator: ",") + "]"
        try await db.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO interims(suite, interim, boundary, level_spent, active_json) VALUES (?, ?, ?, ?, ?)
                """, arguments: [scope, record.interim, record.boundary, record.levelSpent, active])
            for r in results {
                guard let decision = r.decision, let interim = r.interim else { continue }
                try db.execute(sql: """
                    INSERT OR REPLACE INTO decisions(suite, a, b, decision, interim, mean_a, mean_b) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [scope, systems[r.comparison.a], systems[r.comparison.b], decision.rawValue, interim, r.meanA, r.meanB])
            }
        }
    }

    // MARK: request cache

    /// Cached responses for the given request keys (buffered entries included). Keys the cache
    /// certainly lacks are answered without entering the actor or reading the database.
    public nonisolated func cachedResponses(_ keys: [String]) async throws -> [String: [UInt8]] {
        try cacheIndex.loadIfNeeded(db)
        let candidates = cacheIndex.candidates(keys)
        if candidates.isEmpty { return [:] }
        return try await readCache(candidates)
    }

    private func readCache(_ keys: [String]) async throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        var missing: [String] = []
        for key in keys {
            if let v = pendingCache[key] { out[key] = v } else { missing.append(key) }
        }
        guard !missing.isEmpty else { return out }
        let wanted = missing
        let found = try await db.read { db in
            var found: [String: [UInt8]] = [:]
            let statement = try db.cachedStatement(sql: "SELECT response FROM cache WHERE key = ?")
            for key in wanted {
                if let data = try Data.fetchOne(statement, arguments: [key]) { found[key] = [UInt8](data) }
            }
            return found
        }
        out.merge(found) { a, _ in a }
        return out
    }

    /// Buffers cache entries; they are written with the next batch of samples.
    public func cacheResponses(_ entries: [(key: String, response: [UInt8])]) throws {
        for e in entries { pendingCache[e.key] = e.response }
        cacheIndex.insert(entries.lazy.map(\.key))
        if pendingCache.count >= Self.flushRows || ContinuousClock.now - lastFlush > Self.flushAge {
            try flushIfAny()
        }
    }

    static func insertCache(_ entries: [String: [UInt8]], _ db: Database) throws {
        guard !entries.isEmpty else { return }
        let statement = try db.cachedStatement(sql: "INSERT OR IGNORE INTO cache(key, response) VALUES (?, ?)")
        for (key, value) in entries { try statement.execute(arguments: [key, Data(value)]) }
    }

    public func cacheCount() async throws -> Int {
        try flushIfAny()
        return try await db.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cache") ?? 0 }
    }

    public func sampleCount() async throws -> Int {
        try flushIfAny()
        return try await db.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM samples") ?? 0 }
    }

    /// Read access for reports: leaderboards are a pure function of the database.
    public nonisolated var reader: any DatabaseReader { db }
}

public struct SampleKey: Hashable, Sendable {
    public var item: String
    public var temperature: Double
    public var sampleIndex: Int
}

public struct SampleRecord: Sendable {
    public var pool: String
    public var itemID: String
    public var seedIndex: Int
    public var requestSeed: UInt64
    public var sample: Sample
}

public struct SeedScores: Sendable, Hashable {
    public var accuracy: Double
    public var tokensPerItem: Double
    public var callsPerItem: Double
    public var failures: Int

    public func value(of metric: String) -> Double {
        switch metric {
        case "tokens_per_item": tokensPerItem
        case "calls_per_item": callsPerItem
        default: accuracy
        }
    }
}

public struct SeedRunRecord: Sendable {
    public var systemFingerprint: String
    public var systemName: String
    public var seedIndex: Int
    public var itemIDs: [String]
    public var outcomes: [Outcome]

    public var accuracy: Double { outcomes.isEmpty ? 0 : Double(outcomes.filter(\.correct).count) / Double(outcomes.count) }
    public var tokensPerItem: Double {
        outcomes.isEmpty ? 0 : Double(outcomes.reduce(0) { $0 + $1.promptTokens + $1.completionTokens }) / Double(outcomes.count)
    }
    public var callsPerItem: Double { outcomes.isEmpty ? 0 : Double(outcomes.reduce(0) { $0 + $1.calls }) / Double(outcomes.count) }
    public var failures: Int { outcomes.reduce(0) { $0 + $1.failures } }
}

public struct StoreError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

extension ModelSpec {
    var isSimulated: Bool {
        if case .simulated = kind { return true }
        return false
    }
}

extension CompareSpec {
    /// The AdaStop parameters, as stored with the suite (sorted keys: byte-stable).
    var canonicalJSON: String {
        let comparisons: String
        switch self.comparisons {
        case .all: comparisons = "\"all\""
        case .reference(let r): comparisons = "{\"reference\":\(jsonString(r))}"
        case .pairs(let p): comparisons = "[" + p.map { "[\(jsonString($0[0])),\(jsonString($0[1]))]" }.joined(separator: ",") + "]"
        }
        return "{\"alpha\":\(alpha),\"comparisons\":\(comparisons),\"group_size\":\(groupSize),\"max_interims\":\(maxInterims),"
            + "\"metric\":\(jsonString(metric)),\(permutation == "pairwise" ? "" : "\"permutation\":\(jsonString(permutation)),")"
            + "\"permutations\":\(permutations),\"pool\":\"\(pool.rawValue)\",\"rule\":\(jsonString(rule))}"
    }
}

/// A JSON string literal.
func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
        }
    }
    return out + "\""
}
