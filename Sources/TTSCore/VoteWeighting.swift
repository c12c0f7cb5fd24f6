#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How a weighted vote turns a reward into a vote weight (`weighted_majority`,
/// `confidence_consistency` with `confidence: reward`, and the leaderboard's curves of the
/// latter, which weight recorded rewards with this same function).
///
/// ```swift
/// VoteWeighting.sigmoid.weight(reward: 0)    // 0.5
/// VoteWeighting.raw.weight(reward: -0.2)     // 0
/// ```
public enum VoteWeighting: String, Sendable, CaseIterable, Encodable {
    /// σ(reward): for rewards on the logit scale (a classifier's score), always positive.
    case sigmoid
    /// The reward itself, with negative rewards counted as 0 (for rewards already in [0, 1]).
    case raw

    /// The vote weight of a sample whose reward is `reward`.
    public func weight(reward: Double) -> Double {
        switch self {
        case .sigmoid: 1 / (1 + exp(-reward))
        case .raw: max(0, reward)
        }
    }
}
