import TTSCore
/// A strategy of the suite: its name, its kind with the kind's parameters (`StrategyKind`, one
/// type per kind under `Strategies/`), and its decoding settings.
public struct StrategySpec: Sendable, Equatable {
    public var name: String
    public var kind: any StrategyKind
    /// Sampling temperature. For `multi_temperature`, the lowest of its temperatures.
    public var temperature: Double
    public var topP: Double
    /// Completion budget of each pooled sample. For `budget_forcing`, `budget − answer_tokens`; for
    /// the step-level searches, of each step call.
    public var maxTokens: Int

    public init(name: String, kind: any StrategyKind, temperature: Double, topP: Double, maxTokens: Int) {
        self.name = name
        self.kind = kind
        self.temperature = temperature
        self.topP = topP
        self.maxTokens = maxTokens
    }

    /// Pooled samples drawn per item (at most, for strategies that can stop early).
    public var samplesPerItem: Int { kind.samplesPerItem }

    /// The reward verifier the strategy scores with, if any (part of the system fingerprint).
    public var scorer: String? { kind.scorerName }

    /// Other models the strategy calls (the fuser), if any (part of the system fingerprint).
    public var referencedModels: [String] { kind.referencedModels }

    public var label: String { kind.label }

    /// Same name, and the same canonical JSON (kind, parameters, decoding settings).
    public static func == (a: Self, b: Self) -> Bool {
        a.name == b.name && Fingerprint.canonicalJSON(StrategyFingerprint(a)) == Fingerprint.canonicalJSON(StrategyFingerprint(b))
    }
}

extension StrategySpec {
    /// The strategy family: its label up to "@" ("majority", "best_of_n", "pdr", ...).
    public var family: String { String(label.prefix { $0 != "@" && $0 != " " }) }
}
