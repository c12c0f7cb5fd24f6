// The weighted counts of confidence-weighted adaptive voting: shared by the strategy
// (`confidence_consistency`) and the leaderboard's curves of it (`confidenceVoteExpectation`),
// so the rule a strategy ran and the rule a curve describes are the same code.

/// The votes read so far by a confidence-weighted adaptive vote: each answered sample's vote
/// counts its confidence relative to the mean confidence of the answered samples so far (equal
/// confidences give the unweighted counts).
///
/// ```swift
/// var tally = ConfidenceTally<String>(weighted: true)
/// tally.add("42", weight: 0.9)
/// tally.add("41", weight: 0.3)
/// tally.votes            // [1.5, 0.5]: relative confidences, in order of first vote
/// tally.leader?.key      // "42"
/// ```
public struct ConfidenceTally<Key: Hashable>: Sendable where Key: Sendable {
    /// The answers in order of their first vote.
    public private(set) var order: [Key] = []
    public private(set) var counts: [Key: Int] = [:]
    public private(set) var confidence: [Key: Double] = [:]
    public private(set) var confidenceSum = 0.0
    public private(set) var voters = 0
    /// Whether votes are weighted (else `votes` are the counts).
    public let weighted: Bool

    public init(weighted: Bool) { self.weighted = weighted }

    /// Counts one answered sample's vote; `weight` (its confidence, negative counted as 0) is
    /// ignored when the tally is not weighted. Returns the weight counted.
    @discardableResult
    public mutating func add(_ key: Key, weight: Double?) -> Double? {
        if counts[key] == nil { order.append(key) }
        counts[key, default: 0] += 1
        voters += 1
        guard weighted, let weight else { return nil }
        let w = max(0, weight)
        confidence[key, default: 0] += w
        confidenceSum += w
        return w
    }

    /// The votes the stopping rule reads, one per answer in order of first vote.
    public var votes: [Double] {
        order.map { k in
            weighted && confidenceSum > 0 ? confidence[k, default: 0] * Double(voters) / confidenceSum : Double(counts[k]!)
        }
    }

    /// The answer with the largest total confidence (the most votes when not weighted); ties go
    /// to the earliest first vote. Nil before any vote.
    public var leader: (key: Key, weight: Double, votes: Int)? {
        var best: (key: Key, weight: Double, votes: Int)?
        for k in order {
            let w = weighted ? confidence[k, default: 0] : Double(counts[k]!)
            if best == nil || w > best!.weight { best = (k, w, counts[k]!) }
        }
        return best
    }
}
