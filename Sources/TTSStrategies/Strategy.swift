import TTSCore
import TTSSeams
import TTSSuite

/// What a strategy needs to solve one item for one seed of one system.
public struct StrategyContext: Sendable {
    public var item: TaskItem
    public var seedIndex: Int
    public var source: any SampleSource
    public var verifier: any Verifier
    /// Reward verifiers by name (best-of-N scorers).
    public var scorers: [String: any Verifier]
    /// The suite seed, for the strategy's own draws (e.g. fusion's candidate order).
    public var suiteSeed: UInt64
    /// Whether a voting or best-of-N strategy records its pool's per-sample scores in the
    /// outcome (`PoolScores`: the leaderboard's scaling curves). Off when verifying every
    /// answer class would call out (a judge, a reward endpoint).
    public var recordPoolScores = false

    public init(item: TaskItem, seedIndex: Int, source: any SampleSource, verifier: any Verifier, scorers: [String: any Verifier],
                suiteSeed: UInt64 = 0) {
        self.item = item
        self.seedIndex = seedIndex
        self.source = source
        self.verifier = verifier
        self.scorers = scorers
        self.suiteSeed = suiteSeed
    }
}

/// The result of a strategy on one item.
public struct Outcome: Sendable, Hashable {
    public var answer: String?
    public var correct: Bool
    public var reward: Double?
    public var promptTokens: Int
    public var completionTokens: Int
    /// Model calls spent on the item (one per generated sample, plus any extra calls).
    public var calls: Int
    /// Samples the endpoint refused for their input (context length, content filter): the
    /// system's outcome, counted as incorrect. (A failed request never reaches an outcome.)
    public var failures: Int
    public var detail: String
    /// Pooled samples the strategy read (`multi_temperature` may stop before its budget).
    public var samplesUsed: Int
    /// `multi_temperature` and the adaptive votes: whether the item stopped early; nil for
    /// strategies that cannot.
    public var earlyExit: Bool?
    /// Sequential rounds of pooled samples (a round's samples run in parallel): recorded by the
    /// adaptive votes, which read the pool round by round; nil for the others.
    public var rounds: Int? = nil
    /// Generation time of every call the strategy made (pooled samples and auxiliary calls), summed.
    public var latencyMs: Double
    /// The pool's per-sample scores, when the context asks for them (voting and best-of-N).
    public var poolScores: PoolScores?
    /// Completions the strategy read (failed calls excluded) and how many had no answer the
    /// task's extraction could read, with the first of those (the leaderboard's "no answer").
    public var completions: Int
    public var noAnswer: Int
    public var noAnswerText: String?
    /// Generated tokens on the critical path: the longest chain of calls that wait for one
    /// another (`CriticalPath`). By default the pooled samples run in parallel (the longest
    /// counts) and every auxiliary call waits for what came before; strategies whose calls
    /// depend otherwise set it themselves. Never more than `completionTokens`.
    public var sequentialTokens: Int
    /// Thinking tokens of every call the strategy made (part of `completionTokens`).
    public var thinkingTokens: Int = 0
    /// Completions read that ended inside their thinking (counted in `noAnswer` too).
    public var unfinishedThinking: Int = 0
    /// US dollars of the calls the strategy read, each at its own model's price (`Sample.usd`);
    /// nil when none of them had a price.
    public var usd: Double? = nil
    /// The calls of the system's verifier and scorers on the item (a judge): counted apart from
    /// the generator's `calls` and tokens, and in the cost per item.
    public var verifier = CallUsage()

