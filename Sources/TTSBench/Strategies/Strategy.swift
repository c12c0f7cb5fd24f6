/// One sample of the pool: the completion drawn for (model, item, seed index, temperature,
/// sample index), with the answer extracted from it, or the error that prevented it.
public struct Sample: Sendable, Hashable {
    public var sampleIndex: Int
    public var temperature: Double
    public var completion: Completion?
    public var answer: String?
    public var error: String?

    public var candidate: Candidate { Candidate(text: completion?.text ?? "", answer: answer) }
    public var tokens: Int { (completion?.promptTokens ?? 0) + (completion?.completionTokens ?? 0) }
}

/// Where strategies get samples: the shared pool (reads what is recorded, generates the rest).
public protocol SampleSource: Sendable {
    func samples(for item: TaskItem, temperature: Double, indices: Range<Int>) async throws -> [Sample]
}

/// What a strategy needs to solve one item for one seed of one system.
public struct StrategyContext: Sendable {
    public var item: TaskItem
    public var seedIndex: Int
    public var source: any SampleSource
    public var verifier: any Verifier
    /// Reward verifiers by name (best-of-N scorers).
    public var scorers: [String: any Verifier]

    public init(item: TaskItem, seedIndex: Int, source: any SampleSource, verifier: any Verifier, scorers: [String: any Verifier]) {
        self.item = item
        self.seedIndex = seedIndex
        self.source = source
        self.verifier = verifier
        self.scorers = scorers
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
    /// Samples whose generation failed (counted as incorrect, reported on the leaderboard).
    public var failures: Int
    public var detail: String

    public init(answer: String?, correct: Bool, reward: Double? = nil, samples: [Sample], extraCalls: Int = 0, detail: String) {
        self.answer = answer
        self.correct = correct
        self.reward = reward
        promptTokens = samples.reduce(0) { $0 + ($1.completion?.promptTokens ?? 0) }
        completionTokens = samples.reduce(0) { $0 + ($1.completion?.completionTokens ?? 0) }
        calls = samples.count + extraCalls
        failures = samples.filter { $0.error != nil }.count
        self.detail = detail
    }
}

/// How test-time compute is spent on one item.
public protocol Strategy: Sendable {
    func solve(_ context: StrategyContext) async throws -> Outcome
}

public enum StrategyFactory {
    public static func make(_ spec: StrategySpec) -> any Strategy {
        switch spec.kind {
        case .single: SingleStrategy(temperature: spec.temperature)
        case .majority(let n): MajorityStrategy(n: n, temperature: spec.temperature)
        case .bestOfN(let n, let scorer): BestOfNStrategy(n: n, temperature: spec.temperature, scorer: scorer)
        }
    }
}
