import TTSDesign
import TTSCore
import TTSStore
import Foundation
import AdaStop

/// The leaderboard model: a pure function of the database (same database, same bytes).
///
/// `LeaderboardBuilder.build` reads the store alone (`StoreReader`): the suite, its systems,
/// their seed runs and outcomes (with the pool scores recorded at run time, for the scaling
/// curves of `ScalingCurves`), and the decisions. No suite file, data file, verifier, network
/// or working directory is involved.
public struct Leaderboard: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public var name: String
        public var model: String
        public var modelLabel: String
        public var strategy: String
        public var strategyLabel: String
        public var verifier: String
        public var simulated: Bool
        public var mean: Double
        public var ciLow: Double
        public var ciHigh: Double
        public var seeds: Int
        /// Every generation at temperature 0 on a deterministic model: one seed was generated
        /// and read for each of the `seeds` seed indices (its interval's width is the items').
        public var deterministic = false
        public var rank: String
        public var tokensPerItem: Double
        public var callsPerItem: Double
        public var failures: Int
        /// Mean over seeds of `seed_runs.cost_per_item` (USD): generator and verifier calls, each
        /// at its own model's price; nil when no model it calls has a price.
        public var costPerItem: Double? = nil
        /// The verifier's (a judge's) calls, tokens and US dollars per item, means over seeds: the
        /// generator's are `callsPerItem` and `tokensPerItem`, the cost is part of `costPerItem`.
        /// 0 (and nil cost) when the verifier calls no model or the runs predate schema 12.
        public var verifierCallsPerItem: Double = 0
        public var verifierTokensPerItem: Double = 0
        public var verifierCostPerItem: Double? = nil
        /// Milliseconds of generation per item (sum over the samples the strategy read); nil when unknown.
        public var latencyMsPerItem: Double? = nil
        /// Generated tokens on the critical path per item (the latency axis: the longest chain of
        /// calls that wait for one another); nil when not recorded (seed runs before schema 6).
        public var sequentialTokensPerItem: Double? = nil
        /// Item-level paired difference against the top system (nil for the top system itself).
        public var vsTop: PairedDifference? = nil
        /// The base system this one is a twin of, and which twin ("multi_temperature", "fusion").
        public var variantOf: String? = nil
        public var variant: String? = nil
        /// For a twin: the item-level paired difference twin − base.
        public var vsBase: PairedDifference? = nil
        /// The system fingerprint (seed runs are stored under it).
        public var fingerprint: String = ""
        /// The strategy kind ("majority", "best_of_n", ...) and its N, as recorded.
        public var family: String = ""
        public var samplesPerItem: Int = 1
        /// The share of the completions the system read from which the task's extraction read no
        /// answer; nil when not recorded (outcomes written before schema 5).
        public var noAnswerRate: Double? = nil
        /// A few of those completions (item id and text), for the HTML report.
        public var noAnswerExamples: [NoAnswerExample] = []
        /// Items of this system's seed runs that a failed request left unfinished (not scored);
        /// such a system is not ranked (rank "—") until a run completes it.
        public var unfinished: Int = 0
        /// Thinking tokens per item (part of `tokensPerItem`); nil when not recorded.
        public var thinkingTokensPerItem: Double? = nil
        /// The share of the completions read that ended inside their thinking (no answer:
        /// "unfinished thinking", counted in `noAnswerRate` too); nil when not recorded.
        public var unfinishedThinkingRate: Double? = nil
    }
    /// Unfinished items grouped by model, endpoint and cause: why some systems are incomplete.
    public struct UnfinishedGroup: Sendable, Equatable {
        public var model: String
        public var url: String
        public var cause: String
        public var items: Int
        public var systems: [String]
        /// The message of the first of those failures (plain, bounded).
        public var message: String
    }
    /// A completion from which no answer was read.
    public struct NoAnswerExample: Sendable, Equatable {
        public var item: String
        public var text: String
    }
    /// mean(A) − mean(B) over the items both have, with a 95% two-way bootstrap over items and
    /// seeds (items paired; seeds paired by index when both ran the same number).
    public struct PairedDifference: Sendable, Equatable {
        public var against: String
        public var difference: Double
        public var ciLow: Double
        public var ciHigh: Double
        public var items: Int
    }
    public struct DecisionRow: Sendable, Equatable {
        public var a: String
        public var b: String
        /// "larger", "smaller", "equal", or "undecided" (left open, for `reason`).
        public var decision: String
        /// The interim of the decision; for an undecided comparison, the last interim run (-1: none).
        public var interim: Int
        public var meanA: Double = 0
        public var meanB: Double = 0
        /// The paired permutation test over items beside the verdict (nil: not computable).
        public var itemTest: PairedItemTest.Result? = nil
        /// Why an undecided comparison was left open ("budget"); nil for a decision.
        public var reason: String? = nil
        /// The test separated the two systems ("larger" or "smaller"): the only rank claim.
        public var separates: Bool { decision == "larger" || decision == "smaller" }
        public var isUndecided: Bool { decision == "undecided" }
    }
    /// One point of a scaling curve: the metric with `n` samples per item.
    public struct CurvePoint: Sendable, Equatable {
        public var n: Int
        public var value: Double
        public var tokensPerItem: Double?
    }
    /// Accuracy against N for one model and one strategy family.
    public struct Curve: Sendable, Equatable {
        /// "majority", "best_of_n", "pass" (oracle pass@k: an upper bound), ...
        public var family: String
        public var model: String
        /// Where the points come from: "estimator" (maj@k, best-of-k, pass@k over one recorded
        /// pool) or "systems" (the leaderboard's own systems of this family).
        public var source: String
        public var points: [CurvePoint]
    }
    /// The AdaStop settings the decisions were taken with (from `suites.compare_json`).
    public struct Settings: Sendable, Equatable {
        public var alpha: Double
        public var groupSize: Int
        public var maxInterims: Int
        public var permutations: Int
        public var rule: String
        public var pool: String
        /// "closed", "pairwise" or "joint" ("pairwise" when the stored settings predate the choice).
        public var permutation: String = "pairwise"
        /// Early accept in words ("0.9 seed sd, beta 0.25", "off"); nil when the settings predate it.
        public var futility: String? = nil
        /// The `comparisons` setting as canonical JSON ("all", pairs or a reference).
        public var comparisonsJSON: String
        /// The procedure that decided the recorded comparisons (the scheme that ran, which the
        /// `permutation` setting does not always say) and its guarantee; nil without decisions.
        public var procedure: Procedure? = nil
    }
    public var suite: String
    public var fingerprint: String
    public var metric: String
    public var rows: [Row]
    public var decisions: [DecisionRow]
    public var settings: Settings? = nil
    public var taskDigest: String = ""
    /// When the suite was first recorded and when its fingerprint last changed (from the database).
    public var createdAt: String = ""
    public var updatedAt: String = ""
    public var curves: [Curve] = []
    /// The adaptive votes' readings and exact curves (empty without adaptive systems).
    public var adaptive = Adaptive()
    /// Failed requests not yet retried, by cause (empty for a complete board).
    public var unfinished: [UnfinishedGroup] = []

    public var higherIsBetter: Bool { metric == "accuracy" }
    public func row(_ name: String) -> Row? { rows.first { $0.name == name } }
}

