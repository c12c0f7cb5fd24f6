import TTSDesign
import TTSCore
import AdaStop
/// A validated suite: everything a run needs, with references resolved and systems expanded.
/// `Suite` knows nothing of running; it is produced by `SuiteLoader` and read by the scheduler.
public struct Suite: Sendable {
    public var name: String
    public var seed: UInt64
    /// Path of the suite file, as given by the user (used in messages).
    public var path: String
    public var task: TaskSpec
    public var models: [ModelSpec]
    public var verifiers: [VerifierSpec]
    public var strategies: [StrategySpec]
    public var systems: [SystemSpec]
    public var compare: CompareSpec
    /// SHA-256 of the canonical form of everything above: two suites with the same
    /// fingerprint produce the same numbers.
    public var fingerprint: String
    /// The suite file's text, stored with the run for provenance.
    public var sourceText: String
    /// The `leaderboard:` section (variants); its twins are already in `strategies` and `systems`.
    public var leaderboard: LeaderboardSpec = LeaderboardSpec()

    public func model(_ name: String) -> ModelSpec? { models.first { $0.name == name } }
    public func verifier(_ name: String) -> VerifierSpec? { verifiers.first { $0.name == name } }
    public func strategy(_ name: String) -> StrategySpec? { strategies.first { $0.name == name } }
    public func system(_ name: String) -> SystemSpec? { systems.first { $0.name == name } }
}

public struct TaskSpec: Sendable {
    public enum Source: Sendable {
        /// A JSONL file; `path` is resolved relative to the suite file.
        case file(path: String, shownAs: String)
        case arithmetic(ArithmeticSpec)
    }
    public var name: String
    public var source: Source
    public var prompt: String
    public var extract: AnswerExtraction
    /// Only the first `limit` items, when set.
    public var limit: Int?

    public static let defaultPrompt = "Solve the problem. Put the final answer in \\boxed{}.\n\n{question}"
}

public struct ArithmeticSpec: Sendable, Equatable {
    public var items: Int
    public var digits: Int
    public var operations: [String]
    public init(items: Int, digits: Int, operations: [String]) {
        self.items = items
        self.digits = digits
        self.operations = operations
    }
}

/// One model × one strategy × one verifier: the unit that is compared and ranked.
public struct SystemSpec: Sendable, Hashable {
    public var name: String
    public var model: String
    public var strategy: String
    public var verifier: String
    /// Fingerprint of everything that determines this system's numbers (suite seed, task,
    /// model, strategy, verifier, pool policy). Seed runs are stored under it.
    public var fingerprint: String
}

public struct CompareSpec: Sendable {
    public typealias Comparisons = CompareSettings.Comparisons
    public typealias PoolPolicy = CompareSettings.PoolPolicy
    public var metric: Metric
    public var comparisons: Comparisons
    public var alpha: Double
    public var groupSize: Int
    public var maxInterims: Int
    public var permutations: Int
    public var pool: PoolPolicy
    /// Boundary rule: `absolute` (the paper) or `adastop-0.1.3` (the reference package).
    public var rule: BoundaryRule
    /// How block scores are permuted: `closed` (closed testing, the default), `pairwise`
    /// (SPEC.md; the default with `rule: adastop-0.1.3`), `joint` or `holm` (docs/statistics.md).
    public var permutation: PermutationScheme = .closed
    /// Early accept of small differences (`nil`: "equal" only at the last interim). On by
    /// default; off with `rule: adastop-0.1.3`.
    public var futility: Futility? = .standard
    /// `compare.budget`: the most one run may generate (nil: no limit).
    public var budget: Budget? = nil
    /// Where the design is written (`compare.group_size`, else `compare.max_interims`, else
    /// `compare`; 1:1 when the suite has no `compare`): where a design that cannot decide is
    /// reported. Not part of any fingerprint.
    public var designLine = 1
    public var designColumn = 1

    /// The metrics a suite may compare on.
    public static let metrics: [Metric] = [.accuracy]
}

/// A spending limit of one run (`compare.budget`, or `run --max-samples/--max-tokens/--max-usd`),
/// recorded with the suite's settings.
public typealias Budget = CompareSettings.Budget

extension Suite {
    /// Systems that no comparison names (a list of pairs that leaves some out). They run one
    /// interim (`group_size` seeds) and are ranked by their mean, without decisions.
    public var uncomparedSystems: [String] {
        guard case .pairs(let pairs) = compare.comparisons else { return [] }
        let named = Set(pairs.flatMap { $0 })
        return systems.map(\.name).filter { !named.contains($0) }
    }
}

extension CompareSpec {
    /// The settings as recorded with the suite (`CompareSettings`).
    public var settings: CompareSettings {
        CompareSettings(alpha: alpha, budget: budget,
                        comparisons: comparisons, futility: futility.map { .on($0) } ?? .off, groupSize: groupSize,
                        maxInterims: maxInterims, metric: metric, permutation: permutation, permutations: permutations, pool: pool,
                        rule: rule)
    }

    /// The AdaStop parameters, as stored with the suite (sorted keys: byte-stable; `budget`
    /// only when set, so suites without one keep their stored settings byte for byte).
    public var canonicalJSON: String { settings.canonicalJSON }
}
