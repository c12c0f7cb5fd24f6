import TTSCore
import Foundation
import GRDB

// What the viewer (`ttsbench view`) reads: one system's outcomes item by item, one item's
// outcomes, samples and auxiliary calls, a pool's answer counts. Every query goes through an
// index (`samples`' unique key, `outcomes`' primary key, `seed_runs`' unique key), so a page
// reads what it shows and no more, also on a database of millions of samples.

/// One outcome as the viewer lists it: a seed run's result on one item (its fields read through:
/// `outcome.correct` is `correct`).
@dynamicMemberLookup
public struct BrowsedOutcome: Sendable, Equatable, Codable {
    public var seedIndex: Int
    public var itemIndex: Int
    public var outcome: OutcomeRecord

    public subscript<T>(dynamicMember key: KeyPath<OutcomeRecord, T>) -> T { outcome[keyPath: key] }
}

/// One outcome as a list of items shows it: a seed's verdict and answer on one item.
public struct OutcomeMark: Sendable, Equatable {
    public var seedIndex: Int
    public var itemIndex: Int
    public var itemID: String
    public var answer: String?
    public var correct: Bool
    public var failures: Int
    /// Completions with no answer (nil: not recorded).
    public var noAnswer: Int?
}

/// One generated sample or auxiliary call, with everything recorded about it.
public struct BrowsedSample: Sendable, Equatable, Codable {
    /// The row id (`samples.id` or `aux_calls.id`): names the sample in a link to its full text.
    public var id: Int64
    public var pool: String
    public var seedIndex: Int
    public var temperature: Double
    /// The index in the pool; nil for an auxiliary call.
    public var sampleIndex: Int?
    /// The auxiliary call's id (tag and request digest); nil for a pooled sample.
    public var callID: String?
    public var text: String?
    public var reasoning: String?
    public var answer: String?
    public var extractRule: String?
    public var finishReason: String?
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var reasoningTokens: Int?
    public var latencyMs: Double?
    public var error: String?
    public var tokensEstimated: Bool
    public var attempts: Int?
    public var retryLog: String?
    public var cost: Double?
    public var cached: Bool
}

/// How many samples of a pool gave one answer (nil: no answer was extracted).
public struct AnswerCount: Sendable, Equatable, Codable {
    public var answer: String?
    public var count: Int
}

extension StoreReader {
    /// The seed indexes `0..<seeds` as SQL arguments: lets a query on `samples` use its unique
    /// key (pool, seed index, item, ...) instead of scanning a pool.
    private static func seedList(_ seeds: Int) -> (marks: String, values: [Int]) {
        let values = Array(0..<max(seeds, 1))
        return (Array(repeating: "?", count: values.count).joined(separator: ","), values)
    }

    static let outcomeColumns = """
        r.seed_index AS seed_index, o.item_index AS item_index, o.item_id AS item_id, o.answer AS answer, o.correct AS correct,
        o.reward AS reward, o.prompt_tokens AS prompt_tokens, o.completion_tokens AS completion_tokens, o.calls AS calls,
        o.failures AS failures, o.latency_ms AS latency_ms, o.detail AS detail, o.completions AS completions,
        o.no_answer AS no_answer, o.no_answer_text AS no_answer_text
        """

    private static func outcome(_ row: Row, thinking: Bool, scores: Bool) throws -> BrowsedOutcome {
        var poolScores: PoolScores?
        if scores, let text: String = row["pool_scores"] {
            poolScores = try? JSONDecoder().decode(PoolScores.self, from: Data(text.utf8))
        }
        return BrowsedOutcome(seedIndex: row["seed_index"], itemIndex: row["item_index"], outcome: OutcomeRecord(
            itemID: row["item_id"], answer: row["answer"], correct: row["correct"], reward: row["reward"], promptTokens: row["prompt_tokens"],
            completionTokens: row["completion_tokens"], calls: row["calls"], failures: row["failures"], latencyMs: row["latency_ms"],
            detail: row["detail"], poolScores: poolScores, completions: row["completions"], noAnswer: row["no_answer"],
            noAnswerText: row["no_answer_text"], thinkingTokens: thinking ? row["thinking_tokens"] : nil,
            unfinishedThinking: thinking ? row["unfinished_thinking"] : nil))
    }

    /// Every outcome of seeds 0..<seeds of a system, in item then seed order, without pool
    /// scores (what a system's item list needs).
    public func browseOutcomes(systemFingerprint: String, seeds: Int) throws -> [BrowsedOutcome] {
        try db.read { db in
            let thinking = try Self.recordsThinking(db)
            let extra = thinking ? ", o.thinking_tokens AS thinking_tokens, o.unfinished_thinking AS unfinished_thinking" : ""
            return try Row.fetchAll(db, sql: """
                SELECT \(Self.outcomeColumns)\(extra) FROM seed_runs r JOIN outcomes o ON o.run_id = r.id
                WHERE r.system_fp = ? AND r.seed_index < ? ORDER BY o.item_index, r.seed_index
                """, arguments: [systemFingerprint, seeds]).map { try Self.outcome($0, thinking: thinking, scores: false) }
        }
    }

