import TTSCore
import Foundation
import GRDB

/// Read-only access to a ttsbench database: what reports, replay models and suite references
/// read. Opening one never creates, migrates or writes anything.
///
/// ```swift
/// let reader = try StoreReader(path: "results/ttsbench.sqlite")
/// for name in try reader.suiteNames() { print(name) }
/// ```
public struct StoreReader: Sendable {
    let db: any GRDB.DatabaseReader
    public let path: String

    init(_ db: any DatabaseReader, path: String) {
        self.db = db
        self.path = path
    }

    /// Opens the database at `path` for reading only; refuses a missing file and a database
    /// of another schema version (naming both versions).
    public init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError(message: "no database at \(path)") }
        var config = Configuration()
        config.readonly = true
        // A writer closing (its last checkpoint) or committing holds a lock for a moment: wait
        // for it, as the writer does, instead of failing the read at once.
        config.busyMode = .timeout(10)
        do {
            db = try DatabasePool(path: path, configuration: config)
        } catch {
            throw StoreError(message: "cannot open the database \(path): \(error)")
        }
        self.path = path
        try db.read { try StoreSchema.check($0, path: path, migrating: false) }
    }

    /// The underlying GRDB reader, for this package's tests only.
    package var database: any GRDB.DatabaseReader { db }

    // MARK: suites

    /// The suites the database holds, by name.
    public func suiteNames() throws -> [String] {
        try db.read { db in
            guard try db.tableExists("suites") else { return [] }
            return try String.fetchAll(db, sql: "SELECT name FROM suites ORDER BY name")
        }
    }

    /// The recorded suite of that name, nil when there is none.
    public func recordedSuite(_ name: String) throws -> SuiteRecord? {
        try db.read { db in try db.tableExists("suites") ? try SuiteRecord.fetchOne(db, key: name) : nil }
    }

    /// How many interims of a scope's test are recorded (0: the test has not begun).
    public func interimCount(scope: String) throws -> Int {
        try db.read { db in
            guard try db.tableExists("interims") else { return 0 }
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM interims WHERE suite = ?", arguments: [scope]) ?? 0
        }
    }

    /// The scopes of recorded tests whose name starts with `prefix` (e.g. every design a pair
    /// was compared with), sorted.
    public func scopes(withPrefix prefix: String) throws -> [String] {
        try db.read { db in
            guard try db.tableExists("interims") else { return [] }
            return try String.fetchAll(db, sql: "SELECT DISTINCT suite FROM interims WHERE substr(suite, 1, ?) = ? ORDER BY suite",
                                       arguments: [prefix.count, prefix])
        }
    }

    /// The recorded suite, or an error naming the suites the database holds.
    public func suite(_ name: String) throws -> SuiteRecord {
        if let record = try db.read({ db in try db.tableExists("suites") ? try SuiteRecord.fetchOne(db, key: name) : nil }) {
            return record
        }
        let known = try suiteNames()
        throw StoreError(message: "the database \(path) holds no suite named '\(name)'"
                         + (known.isEmpty ? " (it holds no suite)" : "; suites: \(known.joined(separator: ", "))"))
    }

    /// The suite's systems, in suite order.
    public func systems(suite: String) throws -> [SystemRecord] {
        try db.read { db in try SystemRecord.filter(Column("suite") == suite).order(Column("position")).fetchAll(db) }
    }

    /// A recorded model of a suite, and every recorded "suite/model" (for messages).
    public func model(suite: String, name: String) throws -> (model: ModelRecord?, known: [String]) {
        try db.read { db in
            guard try db.tableExists("models") else { return (nil, []) }
            let model = try ModelRecord.filter(Column("suite") == suite && Column("name") == name).fetchOne(db)
            let known = try String.fetchAll(db, sql: "SELECT suite || '/' || name FROM models ORDER BY 1")
            return (model, known)
        }
    }

    // MARK: seed runs and outcomes

    /// The committed seed runs 0..<seeds of a system, in seed order.
    public func seedRuns(systemFingerprint: String, seeds: Int) throws -> [SeedRunRow] {
        try db.read { db in
            let thinking = try Self.recordsThinking(db) ? "thinking_tokens_per_item" : "NULL AS thinking_tokens_per_item"
            let verifier = try db.columns(in: "seed_runs").contains { $0.name == "verifier_calls_per_item" }
                ? "verifier_calls_per_item, verifier_tokens_per_item, verifier_cost_per_item"
                : "NULL AS verifier_calls_per_item, NULL AS verifier_tokens_per_item, NULL AS verifier_cost_per_item"
            return try SeedRunRow.fetchAll(db, sql: """
                SELECT seed_index, accuracy, tokens_per_item, calls_per_item, failures, cost_per_item, latency_ms_per_item,
                  sequential_tokens_per_item, \(thinking), \(verifier)
                FROM seed_runs WHERE system_fp = ? AND seed_index < ? ORDER BY seed_index
                """, arguments: [systemFingerprint, seeds])
        }
    }

    /// Scores of every committed seed run of a system, by seed index.
    public func seedScores(systemFingerprint: String) throws -> [Int: SeedScores] {
        try db.read { db in
            var out: [Int: SeedScores] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT seed_index, accuracy, tokens_per_item, calls_per_item, failures FROM seed_runs WHERE system_fp = ?
                """, arguments: [systemFingerprint]) {
                out[row["seed_index"]] = SeedScores(accuracy: row["accuracy"], tokensPerItem: row["tokens_per_item"],
                                                    callsPerItem: row["calls_per_item"], failures: row["failures"])
            }
            return out
        }
    }

    /// Per seed 0..<seeds (in order), each item's correctness: the seeds x items table of the
    /// two-way intervals. Items a seed run lacks are absent from its dictionary.
    public func itemOutcomes(systemFingerprint: String, seeds: Int) throws -> [[String: Double]] {
        try db.read { db in
            var out = [[String: Double]](repeating: [:], count: max(0, seeds))
            for row in try Row.fetchAll(db, sql: """
                SELECT r.seed_index AS seed_index, o.item_id AS item_id, o.correct AS correct
                FROM outcomes o JOIN seed_runs r ON o.run_id = r.id
                WHERE r.system_fp = ? AND r.seed_index < ?
                """, arguments: [systemFingerprint, seeds]) {
                let s: Int = row["seed_index"]
                out[s][row["item_id"]] = row["correct"]
            }
            return out
        }
    }

    /// The recorded pool scores and tokens of seeds 0..<seeds of a system, in seed and item order.
    public func poolScores(systemFingerprint: String, seeds: Int) throws -> [(scores: PoolScores, tokens: Int)] {
        let decoder = JSONDecoder()
        return try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT o.pool_scores AS pool_scores, o.prompt_tokens + o.completion_tokens AS tokens
                FROM outcomes o JOIN seed_runs r ON o.run_id = r.id
                WHERE r.system_fp = ? AND r.seed_index < ? AND o.pool_scores IS NOT NULL ORDER BY r.seed_index, o.item_index
                """, arguments: [systemFingerprint, seeds]).map { row in
                let text: String = row["pool_scores"]
                return (try decoder.decode(PoolScores.self, from: Data(text.utf8)), row["tokens"])
            }
        }
    }

    /// How often the completions a system read had no extractable answer, over seeds 0..<seeds,
    /// with up to `examples` distinct such completions (in seed and item order).
    public func noAnswerSummary(systemFingerprint: String, seeds: Int, examples: Int = 3) throws -> NoAnswerSummary {
        try db.read { db in
            let totals = try Self.completionTotals(db, column: "no_answer", systemFingerprint: systemFingerprint, seeds: seeds)
            var texts: [(item: String, text: String)] = []
            if examples > 0 {
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT o.item_id AS item_id, o.no_answer_text AS text FROM outcomes o JOIN seed_runs r ON o.run_id = r.id
                    WHERE r.system_fp = ? AND r.seed_index < ? AND o.no_answer_text IS NOT NULL
                    ORDER BY r.seed_index, o.item_index
                    """, arguments: [systemFingerprint, seeds])
                var seen = Set<String>()
                while texts.count < examples, let row = try rows.next() {
                    let item: String = row["item_id"]
                    let text: String = row["text"]
                    if seen.insert(text).inserted { texts.append((item, text)) }
                }
            }
            return NoAnswerSummary(recorded: totals.allRecorded, completions: totals.completions, noAnswer: totals.sum, examples: texts)
        }
    }

    /// Over a system's outcomes of seeds 0..<seeds: the sum of `completions` and of `column` (a
    /// count per outcome: `no_answer`, `unfinished_thinking`), and whether every outcome recorded
    /// `column` (false when there is none).
    private static func completionTotals(_ db: Database, column: String, systemFingerprint: String, seeds: Int) throws
        -> (completions: Int, sum: Int, allRecorded: Bool) {
        let row = try Row.fetchOne(db, sql: """
            SELECT COUNT(*) AS outcomes, COUNT(o.\(column)) AS recorded, SUM(o.completions) AS completions,
                   SUM(o.\(column)) AS total
            FROM outcomes o JOIN seed_runs r ON o.run_id = r.id WHERE r.system_fp = ? AND r.seed_index < ?
            """, arguments: [systemFingerprint, seeds])
        let outcomes: Int = row?["outcomes"] ?? 0
        let recorded: Int = row?["recorded"] ?? 0
        let completions: Int = row?["completions"] ?? 0
        let sum: Int = row?["total"] ?? 0
        return (completions, sum, outcomes > 0 && recorded == outcomes)
    }

    /// Whether the database has the thinking columns (schema 10; a reader opens schema 6 and 7 as they are).
    static func recordsThinking(_ db: Database) throws -> Bool {
        try db.columns(in: "outcomes").contains { $0.name == "unfinished_thinking" }
    }

    /// How often the completions a system read ended inside their thinking, over seeds 0..<seeds;
    /// nil rate when not every outcome recorded it.
    public func unfinishedThinking(systemFingerprint: String, seeds: Int) throws -> (completions: Int, unfinished: Int, recorded: Bool) {
        try db.read { db in
            guard try Self.recordsThinking(db) else { return (0, 0, false) }
            let totals = try Self.completionTotals(db, column: "unfinished_thinking", systemFingerprint: systemFingerprint, seeds: seeds)
            return (totals.completions, totals.sum, totals.allRecorded)
        }
    }

    // MARK: decisions

    /// The decided comparisons of a scope (a suite, or a `compare` scope), by interim.
    public func decisions(scope: String) throws -> [DecisionRecord] {
        try db.read { db in
            try DecisionRecord.fetchAll(db, sql: """
                SELECT a, b, decision, interim, mean_a, mean_b FROM decisions WHERE suite = ? ORDER BY interim, a, b
                """, arguments: [scope])
        }
    }

    // MARK: samples (replay)

    /// A recorded completion for (item, temperature, request seed), for a replay model.
    public func sample(itemID: String, temperature: Double, requestSeed: UInt64) throws -> StoredSample? {
        try db.read { db in
            let thinking = try Self.recordsThinking(db) ? "reasoning, reasoning_tokens, extract_rule"
                : "NULL AS reasoning, NULL AS reasoning_tokens, extract_rule"
            guard let row = try Row.fetchOne(db, sql: """
                SELECT text, finish_reason, prompt_tokens, completion_tokens, latency_ms, tokens_estimated, seed_index, sample_index,
                  \(thinking)
                FROM samples WHERE request_seed = ? AND item_id = ? AND temperature = ? AND text IS NOT NULL LIMIT 1
                """, arguments: [Int64(bitPattern: requestSeed), itemID, temperature]) else { return nil }
            return StoredSample(itemID: itemID, seedIndex: row["seed_index"], temperature: temperature, sampleIndex: row["sample_index"],
                                requestSeed: requestSeed, text: try StoredText.decode(row, "text"), answer: nil, finishReason: row["finish_reason"],
                                promptTokens: row["prompt_tokens"], completionTokens: row["completion_tokens"],
                                latencyMs: row["latency_ms"], error: nil, tokensEstimated: row["tokens_estimated"] ?? false,
                                extractRule: row["extract_rule"], reasoning: try StoredText.decode(row, "reasoning"),
                                reasoningTokens: row["reasoning_tokens"])
        }
    }
}
