import TTSCore
import TTSStore
import TTSSuite
import AdaStop
import TTSStrategies

/// Runs interims of the AdaStop test: each interim adds `group_size` seeds to every system
/// still in an undecided comparison, up to `max_interims`, and stops when all comparisons are
/// decided. Seed runs are committed as they finish, and the test is a deterministic function of
/// the recorded scores, so a run killed mid-interim replays the finished interims from the
/// store and reaches the same decisions.
///
/// Systems outside every comparison run the first interim only (`group_size` seeds): they are
/// ranked by their mean, without decisions. With a budget, an interim is started only when its
/// estimated cost (`CostModel`: new samples, tokens, US dollars; recorded samples are free)
/// fits in what the run has left; the comparisons still open are then recorded as "undecided"
/// with the reason "budget", and a later run with a larger budget replays the recorded
/// interims and goes on, reaching the decisions an unbudgeted run reaches.
public struct SequentialSchedule: Sendable {
    public struct Outcome: Sendable {
        public var systems: [SystemSpec]
        public var results: [AdaStop.ComparisonResult]
        public var scoresUsed: [Int]
        public var interims: [InterimRecord]
        public var config: AdaStopConfig
        public var scores: [[Double]]
        /// The interim the budget could not pay for (nil when the test finished).
        public var stoppedByBudget: Int? = nil
        /// What this run generated (measured in the database).
        public var spent: CostModel.Cost = CostModel.Cost()
        /// The estimated cost of the interim that was not started.
        public var refused: CostModel.Cost? = nil
        /// Set when failed requests left items of an interim unfinished: the test stopped
        /// before that interim (its seed runs are not committed), and a run again retries them.
        public var incomplete: IncompleteRunError? = nil
    }

    public var systems: [SystemSpec]
    public var comparisons: [Comparison]
    public var config: AdaStopConfig
    /// Where interims and decisions are recorded ("demo" for a run, "demo:compare:A|B" for compare).
    public var scope: String
    /// The most this run may generate (nil: no limit).
    public var budget: Budget?