    public init(answer: String?, correct: Bool, reward: Double? = nil, samples: [Sample], extraCalls: Int = 0, detail: String) {
        self.answer = answer
        self.correct = correct
        self.reward = reward
        promptTokens = samples.reduce(0) { $0 + ($1.completion?.promptTokens ?? 0) }
        completionTokens = samples.reduce(0) { $0 + ($1.completion?.completionTokens ?? 0) }
        calls = samples.count + extraCalls
        failures = samples.filter { $0.error != nil }.count
        self.detail = detail
        samplesUsed = samples.filter { $0.sampleIndex >= 0 }.count
        earlyExit = nil
        latencyMs = samples.reduce(0) { $0 + ($1.completion?.latencyMs ?? 0) }
        poolScores = nil
        let read = samples.filter { $0.completion != nil && $0.error == nil }
        let unanswered = read.filter { $0.answer == nil }
        completions = read.count
        noAnswer = unanswered.count
        noAnswerText = unanswered.first?.completion.map(Self.noAnswerExcerpt)
        thinkingTokens = samples.reduce(0) { $0 + ($1.completion?.reasoningTokens ?? 0) }
        let priced = samples.compactMap(\.usd)
        usd = priced.isEmpty ? nil : priced.reduce(0, +)
        unfinishedThinking = unanswered.filter { $0.completion?.thinkingUnfinished == true }.count
        var path = CriticalPath()
        path.parallel(samples.filter { $0.sampleIndex >= 0 })
        for call in samples where call.sampleIndex < 0 { path.parallel([call]) }
        sequentialTokens = path.tokens
    }

    /// How much of a completion with no answer is kept for the report.
    public static let noAnswerTextLimit = 2000

    /// What the report shows of a completion with no answer: its text, or for a trace that ended
    /// inside its thinking, the end of the thinking, marked.
    static func noAnswerExcerpt(_ c: Completion) -> String {
        guard c.thinkingUnfinished else { return String(c.text.prefix(noAnswerTextLimit)) }
        let mark = "[unfinished thinking] …"
        return mark + String((c.reasoning ?? "").suffix(noAnswerTextLimit - mark.count))
    }
}

/// How test-time compute is spent on one item.
public protocol Strategy: Sendable {
    func solve(_ context: StrategyContext) async throws -> Outcome
}

/// A runtime strategy made from its kind's spec. Each strategy type conforms once (in its own
/// file) and is listed once in `StrategyFactory.makers`.
public protocol StrategyMaker: Strategy {
    associatedtype Kind: StrategyKind
    /// The strategy for `kind`; `spec` gives the decoding settings (temperature, max_tokens).
    init(_ kind: Kind, spec: StrategySpec)
    /// Whether the strategy records its pool's per-sample scores when asked
    /// (`StrategyContext.recordPoolScores`: majority and best-of-N).
    static var recordsPoolScores: Bool { get }
}

extension StrategyMaker {
    public static var recordsPoolScores: Bool { false }
    static var kindName: String { Kind.name }
    static func instance(for spec: StrategySpec) -> (any Strategy)? {
        (spec.kind as? Kind).map { Self($0, spec: spec) }
    }
}

public enum StrategyFactory {
    /// The registry: the strategy of each strategy kind, one line per kind.
    static let makers: [any StrategyMaker.Type] = [
        SingleStrategy.self,
        MajorityStrategy.self,
        BestOfNStrategy.self,
        WeightedMajorityStrategy.self,
        MultiTemperatureStrategy.self,
        FusionStrategy.self,
        FirstFinishStrategy.self,
        LastFinishStrategy.self,
        RefineStrategy.self,
        BudgetForcingStrategy.self,
        BeamSearchStrategy.self,
        DVTSStrategy.self,
        ParticleFilteringStrategy.self,
        AdaptiveConsistencyStrategy.self,
        ESCStrategy.self,
        ConfidenceConsistencyStrategy.self,
    ]

    static let byKind: [String: any StrategyMaker.Type] = Dictionary(uniqueKeysWithValues: makers.map { ($0.kindName, $0) })

    static func maker(_ spec: StrategySpec) -> any StrategyMaker.Type {
        let name = type(of: spec.kind).name
        guard let maker = byKind[name] else { preconditionFailure("no strategy is registered for kind '\(name)' (StrategyFactory.makers)") }
        return maker
    }

    public static func make(_ spec: StrategySpec) -> any Strategy {
        maker(spec).instance(for: spec)!
    }

    /// Whether the strategy of `spec` records its pool's per-sample scores.
    public static func recordsPoolScores(_ spec: StrategySpec) -> Bool {
        maker(spec).recordsPoolScores
    }
}