/// One system's recorded correctness, seeds x items, over the items every seed run has.
struct ItemTable {
    let items: [String]
    let cells: [[Double]]
    private let byItem: [[String: Double]]

    init(_ perSeed: [[String: Double]]) {
        byItem = perSeed
        var common = Set(perSeed.first?.keys ?? [:].keys)
        for seed in perSeed.dropFirst() { common.formIntersection(seed.keys) }
        let items = common.sorted()
        self.items = items
        cells = perSeed.map { seed in items.map { seed[$0]! } }
    }

    /// The table restricted to `items` (a subset of `self.items`), in that order.
    func cells(_ items: [String]) -> [[Double]] { byItem.map { seed in items.map { seed[$0]! } } }

    /// Each item's correctness averaged over the seeds.
    func itemMeans(_ items: [String]) -> [Double] {
        items.map { item in byItem.reduce(0) { $0 + $1[item]! } / Double(byItem.count) }
    }
}

/// Two systems' recorded outcomes compared over the same items (what the leaderboard shows
/// for a decision and for Δ), for `ttsbench compare`.
public enum PairedItems {
    /// The item test's seed for a pair, the same in either order, so `compare` and the
    /// leaderboard give one p-value for one pair on the same seeds.
    public static func seed(_ a: String, _ b: String) -> String {
        a < b ? "\(a)|\(b)" : "\(b)|\(a)"
    }