    /// The verdicts, answers and markers of seeds 0..<seeds of a system, in item then seed order:
    /// the few columns a list of items shows, read by position (a system of 650 items and 30
    /// seeds is 19,500 rows).
    public func outcomeMarks(systemFingerprint: String, seeds: Int) throws -> [OutcomeMark] {
        try db.read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT r.seed_index, o.item_index, o.item_id, o.answer, o.correct, o.failures, o.no_answer
                FROM seed_runs r JOIN outcomes o ON o.run_id = r.id
                WHERE r.system_fp = ? AND r.seed_index < ? ORDER BY o.item_index, r.seed_index
                """, arguments: [systemFingerprint, seeds])
            var out: [OutcomeMark] = []
            while let row = try rows.next() {
                out.append(OutcomeMark(seedIndex: row[0], itemIndex: row[1], itemID: row[2], answer: row[3], correct: row[4],
                                       failures: row[5], noAnswer: row[6]))
            }
            return out
        }
    }

    /// The position of an item in the task (its `item_index`, the same for every system of a
    /// suite), read from any of the given systems' seed runs; nil when none recorded it.
    public func itemIndex(of itemID: String, systemFingerprints: [String]) throws -> Int? {
        try db.read { db in
            for fp in systemFingerprints {
                guard let run = try Int64.fetchOne(db, sql: "SELECT id FROM seed_runs WHERE system_fp = ? ORDER BY seed_index LIMIT 1",
                                                   arguments: [fp]) else { continue }
                if let index = try Int.fetchOne(db, sql: "SELECT item_index FROM outcomes WHERE run_id = ? AND item_id = ?",
                                                arguments: [run, itemID]) {
                    return index
                }
            }
            return nil
        }
    }

    /// One item's outcomes (with pool scores) over seeds 0..<seeds of a system, in seed order.
    public func browseOutcomes(systemFingerprint: String, seeds: Int, itemIndex: Int) throws -> [BrowsedOutcome] {
        try db.read { db in
            let thinking = try Self.recordsThinking(db)
            let extra = thinking ? ", o.thinking_tokens AS thinking_tokens, o.unfinished_thinking AS unfinished_thinking" : ""
            return try Row.fetchAll(db, sql: """
                SELECT \(Self.outcomeColumns), o.pool_scores AS pool_scores\(extra) FROM seed_runs r
                JOIN outcomes o ON o.run_id = r.id AND o.item_index = ?
                WHERE r.system_fp = ? AND r.seed_index < ? ORDER BY r.seed_index
                """, arguments: [itemIndex, systemFingerprint, seeds]).map { try Self.outcome($0, thinking: thinking, scores: true) }
        }
    }

    /// The first items of a system's first seed run, in task order: (index, id).
    public func items(systemFingerprint: String) throws -> [(index: Int, id: String)] {
        try db.read { db in
            guard let run = try Int64.fetchOne(db, sql: "SELECT id FROM seed_runs WHERE system_fp = ? ORDER BY seed_index LIMIT 1",
                                               arguments: [systemFingerprint]) else { return [] }
            return try Row.fetchAll(db, sql: "SELECT item_index, item_id FROM outcomes WHERE run_id = ? ORDER BY item_index",
                                    arguments: [run]).map { ($0["item_index"], $0["item_id"]) }
        }
    }

    /// How many samples of `pool` gave each answer, per item, over seeds 0..<seeds (most
    /// frequent first, then by answer; no answer last).
    public func answerCounts(pool: String, seeds: Int, items: [String]) throws -> [String: [AnswerCount]] {
        guard !items.isEmpty else { return [:] }
        let (marks, values) = Self.seedList(seeds)
        let itemMarks = Array(repeating: "?", count: items.count).joined(separator: ",")
        return try db.read { db in
            var out: [String: [AnswerCount]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT item_id, answer, COUNT(*) AS n FROM samples
                WHERE pool = ? AND seed_index IN (\(marks)) AND item_id IN (\(itemMarks)) AND text IS NOT NULL
                GROUP BY item_id, answer
                """, arguments: StatementArguments([pool] as [any DatabaseValueConvertible] + values + items)) {
                out[row["item_id"], default: []].append(AnswerCount(answer: row["answer"], count: row["n"]))
            }
            for key in out.keys {
                out[key]!.sort { ($0.answer == nil ? 1 : 0, -$0.count, $0.answer ?? "") < ($1.answer == nil ? 1 : 0, -$1.count, $1.answer ?? "") }
            }
            return out
        }
    }

    /// The items of which some sample of `pool` (seeds 0..<seeds) stopped at its token limit.
    public func truncatedItems(pool: String, seeds: Int) throws -> Set<String> {
        let (marks, values) = Self.seedList(seeds)
        return try db.read { db in
            Set(try String.fetchAll(db, sql: """
                SELECT DISTINCT item_id FROM samples WHERE pool = ? AND seed_index IN (\(marks)) AND finish_reason = 'length'
                """, arguments: StatementArguments([pool] as [any DatabaseValueConvertible] + values)))
        }
    }

    private static func sample(_ row: Row, aux: Bool, thinking: Bool) throws -> BrowsedSample {
        BrowsedSample(id: row["id"], pool: row["pool"], seedIndex: row["seed_index"], temperature: row["temperature"],
                      sampleIndex: aux ? nil : row["sample_index"], callID: aux ? row["call_id"] : nil,
                      text: try StoredText.decode(row, "text"), reasoning: thinking ? try StoredText.decode(row, "reasoning") : nil,
                      answer: row["answer"], extractRule: row["extract_rule"], finishReason: row["finish_reason"],
                      promptTokens: row["prompt_tokens"], completionTokens: row["completion_tokens"],
                      reasoningTokens: thinking ? row["reasoning_tokens"] : nil, latencyMs: row["latency_ms"], error: row["error"],
                      tokensEstimated: row["tokens_estimated"] ?? false, attempts: aux ? nil : row["attempts"],
                      retryLog: aux ? nil : row["retry_log"], cost: aux ? nil : row["cost"], cached: aux ? false : (row["cached"] ?? false))
    }

    /// The samples of `pool` for one item and seed (at `temperatures`, or all when nil), in
    /// temperature and sample order, with their texts decompressed.
    public func browseSamples(pool: String, seedIndex: Int, itemID: String, temperatures: [Double]? = nil) throws -> [BrowsedSample] {
        try db.read { db in
            let thinking = try Self.recordsThinking(db)
            let columns = thinking ? "reasoning, reasoning_tokens," : ""
            return try Row.fetchAll(db, sql: """
                SELECT id, pool, seed_index, temperature, sample_index, text, \(columns) answer, extract_rule, finish_reason, prompt_tokens,
                  completion_tokens, latency_ms, error, tokens_estimated, attempts, retry_log, cost, cached
                FROM samples WHERE pool = ? AND seed_index = ? AND item_id = ? ORDER BY temperature, sample_index
                """, arguments: [pool, seedIndex, itemID]).map { try Self.sample($0, aux: false, thinking: thinking) }
                .filter { s in temperatures.map { $0.contains(s.temperature) } ?? true }
        }
    }

    /// The auxiliary calls recorded under `pool` for one item and seed, by call id.
    public func browseAuxiliaryCalls(pool: String, seedIndex: Int, itemID: String) throws -> [BrowsedSample] {
        try db.read { db in
            let thinking = try Self.recordsThinking(db)
            let columns = thinking ? "reasoning, reasoning_tokens, extract_rule," : "NULL AS extract_rule,"
            return try Row.fetchAll(db, sql: """
                SELECT id, pool, seed_index, temperature, call_id, text, \(columns) answer, finish_reason, prompt_tokens,
                  completion_tokens, latency_ms, error, tokens_estimated
                FROM aux_calls WHERE pool = ? AND seed_index = ? AND item_id = ? ORDER BY call_id
                """, arguments: [pool, seedIndex, itemID]).map { try Self.sample($0, aux: true, thinking: thinking) }
        }
    }

    /// One sample's (or auxiliary call's) full text and thinking, by row id; nil when absent.
    public func fullText(sampleID: Int64, auxiliary: Bool) throws -> (text: String?, reasoning: String?)? {
        try db.read { db in
            let thinking = try Self.recordsThinking(db) ? "reasoning" : "NULL AS reasoning"
            guard let row = try Row.fetchOne(db, sql: "SELECT text, \(thinking) FROM \(auxiliary ? "aux_calls" : "samples") WHERE id = ?",
                                             arguments: [sampleID]) else { return nil }
            return (try StoredText.decode(row, "text"), try StoredText.decode(row, "reasoning"))
        }
    }

    /// A value that changes whenever a run commits something a page shows (seed runs,
    /// decisions, a suite's fingerprint): what cached leaderboards are keyed by.
    public func changeStamp() throws -> String {
        try db.read { db in
            let runs = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS n, MAX(id) AS top FROM seed_runs")
            let decisions = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM decisions") ?? 0
            let interims = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM interims") ?? 0
            let suites = try String.fetchAll(db, sql: "SELECT name || '@' || updated_at FROM suites ORDER BY name").joined(separator: ",")
            let systems = try Int.fetchOne(db, sql: "SELECT SUM(seeds_used) FROM systems") ?? 0
            return "\(runs?["n"] as Int? ?? 0)/\(runs?["top"] as Int64? ?? 0)/\(decisions)/\(interims)/\(systems)/\(suites)"
        }
    }
}
