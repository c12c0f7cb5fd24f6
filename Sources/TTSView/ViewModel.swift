import TTSCore
import TTSStore
import TTSReport
import Foundation

/// A page asked for something the database does not hold (HTTP 404), or a malformed request (400).
public struct ViewError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case notFound, badRequest }
    public var kind: Kind
    public var message: String
    public var description: String { message }
    static func notFound(_ message: String) -> ViewError { ViewError(kind: .notFound, message: message) }
    static func badRequest(_ message: String) -> ViewError { ViewError(kind: .badRequest, message: message) }
}

/// The viewer's pages as data, read from the database through the read-only `StoreReader`.
/// Leaderboards come from `LeaderboardBuilder`, so a suite page shows the published numbers;
/// they are cached until a run commits something new (`StoreReader.changeStamp`).
///
/// ```swift
/// let model = ViewModel(reader: try StoreReader(path: "results/ttsbench.sqlite"), sources: { _ in SuiteSources() })
/// let page = try model.systemPage(suite: "demo", system: "mid/maj8", filter: .wrong)
/// ```
public final class ViewModel: @unchecked Sendable {
    public let reader: StoreReader
    let lookup: SuiteSourcesLookup
    /// Characters of one sample text (and of its thinking) an item page carries.
    public var textLimit = 4000
    /// Characters of an item's prompt an item page carries.
    public var promptLimit = 8000

    private let lock = NSLock()
    private var boards: [String: (stamp: String, board: Leaderboard)] = [:]
    /// Results that are slow to compute (the paired tests of a comparison, a pool's truncated
    /// items), by key, with the change stamp they were computed at.
    private var memo: [String: (stamp: String, value: any Sendable)] = [:]
    private var sourceCache: [String: (fingerprint: String, sources: SuiteSources)] = [:]

    public init(reader: StoreReader, sources: @escaping SuiteSourcesLookup) {
        self.reader = reader
        lookup = sources
    }

    // MARK: shared reads

    func record(_ suite: String) throws -> SuiteRecord {
        guard let record = try reader.recordedSuite(suite) else {
            throw ViewError.notFound("the database holds no suite named '\(suite)'")
        }
        return record
    }

    /// The suite's leaderboard, built once per change of the database.
    public func board(_ suite: String) throws -> Leaderboard {
        let stamp = try reader.changeStamp()
        if let cached = lock.withLock({ boards[suite] }), cached.stamp == stamp { return cached.board }
        _ = try record(suite)
        let board = try LeaderboardBuilder.build(reader: reader, suite: suite)
        lock.withLock { boards[suite] = (stamp, board) }
        return board
    }

    func sources(_ record: SuiteRecord) -> SuiteSources {
        if let cached = lock.withLock({ sourceCache[record.name] }), cached.fingerprint == record.fingerprint { return cached.sources }
        let sources = lookup(record)
        lock.withLock { sourceCache[record.name] = (record.fingerprint, sources) }
        return sources
    }

    func system(_ suite: String, _ name: String) throws -> SystemRecord {
        guard let system = try reader.systems(suite: suite).first(where: { $0.name == name }) else {
            throw ViewError.notFound("suite '\(suite)' has no system named '\(name)'")
        }
        return system
    }

    /// The pool a system's samples are in, when it is known for this very system.
    func pool(of system: SystemRecord, in sources: SuiteSources) -> SuiteSources.System? {
        guard let s = sources.systems[system.name], s.fingerprint == system.fingerprint else { return nil }
        return s
    }

    // MARK: pages

    /// The suites of the database.
    public func suites() throws -> [SuiteSummary] {
        try reader.suiteNames().map { name in
            let record = try self.record(name)
            let provenance = try? JSONDecoder().decode(ProvenanceRecord.self, from: Data(record.provenanceJSON.utf8))
            let metric = (try? record.compareSettings().metric.rawValue) ?? "?"
            return SuiteSummary(name: name, systems: try reader.systems(suite: name).count, metric: metric,
                                dataset: provenance.map { "\($0.dataset.name) (\($0.dataset.source))" } ?? "",
                                items: provenance?.dataset.items ?? 0, createdAt: record.createdAt, updatedAt: record.updatedAt)
        }
    }

    static func row(_ r: Leaderboard.Row) -> BoardRow {
        BoardRow(rank: r.rank, name: r.name, model: r.model, strategy: r.strategyLabel, verifier: r.verifier, mean: r.mean, ciLow: r.ciLow,
                 ciHigh: r.ciHigh, seeds: r.seeds, tokensPerItem: r.tokensPerItem, failures: r.failures, noAnswerRate: r.noAnswerRate,
                 variantOf: r.variantOf)
    }