    /// The two-way paired difference (A − B) and the item test, over the first `seedsA` and
    /// `seedsB` seeds; nil parts when the systems share no item.
    public static func compare(reader: StoreReader, a: String, seedsA: Int, b: String, seedsB: Int, seed: String) throws
        -> (difference: Leaderboard.PairedDifference?, itemTest: PairedItemTest.Result?)
    {
        let ta = ItemTable(try reader.itemOutcomes(systemFingerprint: a, seeds: seedsA))
        let tb = ItemTable(try reader.itemOutcomes(systemFingerprint: b, seeds: seedsB))
        return (LeaderboardBuilder.pairedDifference(ta, tb, against: b, seed: seed),
                LeaderboardBuilder.itemTest(ta, tb, seed: seed))
    }
}

public enum LeaderboardBuilder {
    /// The full leaderboard of a recorded suite.
    public static func build(reader: StoreReader, suite name: String) throws -> Leaderboard {
        let suite = try reader.suite(name)
        let compare = try suite.compareSettings()
        let metric = compare.metric
        var rows: [Leaderboard.Row] = []
        var tables: [String: ItemTable] = [:]
        let systems = try reader.systems(suite: name)
        let failures = try reader.unresolvedFailures(systemFingerprints: systems.map(\.fingerprint))
        var unfinishedBySystem: [String: Int] = [:]
        for f in failures { unfinishedBySystem[f.systemName, default: 0] += 1 }
        for s in systems {
            let runs = try reader.seedRuns(systemFingerprint: s.fingerprint, seeds: s.seedsUsed)
            // A system without a seed (a budget that stopped before it ran) has no number to show.
            guard !runs.isEmpty else { continue }
            let values = runs.map {
                SeedScores(accuracy: $0.accuracy, tokensPerItem: $0.tokensPerItem, callsPerItem: $0.callsPerItem, failures: $0.failures)
                    .value(of: metric)
            }
            let mean = Bootstrap.mean(values)
            // Per seed and item: correctness (the table of the two-way intervals and item tests).
            let table = ItemTable(try reader.itemOutcomes(systemFingerprint: s.fingerprint, seeds: runs.count))
            tables[s.name] = table
            let (lo, hi) = metric == .accuracy && !table.items.isEmpty
                ? Bootstrap.twoWayInterval(table.cells, stream: "two-way", seed: s.fingerprint)
                : bootstrapInterval(values, seed: s.fingerprint)
            let costs = runs.map(\.costPerItem)
            let cost: Double? = !costs.isEmpty && costs.allSatisfy({ $0 != nil }) ? Bootstrap.mean(costs.map { $0! }) : nil
            let sequential = runs.map(\.sequentialTokensPerItem)
            // Zero tokens or latency means unknown (a replayed log without them): shown as "—".
            let sequentialTokens: Double? = !sequential.isEmpty && sequential.allSatisfy({ $0 != nil })
                ? Bootstrap.mean(sequential.map { $0! }) : nil
            let latency = runs.isEmpty ? nil : Bootstrap.mean(runs.map(\.latencyMsPerItem))
            rows.append(Leaderboard.Row(
                name: s.name, model: s.model, modelLabel: s.modelLabel, strategy: s.strategy, strategyLabel: s.strategyLabel,
                verifier: s.verifier, simulated: s.simulated, mean: mean, ciLow: lo, ciHigh: hi, seeds: runs.count, rank: "",
                tokensPerItem: Bootstrap.mean(runs.map(\.tokensPerItem)), callsPerItem: Bootstrap.mean(runs.map(\.callsPerItem)),
                failures: runs.reduce(0) { $0 + $1.failures }, costPerItem: cost,
                latencyMsPerItem: latency == 0 ? nil : latency,
                sequentialTokensPerItem: sequentialTokens == 0 ? nil : sequentialTokens, variantOf: s.variantOf, variant: s.variant, fingerprint: s.fingerprint, family: s.family,
                samplesPerItem: s.samplesPerItem))
            let noAnswer = try reader.noAnswerSummary(systemFingerprint: s.fingerprint, seeds: s.seedsUsed)
            rows[rows.count - 1].deterministic = s.deterministic ?? false
            if !runs.isEmpty {
                rows[rows.count - 1].verifierCallsPerItem = Bootstrap.mean(runs.map { $0.verifierCallsPerItem ?? 0 })
                rows[rows.count - 1].verifierTokensPerItem = Bootstrap.mean(runs.map { $0.verifierTokensPerItem ?? 0 })
                let verifierCosts = runs.compactMap(\.verifierCostPerItem)
                if verifierCosts.count == runs.count { rows[rows.count - 1].verifierCostPerItem = Bootstrap.mean(verifierCosts) }
            }
            rows[rows.count - 1].noAnswerRate = noAnswer.rate
            rows[rows.count - 1].noAnswerExamples = noAnswer.examples.map { Leaderboard.NoAnswerExample(item: $0.item, text: $0.text) }
            rows[rows.count - 1].unfinished = unfinishedBySystem[s.name] ?? 0
            let thinking = runs.map(\.thinkingTokensPerItem)
            rows[rows.count - 1].thinkingTokensPerItem = !thinking.isEmpty && thinking.allSatisfy({ $0 != nil }) ? Bootstrap.mean(thinking.map { $0! }) : nil
            let unfinished = try reader.unfinishedThinking(systemFingerprint: s.fingerprint, seeds: s.seedsUsed)
            rows[rows.count - 1].unfinishedThinkingRate = unfinished.recorded && unfinished.completions > 0
                ? Double(unfinished.unfinished) / Double(unfinished.completions) : nil
        }
        let decisions = try reader.decisions(scope: name).map { d in
            Leaderboard.DecisionRow(a: d.a, b: d.b, decision: d.word, interim: d.interim, meanA: d.meanA, meanB: d.meanB,
                                    itemTest: tables[d.a].flatMap { a in tables[d.b].flatMap { b in itemTest(a, b, seed: PairedItems.seed(d.a, d.b)) } },
                                    reason: d.reason)
        }
        // A system with unfinished items is never ranked as if complete: listed after the ranked
        // ones, with rank "—".
        let incomplete = rows.filter { $0.unfinished > 0 }
        rows = order(rows.filter { $0.unfinished == 0 }, decisions: decisions, higherIsBetter: metric.higherIsBetter)
        assignRanks(&rows, decisions: decisions)
        rows += order(incomplete, decisions: [], higherIsBetter: metric.higherIsBetter).map { row in
            var row = row
            row.rank = "—"
            return row
        }
        if metric == .accuracy, let top = rows.first, let topTable = tables[top.name] {
            for i in rows.indices {
                guard let table = tables[rows[i].name] else { continue }
                if i > 0 {
                    rows[i].vsTop = pairedDifference(table, topTable, against: top.name, seed: "\(rows[i].fingerprint)|top")
                }
                if let base = rows[i].variantOf, let baseTable = tables[base] {
                    rows[i].vsBase = pairedDifference(table, baseTable, against: base, seed: "\(rows[i].fingerprint)|base")
                }
            }
        }
        let settings = Leaderboard.Settings(
            alpha: compare.alpha, groupSize: compare.groupSize, maxInterims: compare.maxInterims, permutations: compare.permutations,
            rule: compare.rule.rawValue, pool: compare.pool.rawValue, permutation: compare.scheme.rawValue,
            futility: compare.futility?.summary, comparisonsJSON: compare.comparisons.jsonValue.canonicalString,
            procedure: procedure(compare, decisions: decisions))
        var board = Leaderboard(suite: name, fingerprint: suite.fingerprint, metric: metric.rawValue, rows: rows, decisions: decisions,
                                settings: settings, taskDigest: suite.taskDigest, createdAt: suite.createdAt, updatedAt: suite.updatedAt)
        board.curves = try ScalingCurves.curves(for: board, reader: reader)
        board.adaptive = try AdaptiveCurves.section(for: board, reader: reader)
        board.unfinished = unfinishedGroups(failures)
        return board
    }

