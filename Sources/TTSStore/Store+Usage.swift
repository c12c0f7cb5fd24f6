import GRDB

/// What a database holds of generated text, for budgets and plans: counts, tokens and cost of
/// the pooled samples and auxiliary calls, overall or per pool.
public struct Usage: Sendable, Equatable {
    /// Pooled samples and auxiliary calls (each one generation).
    public var samples: Int
    public var auxiliaryCalls: Int
    /// Prompt plus completion tokens of both.
    public var tokens: Int
    /// Recorded cost (USD) of the pooled samples and of the auxiliary calls that record theirs
    /// (schema 12 on: each at the price of the model that answered it).
    public var usd: Double
    /// Tokens of the auxiliary calls alone.
    public var auxiliaryTokens: Int
    /// Tokens of the auxiliary calls recorded without their model and cost (before schema 12):
    /// priced by the caller, at most at the dearest model.
    public var auxiliaryUnpricedTokens: Int = 0
    public init(samples: Int = 0, auxiliaryCalls: Int = 0, tokens: Int = 0, usd: Double = 0, auxiliaryTokens: Int = 0,
                auxiliaryUnpricedTokens: Int = 0) {
        self.samples = samples
        self.auxiliaryCalls = auxiliaryCalls
        self.tokens = tokens
        self.usd = usd
        self.auxiliaryTokens = auxiliaryTokens
        self.auxiliaryUnpricedTokens = auxiliaryUnpricedTokens
    }
    public var generations: Int { samples + auxiliaryCalls }
}

/// Recorded tokens of one pool at one temperature (or of its auxiliary calls): the per-sample
/// means a plan or a budget uses instead of a model's nominal figures.
public struct TokenStats: Sendable, Equatable {
    public var count: Int
    public var promptTokens: Int
    public var completionTokens: Int
    public var usd: Double
    public init(count: Int, promptTokens: Int, completionTokens: Int, usd: Double) {
        self.count = count
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.usd = usd
    }
    public var meanPromptTokens: Double { count == 0 ? 0 : Double(promptTokens) / Double(count) }
    public var meanCompletionTokens: Double { count == 0 ? 0 : Double(completionTokens) / Double(count) }
}

extension Store {
    /// Everything generated so far in this database (buffered samples flushed first).
    public func usage() async throws -> Usage {
        try await flush()
        return try reader.usage()
    }
}

extension StoreReader {
    /// Everything generated in this database: samples, auxiliary calls, their tokens and cost.
    public func usage() throws -> Usage {
        try db.read { db in
            let s = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS n, COALESCE(SUM(COALESCE(prompt_tokens, 0) + COALESCE(completion_tokens, 0)), 0) AS tokens,
                       COALESCE(SUM(COALESCE(cost, 0)), 0) AS usd FROM samples
                """)!
            let priced = try db.columns(in: "aux_calls").contains { $0.name == "model" }
            let a = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS n, COALESCE(SUM(COALESCE(prompt_tokens, 0) + COALESCE(completion_tokens, 0)), 0) AS tokens,
                       \(priced ? "COALESCE(SUM(COALESCE(cost, 0)), 0)" : "0.0") AS usd,
                       COALESCE(SUM(CASE WHEN \(priced ? "model IS NULL" : "1") THEN COALESCE(prompt_tokens, 0) + COALESCE(completion_tokens, 0)
                                         ELSE 0 END), 0) AS unpriced
                FROM aux_calls
                """)!
            let sampleTokens: Int = s["tokens"]
            let auxTokens: Int = a["tokens"]
            let sampleUSD: Double = s["usd"], auxUSD: Double = a["usd"]
            return Usage(samples: s["n"], auxiliaryCalls: a["n"], tokens: sampleTokens + auxTokens, usd: sampleUSD + auxUSD,
                         auxiliaryTokens: auxTokens, auxiliaryUnpricedTokens: a["unpriced"])
        }
    }

    /// How many samples of `pool`, seed `seedIndex` and `temperature` with a sample index below
    /// `below` are recorded (over all items): the part of a prefix read that costs nothing.
    public func recordedSampleCount(pool: String, seedIndex: Int, temperature: Double, below: Int) throws -> Int {
        try db.read { db in
            try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM samples WHERE pool = ? AND seed_index = ? AND temperature = ? AND sample_index < ?
                """, arguments: [pool, seedIndex, temperature, below]) ?? 0
        }
    }

    /// How many auxiliary calls of `pool` and seed `seedIndex` are recorded (over all items).
    public func recordedAuxiliaryCount(pool: String, seedIndex: Int) throws -> Int {
        try db.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM aux_calls WHERE pool = ? AND seed_index = ?",
                             arguments: [pool, seedIndex]) ?? 0
        }
    }

    /// Recorded tokens of the samples of `pool` at `temperature` (any seed), or nil when none.
    public func sampleTokenStats(pool: String, temperature: Double) throws -> TokenStats? {
        try db.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS n, COALESCE(SUM(prompt_tokens), 0) AS p, COALESCE(SUM(completion_tokens), 0) AS c,
                       COALESCE(SUM(cost), 0) AS usd FROM samples
                WHERE pool = ? AND temperature = ? AND prompt_tokens IS NOT NULL AND completion_tokens IS NOT NULL
                """, arguments: [pool, temperature])!
            let n: Int = row["n"]
            return n == 0 ? nil : TokenStats(count: n, promptTokens: row["p"], completionTokens: row["c"], usd: row["usd"])
        }
    }

    /// Recorded tokens of the auxiliary calls answered by `pool` (any seed), or nil when none.
    public func auxiliaryTokenStats(pool: String) throws -> TokenStats? {
        try db.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS n, COALESCE(SUM(prompt_tokens), 0) AS p, COALESCE(SUM(completion_tokens), 0) AS c FROM aux_calls
                WHERE pool = ? AND prompt_tokens IS NOT NULL AND completion_tokens IS NOT NULL
                """, arguments: [pool])!
            let n: Int = row["n"]
            return n == 0 ? nil : TokenStats(count: n, promptTokens: row["p"], completionTokens: row["c"], usd: 0)
        }
    }
}

extension Store {
    /// The database's size in bytes after a checkpoint (the WAL written into the main file).
    package func databaseBytes() async throws -> Int {
        try await flush()
        return try await db.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            let size = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0
            return pages * size
        }
    }
}