    static func decision(_ d: Leaderboard.DecisionRow) -> DecisionData {
        DecisionData(a: d.a, b: d.b, decision: d.decision, interim: d.interim, meanA: d.meanA, meanB: d.meanB)
    }

    /// A suite's leaderboard and decisions.
    public func suitePage(_ suite: String) throws -> SuitePage {
        let board = try board(suite)
        return SuitePage(suite: suite, metric: board.metric, rows: board.rows.map(Self.row), decisions: board.decisions.map(Self.decision),
                         note: sources(try record(suite)).note)
    }

    /// A system's items: correctness per seed, answers, markers; filtered, searched, sorted, paged.
    public func systemPage(suite: String, system name: String, filter: ItemFilter = .all, sort: ItemSort = .item, query: String = "",
                           page: Int = 1, pageSize: Int = 50) throws -> SystemPage {
        let record = try record(suite)
        let system = try system(suite, name)
        let sources = sources(record)
        let source = pool(of: system, in: sources)
        let seeds = system.seedsUsed
        let outcomes = try reader.outcomeMarks(systemFingerprint: system.fingerprint, seeds: seeds)
        var rows: [ItemRow] = []
        for o in outcomes {
            if rows.last?.index != o.itemIndex {
                rows.append(ItemRow(index: o.itemIndex, id: o.itemID, correct: Array(repeating: nil, count: seeds),
                                    answers: Array(repeating: nil, count: seeds), poolAnswers: nil, noAnswer: 0, failures: 0, truncated: nil, accuracy: 0))
            }
            let i = rows.count - 1
            if o.seedIndex < seeds {
                rows[i].correct[o.seedIndex] = o.correct
                rows[i].answers[o.seedIndex] = o.answer
            }
            rows[i].noAnswer += o.noAnswer ?? 0
            rows[i].failures += o.failures
        }
        for i in rows.indices {
            let known = rows[i].correct.compactMap { $0 }
            rows[i].accuracy = known.isEmpty ? 0 : Double(known.filter { $0 }.count) / Double(known.count)
        }
        let needle = query.trimmingCharacters(in: .whitespaces).lowercased()
        if !needle.isEmpty {
            rows = rows.filter { row in
                row.id.lowercased().contains(needle) || (sources.items[row.id].map { $0.prompt.lowercased().contains(needle) } ?? false)
            }
        }
        let poolSeeds = system.deterministic == true ? 1 : seeds
        let truncated = filter == .truncated ? try source.map { source in
            try remembered("truncated|\(source.pool)|\(poolSeeds)") { try reader.truncatedItems(pool: source.pool, seeds: poolSeeds) }
        } : nil
        switch filter {
        case .all: break
        case .wrong: rows = rows.filter { $0.correct.contains(false) }
        case .noAnswer: rows = rows.filter { $0.noAnswer > 0 || $0.answers.contains(where: { $0 == nil }) }
        case .failed: rows = rows.filter { $0.failures > 0 }
        case .truncated: rows = rows.filter { truncated?.contains($0.id) ?? false }
        case .disagree: rows = rows.filter { Set($0.correct.compactMap { $0 }).count > 1 }
        }
        switch sort {
        case .item: break
        case .accuracy: rows.sort { ($0.accuracy, $0.index) < ($1.accuracy, $1.index) }
        case .accuracyDesc: rows.sort { ($1.accuracy, $0.index) < ($0.accuracy, $1.index) }
        case .noAnswer: rows.sort { ($1.noAnswer, $0.index) < ($0.noAnswer, $1.index) }
        }
        let size = max(1, min(pageSize, 1000))
        let pages = max(1, (rows.count + size - 1) / size)
        let current = max(1, min(page, pages))
        var shown = Array(rows.dropFirst((current - 1) * size).prefix(size))
        if let source {
            let counts = try reader.answerCounts(pool: source.pool, seeds: system.deterministic == true ? 1 : seeds, items: shown.map(\.id))
            for i in shown.indices {
                shown[i].poolAnswers = counts[shown[i].id] ?? []
                if let truncated { shown[i].truncated = truncated.contains(shown[i].id) }
            }
        }
        let row = try? board(suite).rows.first { $0.name == name }.map(Self.row)
        return SystemPage(suite: suite, system: name, row: row ?? nil, seeds: seeds, pool: source?.pool, filter: filter, sort: sort, query: query,
                          page: current, pageSize: size, matching: rows.count, total: outcomes.isEmpty ? 0 : Set(outcomes.map(\.itemIndex)).count,
                          items: shown, note: source == nil ? (sources.note ?? "the samples of this system cannot be located") : nil)
    }

