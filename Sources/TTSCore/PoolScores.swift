import Foundation

/// The N pooled samples a voting or best-of-N strategy read for one item, as the exact
/// estimators need them: each sample's answer class (samples with the same voting key share a
/// class; nil: no answer), whether it is correct, and its reward (best-of-N). Recorded at run
/// time so that scaling curves never re-verify anything.
public struct PoolScores: Codable, Sendable, Hashable {
    /// Answer class per sample (nil: failed or no answer).
    public var classes: [Int?]
    public var correct: [Bool]
    /// Reward per sample (best-of-N); nil when the strategy has no scorer.
    public var rewards: [Double?]?

    public init(classes: [Int?], correct: [Bool], rewards: [Double?]? = nil) {
        self.classes = classes
        self.correct = correct
        self.rewards = rewards
    }
}
