public struct ModelSpec: Sendable {
    public enum Kind: Sendable {
        case simulated(SimulatedModelParameters)
    }
    public var name: String
    public var kind: Kind
    /// Identifies the generator's behaviour: samples are pooled per fingerprint, so changing a
    /// model's parameters never reuses samples drawn under the old ones.
    public var fingerprint: String
    /// A short description for leaderboards ("simulated, ability 1.0").
    public var label: String
}

public struct SimulatedModelParameters: Sendable, Equatable {
    /// Latent ability on the logit scale; items have difficulty ~ N(0, 1).
    public var ability: Double
    /// Mean completion length in tokens of a correct trace (wrong ones run ~35% longer).
    public var meanTokens: Double
    /// Milliseconds per generated token, for the recorded (not slept) latency.
    public var msPerToken: Double
    /// Number of distinct plausible wrong answers per item.
    public var distractors: Int

    public init(ability: Double, meanTokens: Double = 220, msPerToken: Double = 20, distractors: Int = 4) {
        self.ability = ability
        self.meanTokens = meanTokens
        self.msPerToken = msPerToken
        self.distractors = distractors
    }
}