    /// One item: the prompt and reference answer (when the task's data is at hand), each system's
    /// outcomes over its seeds, and at `seed` its samples, auxiliary calls and strategy outcome.
    public func itemPage(suite: String, item: String, seed: Int = 0, only: Set<String>? = nil) throws -> ItemPage {
        let record = try record(suite)
        let systems = try reader.systems(suite: suite).filter { only?.contains($0.name) ?? true }
        let sources = sources(record)
        guard let index = try reader.itemIndex(of: item, systemFingerprints: systems.map(\.fingerprint)) else {
            throw ViewError.notFound("suite '\(suite)' recorded no outcome for an item '\(item)'")
        }
        guard seed >= 0 else { throw ViewError.badRequest("seed must be 0 or more") }
        var out: [ItemSystemData] = []
        for system in systems {
            let outcomes = try reader.browseOutcomes(systemFingerprint: system.fingerprint, seeds: system.seedsUsed, itemIndex: index)
            var data = ItemSystemData(system: system.name, outcomes: outcomes, samples: [], calls: [], strategyOutcome: nil)
            if let source = pool(of: system, in: sources) {
                let sampleSeed = system.deterministic == true ? 0 : seed
                let scores = outcomes.first { $0.seedIndex == seed }?.poolScores
                let samples = try reader.browseSamples(pool: source.pool, seedIndex: sampleSeed, itemID: item, temperatures: source.temperatures)
                    .filter { ($0.sampleIndex ?? 0) < max(system.samplesPerItem, 1) || source.temperatures == nil }
                data.samples = samples.enumerated().map { i, s in
                    var d = sampleData(s, auxiliary: false)
                    if let scores, scores.classes.count == samples.count {
                        d.answerClass = scores.classes[i]
                        d.verdict = scores.correct.indices.contains(i) ? scores.correct[i] : nil
                        d.reward = scores.rewards.flatMap { $0.indices.contains(i) ? $0[i] : nil }
                    }
                    return d
                }
                for pool in [source.pool] + source.otherPools {
                    data.calls += try reader.browseAuxiliaryCalls(pool: pool, seedIndex: seed, itemID: item).map { sampleData($0, auxiliary: true) }
                }
                data.strategyOutcome = Self.strategyOutcome(outcomes.first { $0.seedIndex == seed }, samples: data.samples)
            } else {
                data.strategyOutcome = outcomes.first { $0.seedIndex == seed }.map { Self.strategyOutcome($0, samples: []) } ?? nil
            }
            out.append(data)
        }
        let text = sources.items[item]
        return ItemPage(suite: suite, item: item, index: index, seed: seed, seeds: systems.map(\.seedsUsed).max() ?? 0,
                        prompt: text.map { ClippedText($0.prompt, limit: promptLimit) }, reference: text?.answer,
                        systems: out, note: text == nil ? (sources.note ?? "the item's prompt and reference answer are not recorded") : sources.note)
    }

    func sampleData(_ s: BrowsedSample, auxiliary: Bool) -> SampleData {
        SampleData(id: s.id, auxiliary: auxiliary, callID: s.callID, sampleIndex: s.sampleIndex, temperature: s.temperature,
                   text: s.text.map { ClippedText($0, limit: textLimit) }, thinking: s.reasoning.map { ClippedText($0, limit: textLimit) },
                   answer: s.answer, extractRule: s.extractRule, finishReason: s.finishReason, promptTokens: s.promptTokens,
                   completionTokens: s.completionTokens, thinkingTokens: s.reasoningTokens, latencyMs: s.latencyMs, error: s.error,
                   attempts: s.attempts, retryLog: s.retryLog, cached: s.cached, answerClass: nil, verdict: nil, reward: nil)
    }

    /// The votes per answer class and the outcome, in words ("votes: 42 ×5, 41 ×3; answer 42, correct").
    static func strategyOutcome(_ outcome: BrowsedOutcome?, samples: [SampleData]) -> String? {
        guard let outcome else { return nil }
        var parts: [String] = []
        if let classes = outcome.poolScores?.classes, !classes.isEmpty {
            var counts: [Int: Int] = [:]
            for c in classes.compactMap({ $0 }) { counts[c, default: 0] += 1 }
            let named = counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { c, n in
                let answer = samples.first { $0.answerClass == c }?.answer ?? "class \(c)"
                return "\(answer) ×\(n)"
            }
            let none = classes.filter { $0 == nil }.count
            parts.append("votes: " + (named.isEmpty ? "none" : named.joined(separator: ", ")) + (none > 0 ? "; no answer ×\(none)" : ""))
            if let rewards = outcome.poolScores?.rewards, let best = rewards.indices.max(by: { (rewards[$0] ?? -.infinity) < (rewards[$1] ?? -.infinity) }),
               rewards[best] != nil {
                parts.append("highest reward: sample \(best)")
            }
        }
        parts.append("answer " + (outcome.answer ?? "none") + (outcome.correct ? ", correct" : ", wrong"))
        return parts.joined(separator: "; ")
    }

