import TTSCore
import TTSStore
import TTSSuite
import AdaStop

/// Runs interims of the AdaStop test: each interim adds `group_size` seeds to every system
/// still in an undecided comparison, up to `max_interims`, and stops when all comparisons are
/// decided. Seed runs are committed as they finish, and the test is a deterministic function of
/// the recorded scores, so a run killed mid-interim replays the finished interims from the
/// store and reaches the same decisions.
public struct SequentialSchedule: Sendable {
    public struct Outcome: Sendable {
        public var systems: [SystemSpec]
        public var results: [AdaStop.ComparisonResult]
        public var scoresUsed: [Int]
        public var interims: [InterimRecord]
        public var config: AdaStopConfig
        public var scores: [[Double]]
    }

    public var systems: [SystemSpec]
    public var comparisons: [Comparison]
    public var config: AdaStopConfig
    /// Where interims and decisions are recorded ("demo" for a run, "demo:compare:A|B" for compare).
    public var scope: String

    public init(systems: [SystemSpec], comparisons: [Comparison], config: AdaStopConfig, scope: String) {
        self.systems = systems
        self.comparisons = comparisons
        self.config = config
        self.scope = scope
    }

    /// The AdaStop configuration of a suite (permutation seed derived from the suite seed).
    public static func config(for suite: Suite) -> AdaStopConfig {
        AdaStopConfig(interims: suite.compare.maxInterims, groupSize: suite.compare.groupSize,
                      permutations: suite.compare.permutations, alpha: suite.compare.alpha,
                      seed: StableHasher("adastop", suite.seed).finalize(),
                      rule: suite.compare.rule == "adastop-0.1.3" ? .adastop013 : .absolute,
                      scheme: PermutationScheme(rawValue: suite.compare.permutation) ?? .closed,
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
        var test = try AdaStopTest(agentCount: systems.count, comparisons: comparisons, config: config)
        try await runner.store.clearDecisions(scope: scope)
        var scores = [[Double]](repeating: [], count: systems.count)
        while !test.isFinished {
            let needing = test.agentsNeedingScores
            progress?.setLabel("interim \(test.currentInterim + 1)/\(config.interims)")
            try await runner.ensureSeeds(needing.map { (systems[$0], test.scoresNeeded(agent: $0)) })
            for agent in needing {
                scores[agent] = try await runner.scores(of: systems[agent], seeds: test.scoresNeeded(agent: agent))
            }
            let record = try test.runInterim(scores: scores)
            let names = systems.map(\.name)
            let decisions = test.results.filter { $0.interim == record.interim }.compactMap { r -> DecisionRecord? in
                guard let decision = r.decision, let interim = r.interim else { return nil }
                return DecisionRecord(a: names[r.comparison.a], b: names[r.comparison.b], decision: decision.rawValue,
                                      interim: interim, meanA: r.meanA, meanB: r.meanB)
            }
            try await runner.store.recordInterim(
                scope: scope,
                interim: InterimRow(interim: record.interim, boundary: record.boundary, levelSpent: record.levelSpent,
                                    active: record.active.map { [names[$0.a], names[$0.b]] }),
                decisions: decisions)
        }
        return Outcome(systems: systems, results: test.results, scoresUsed: test.scoresUsed, interims: test.interims,
                       config: config, scores: scores)
    }
}