    /// Unresolved failures grouped by model, endpoint and cause, most items first.
    static func unfinishedGroups(_ failures: [FailureRecord]) -> [Leaderboard.UnfinishedGroup] {
        var groups: [Leaderboard.UnfinishedGroup] = []
        for f in failures {
            if let i = groups.firstIndex(where: { $0.model == f.model && $0.url == f.url && $0.cause == f.cause }) {
                groups[i].items += 1
                if !groups[i].systems.contains(f.systemName) { groups[i].systems.append(f.systemName) }
            } else {
                groups.append(Leaderboard.UnfinishedGroup(model: f.model, url: f.url, cause: f.cause, items: 1, systems: [f.systemName],
                                                          message: f.message))
            }
        }
        for i in groups.indices { groups[i].systems.sort() }
        return groups.sorted { a, b in
            a.items != b.items ? a.items > b.items : (a.model, a.url, a.cause) < (b.model, b.url, b.cause)
        }
    }

    /// The procedure the recorded decisions were taken with: the scheme a test over these
    /// comparisons runs with the recorded settings (closed testing beyond its size runs Holm).
    static func procedure(_ compare: CompareSettings, decisions: [Leaderboard.DecisionRow]) -> Procedure? {
        guard !decisions.isEmpty else { return nil }
        var index: [String: Int] = [:]
        func agent(_ name: String) -> Int {
            if let i = index[name] { return i }
            index[name] = index.count
            return index.count - 1
        }
        let comparisons = decisions.map { Comparison(agent($0.a), agent($0.b)) }
        var config = AdaStopConfig(interims: max(1, compare.maxInterims), groupSize: max(1, compare.groupSize),
                                   permutations: max(1, compare.permutations))
        config.scheme = compare.scheme
        config.rule = compare.rule
        return Procedure(agentCount: index.count, comparisons: comparisons, config: config)
    }