    /// Two systems side by side: the items where their seeds' correctness differs, the paired
    /// difference (A − B) and the AdaStop decision recorded for the pair.
    public func comparePage(suite: String, a: String, b: String) throws -> ComparePage {
        let sa = try system(suite, a), sb = try system(suite, b)
        let seeds = min(sa.seedsUsed, sb.seedsUsed)
        let oa = try reader.outcomeMarks(systemFingerprint: sa.fingerprint, seeds: seeds)
        let ob = try reader.outcomeMarks(systemFingerprint: sb.fingerprint, seeds: seeds)
        func table(_ outcomes: [OutcomeMark]) -> [String: (index: Int, correct: [Bool?], answers: [String?])] {
            var t: [String: (index: Int, correct: [Bool?], answers: [String?])] = [:]
            for o in outcomes where o.seedIndex < seeds {
                var entry = t[o.itemID] ?? (o.itemIndex, Array(repeating: nil, count: seeds), Array(repeating: nil, count: seeds))
                entry.correct[o.seedIndex] = o.correct
                entry.answers[o.seedIndex] = o.answer
                t[o.itemID] = entry
            }
            return t
        }
        let ta = table(oa), tb = table(ob)
        func accuracy(_ c: [Bool?]) -> Double {
            let known = c.compactMap { $0 }
            return known.isEmpty ? 0 : Double(known.filter { $0 }.count) / Double(known.count)
        }
        var rows: [(index: Int, row: CompareRow)] = []
        for (id, x) in ta {
            guard let y = tb[id], x.correct != y.correct else { continue }
            rows.append((x.index, CompareRow(id: id, accuracyA: accuracy(x.correct), accuracyB: accuracy(y.correct), answersA: x.answers, answersB: y.answers)))
        }
        rows.sort { (abs($1.row.accuracyA - $1.row.accuracyB), $0.index) < (abs($0.row.accuracyA - $0.row.accuracyB), $1.index) }
        let paired = try pairedDifference(sa, sb, seeds: seeds)
        var decision: DecisionData?
        if let d = try? board(suite).decisions.first(where: { ($0.a, $0.b) == (a, b) || ($0.a, $0.b) == (b, a) }) {
            var data = Self.decision(d)
            if d.a != a {  // said the other way round: A and B swap, and so do "larger" and "smaller"
                data = DecisionData(a: a, b: b, decision: d.decision == "larger" ? "smaller" : d.decision == "smaller" ? "larger" : d.decision,
                                    interim: d.interim, meanA: d.meanB, meanB: d.meanA)
            }
            decision = data
        }
        return ComparePage(suite: suite, a: a, b: b, seeds: seeds, difference: paired.difference?.difference, ciLow: paired.difference?.ciLow,
                           ciHigh: paired.difference?.ciHigh, itemPValue: paired.itemTest?.pValue, decision: decision,
                           items: Set(ta.keys).intersection(tb.keys).count, disagreements: rows.map(\.row))
    }

    /// `compute()`, or its result kept from an earlier call when the database has not changed since.
    func remembered<T: Sendable>(_ key: String, _ compute: () throws -> T) throws -> T {
        let stamp = try reader.changeStamp()
        if let cached = lock.withLock({ memo[key] }), cached.stamp == stamp, let value = cached.value as? T { return value }
        let value = try compute()
        lock.withLock { memo[key] = (stamp, value) }
        return value
    }

    /// The paired difference and item test of two systems (a bootstrap and a permutation test:
    /// the slow part of a comparison).
    func pairedDifference(_ a: SystemRecord, _ b: SystemRecord, seeds: Int)
        throws -> (difference: Leaderboard.PairedDifference?, itemTest: PairedItemTest.Result?)
    {
        try remembered("paired|\(a.fingerprint)|\(b.fingerprint)|\(seeds)") {
            try PairedItems.compare(reader: reader, a: a.fingerprint, seedsA: seeds, b: b.fingerprint, seedsB: seeds,
                                    seed: PairedItems.seed(a.name, b.name))
        }
    }

    /// A sample's (or auxiliary call's) whole text: its thinking, then its answer text.
    public func fullText(id: Int64, auxiliary: Bool) throws -> String {
        guard let found = try reader.fullText(sampleID: id, auxiliary: auxiliary) else {
            throw ViewError.notFound("no \(auxiliary ? "auxiliary call" : "sample") \(id)")
        }
        var out = ""
        if let thinking = found.reasoning { out += "[thinking]\n" + thinking + "\n[/thinking]\n" }
        return out + (found.text ?? "")
    }
}