    public init(systems: [SystemSpec], comparisons: [Comparison], config: AdaStopConfig, scope: String, budget: Budget? = nil) {
        self.systems = systems
        self.comparisons = comparisons
        self.config = config
        self.scope = scope
        self.budget = budget.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Indices of the systems no comparison names.
    public var uncompared: [Int] {
        let named = Set(comparisons.flatMap { [$0.a, $0.b] })
        return systems.indices.filter { !named.contains($0) }
    }

    /// The AdaStop configuration of a suite (permutation seed derived from the suite seed).
    public static func config(for suite: Suite) -> AdaStopConfig {
        AdaStopConfig(interims: suite.compare.maxInterims, groupSize: suite.compare.groupSize,
                      permutations: suite.compare.permutations, alpha: suite.compare.alpha,
                      seed: StableHasher("adastop", suite.seed).finalize(),
                      rule: suite.compare.rule,
                      scheme: suite.compare.permutation,
                      futility: suite.compare.futility)
    }

    /// The comparisons the suite asks for, as indices into `suite.systems`.
    public static func comparisons(for suite: Suite) -> [Comparison] {
        let names = suite.systems.map(\.name)
        switch suite.compare.comparisons {
        case .all:
            return Comparison.allPairs(agentCount: names.count)
        case .reference(let ref):
            let r = names.firstIndex(of: ref)!
            return names.indices.filter { $0 != r }.map { Comparison(a: r, b: $0) }
        case .pairs(let pairs):
            return pairs.map { Comparison(a: names.firstIndex(of: $0[0])!, b: names.firstIndex(of: $0[1])!) }
        }
    }

    public func run(runner: Runner, progress: Progress? = nil) async throws -> Outcome {
        if comparisons.isEmpty { return try await runWithoutTest(runner: runner) }
        var test = try AdaStopTest(agentCount: systems.count, comparisons: comparisons, config: config)
        try await runner.store.clearDecisions(scope: scope)
        var scores = [[Double]](repeating: [], count: systems.count)
        let names = systems.map(\.name)
        let outside = uncompared
        var extraSeeds = [Int](repeating: 0, count: systems.count)
        let start = budget == nil ? nil : try await runner.store.usage()
        var stopped: Int? = nil
        var spent = CostModel.Cost()
        var refused: CostModel.Cost? = nil
        var incomplete: IncompleteRunError? = nil
        var attempted = [Int](repeating: 0, count: systems.count)
        while !test.isFinished {
            let needing = test.agentsNeedingScores
            var work = needing.map { (system: systems[$0], seeds: test.scoresNeeded(agent: $0)) }
            // Systems outside every comparison: one interim, with the first.
            if test.currentInterim == 0 { work += outside.map { (system: systems[$0], seeds: config.groupSize) } }
            if let budget, let start {
                spent = try await runner.spent(since: start)
                let estimate = try runner.costModel.cost(work)
                guard estimate.fits(budget, spent: spent) else {
                    stopped = test.currentInterim
                    refused = estimate
                    break
                }
            }
            progress?.setLabel("interim \(test.currentInterim + 1)/\(config.interims)")
            do {
                try await runner.ensureSeeds(work)
            } catch let error as IncompleteRunError {
                // An interim with unfinished seed runs is never tested: the test stops here. The
                // board shows what this interim committed (the incomplete systems unranked).
                incomplete = error
                for (system, seeds) in work { attempted[systems.firstIndex(of: system)!] = seeds }
                break
            }
            if test.currentInterim == 0 { for i in outside { extraSeeds[i] = config.groupSize } }
            for agent in needing {
                scores[agent] = try await runner.scores(of: systems[agent], seeds: test.scoresNeeded(agent: agent))
            }
            let record = try test.runInterim(scores: scores)
            let decisions = test.results.filter { $0.interim == record.interim }.compactMap { r -> DecisionRecord? in
                guard let decision = r.decision, let interim = r.interim else { return nil }
                return DecisionRecord(a: names[r.comparison.a], b: names[r.comparison.b], decision: decision,
                                      interim: interim, meanA: r.meanA, meanB: r.meanB)
            }
            try await runner.store.recordInterim(
                scope: scope,
                interim: InterimRow(interim: record.interim, boundary: record.boundary, levelSpent: record.levelSpent,
                                    active: record.active.map { [names[$0.a], names[$0.b]] }),
                decisions: decisions)
        }
        if let stopped {
            // The comparisons left open: recorded as undecided (never "equal"), at the last interim run.
            let open = test.results.filter { $0.decision == nil }.map {
                DecisionRecord(a: names[$0.comparison.a], b: names[$0.comparison.b], decision: nil, interim: stopped - 1,
                               meanA: $0.meanA, meanB: $0.meanB, reason: "budget")
            }
            try await runner.store.recordUndecided(scope: scope, decisions: open)
        }
        if let start { spent = try await runner.spent(since: start) }
        var used = test.scoresUsed
        for i in outside { used[i] = extraSeeds[i] }
        for i in used.indices { used[i] = max(used[i], attempted[i]) }
        return Outcome(systems: systems, results: test.results, scoresUsed: used, interims: test.interims,
                       config: config, scores: scores, stoppedByBudget: stopped, spent: spent, refused: refused, incomplete: incomplete)
    }

    /// `comparisons: none`: one interim of `group_size` seeds for every system, no test.
    func runWithoutTest(runner: Runner) async throws -> Outcome {
        try await runner.store.clearDecisions(scope: scope)
        try await runner.ensureSeeds(systems.map { (system: $0, seeds: config.groupSize) })
        var scores: [[Double]] = []
        for system in systems { scores.append(try await runner.scores(of: system, seeds: config.groupSize)) }
        return Outcome(systems: systems, results: [], scoresUsed: systems.map { _ in config.groupSize }, interims: [],
                       config: config, scores: scores)
    }
}