    /// Sorted by mean (best first, then by name), except that a recorded decision always wins:
    /// a system the test found better is listed before the one it beat, even in the rare case
    /// where the final means (over more seeds than the decision used) are in the other order.
    /// This is a topological order of the "decided better" graph, taking the best mean first.
    static func order(_ rows: [Leaderboard.Row], decisions: [Leaderboard.DecisionRow], higherIsBetter: Bool) -> [Leaderboard.Row] {
        let sorted = rows.sorted { l, r in
            l.mean != r.mean ? (higherIsBetter ? l.mean > r.mean : l.mean < r.mean) : l.name < r.name
        }
        var beatenBy: [String: Set<String>] = [:]  // loser -> winners
        for d in decisions where d.separates {
            let (winner, loser) = d.decision == "larger" ? (d.a, d.b) : (d.b, d.a)
            beatenBy[loser, default: []].insert(winner)
        }
        var placed = Set<String>()
        var out: [Leaderboard.Row] = []
        var remaining = sorted
        while !remaining.isEmpty {
            // The best-mean system all of whose winners are placed; on a cycle (never seen in
            // practice), the best-mean system.
            let index = remaining.firstIndex { (beatenBy[$0.name] ?? []).isSubset(of: placed) } ?? 0
            let row = remaining.remove(at: index)
            placed.insert(row.name)
            out.append(row)
        }
        return out
    }

