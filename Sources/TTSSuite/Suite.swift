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
    public enum Comparisons: Sendable, Equatable {
        case all
        case pairs([[String]])
        case reference(String)
    }
    public enum PoolPolicy: String, Sendable {
        /// Systems on the same model and temperature read the same samples (paired, cheaper).
        case shared
        /// Every system draws its own samples (independent runs, as the permutation test assumes).
        case independent
    }
    public var metric: String
    public var comparisons: Comparisons
    public var alpha: Double
    public var groupSize: Int
    public var maxInterims: Int
    public var permutations: Int
    public var pool: PoolPolicy
    /// Boundary rule: "absolute" (the paper) or "adastop-0.1.3" (the reference package).
    public var rule: String
    /// How block scores are permuted: "closed" (closed testing, the default), "pairwise"
    /// (SPEC.md; the default with `rule: adastop-0.1.3`) or "joint" (docs/statistics.md).
    public var permutation: String = "closed"
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

    public static let metrics = ["accuracy"]
}

/// A spending limit of one run (`compare.budget`, or `run --max-samples/--max-tokens/--max-usd`):
/// what the run may newly generate. Samples already recorded are free. Each limit is optional.
public struct Budget: Sendable, Equatable {
    /// Generations: pooled samples plus auxiliary calls (fuser, refinement, continuation).
    public var samples: Int?
    /// Prompt plus completion tokens.
    public var tokens: Int?
    /// US dollars, from the models' prices.
    public var usd: Double?
    public init(samples: Int? = nil, tokens: Int? = nil, usd: Double? = nil) {
        self.samples = samples
        self.tokens = tokens
        self.usd = usd
    }
    public var isEmpty: Bool { samples == nil && tokens == nil && usd == nil }

    /// This budget with the limits `other` sets replacing its own (the command's flags over
    /// the suite's `compare.budget`).
    public func overridden(by other: Budget?) -> Budget {
        guard let other else { return self }
        return Budget(samples: other.samples ?? samples, tokens: other.tokens ?? tokens, usd: other.usd ?? usd)
    }

    /// "100000 samples, 2000000 tokens, $5.00" (the limits that are set).
    public var description: String {
        var parts: [String] = []
        if let samples { parts.append("\(samples) samples") }
        if let tokens { parts.append("\(tokens) tokens") }
        if let usd { parts.append("$\(usd)") }
        return parts.isEmpty ? "no limit" : parts.joined(separator: ", ")
    }

    /// Canonical JSON (sorted keys, only the limits that are set).
    public var canonicalJSON: String {
        var parts: [String] = []
        if let samples { parts.append("\"samples\":\(samples)") }
        if let tokens { parts.append("\"tokens\":\(tokens)") }
        if let usd { parts.append("\"usd\":\(usd)") }
        return "{" + parts.joined(separator: ",") + "}"
    }
}

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
    /// The AdaStop parameters, as stored with the suite (sorted keys: byte-stable).
    public var canonicalJSON: String {
        let comparisons: String
        switch self.comparisons {
        case .all: comparisons = "\"all\""
        case .reference(let r): comparisons = "{\"reference\":\(jsonString(r))}"
        case .pairs(let p): comparisons = "[" + p.map { "[\(jsonString($0[0])),\(jsonString($0[1]))]" }.joined(separator: ",") + "]"
        }
        // `budget` only when set: suites without one keep their stored settings byte for byte.
        let budget = self.budget.map { "\"budget\":\($0.canonicalJSON)," } ?? ""
        return "{\"alpha\":\(alpha),\(budget)\"comparisons\":\(comparisons),"
            + "\"futility\":\(futility.map(Self.futilityJSON) ?? "\"off\""),"
            + "\"group_size\":\(groupSize),\"max_interims\":\(maxInterims),"
            + "\"metric\":\(jsonString(metric)),\"permutation\":\(jsonString(permutation)),"
            + "\"permutations\":\(permutations),\"pool\":\"\(pool.rawValue)\",\"rule\":\(jsonString(rule))}"
    }

    /// `{"beta":0.25,"margin_sd":0.9}` or `{"beta":0.1,"margin":0.02}`.
    public static func futilityJSON(_ f: Futility) -> String {
        switch f.margin {
        case .standardDeviations(let x): return "{\"beta\":\(f.beta),\"margin_sd\":\(x)}"
        case .absolute(let x): return "{\"beta\":\(f.beta),\"margin\":\(x)}"
        }
    }
}