    /// Rank groups, consistent with the recorded decisions. Walking the ordered rows, a system
    /// joins the current group when the test separated it from no member of the group ("equal"
    /// never compared, or left undecided by a budget: no claim either way); otherwise it starts a new group. Every member of a group gets the
    /// group's first position, with "=" when the group has several members ("1", "2=", "2=",
    /// "4"). Hence: two systems share a rank only if no decision separates them, and a system
    /// the test found better always has a better rank. Without any decision (a fixed number of
    /// seeds, no test), ranks follow the means and nobody shares.
    static func assignRanks(_ rows: inout [Leaderboard.Row], decisions: [Leaderboard.DecisionRow]) {
        guard !rows.isEmpty else { return }
        var separated = Set<String>()
        for d in decisions where d.separates {
            separated.insert([d.a, d.b].sorted().joined(separator: "\u{0}"))
        }
        var groups: [[Int]] = [[0]]
        for i in 1..<rows.count {
            let joins = !decisions.isEmpty && groups[groups.count - 1].allSatisfy { j in
                !separated.contains([rows[i].name, rows[j].name].sorted().joined(separator: "\u{0}"))
            }
            if joins { groups[groups.count - 1].append(i) } else { groups.append([i]) }
        }
        for group in groups {
            let rank = group[0] + 1
            for i in group { rows[i].rank = group.count > 1 ? "\(rank)=" : "\(rank)" }
        }
    }

    /// Paired over the items both systems have; two-way bootstrap over items and seeds, seeded:
    /// deterministic.
    static func pairedDifference(_ x: ItemTable, _ y: ItemTable, against: String, seed: String) -> Leaderboard.PairedDifference? {
        let items = x.items.filter(Set(y.items).contains)
        guard !items.isEmpty else { return nil }
        let (cx, cy) = (x.cells(items), y.cells(items))
        let difference = Bootstrap.mean(cx.map(Bootstrap.mean)) - Bootstrap.mean(cy.map(Bootstrap.mean))
        let (lo, hi) = Bootstrap.twoWayDifferenceInterval(cx, cy, stream: "two-way-paired", seed: seed)
        return Leaderboard.PairedDifference(against: against, difference: difference, ciLow: lo, ciHigh: hi, items: items.count)
    }

    /// The paired item test of a decision: per item, A's correctness averaged over its seeds
    /// minus B's.
    static func itemTest(_ a: ItemTable, _ b: ItemTable, seed: String) -> PairedItemTest.Result? {
        let items = a.items.filter(Set(b.items).contains)
        guard !items.isEmpty, !a.cells.isEmpty, !b.cells.isEmpty else { return nil }
        let (ma, mb) = (a.itemMeans(items), b.itemMeans(items))
        return PairedItemTest.run(zip(ma, mb).map { $0 - $1 }, seed: seed)
    }

    /// 95% percentile bootstrap over seeds, seeded by the system: deterministic.
    static func bootstrapInterval(_ values: [Double], seed: String, resamples: Int = 2000) -> (Double, Double) {
        Bootstrap.meanInterval(values, stream: "bootstrap", seed: seed, resamples: resamples)
    }

}
