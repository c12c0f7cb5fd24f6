import TTSCore

/// `kind: confidence_consistency`: confidence-weighted adaptive voting, after confidence-guided
/// early stopping (CGES): read pooled samples one at a time, each vote weighted by the sample's
/// confidence, and stop when the Beta rule of `adaptive_consistency` on the weighted counts says
/// the leader stays the leader with probability `threshold`, or at `max_n`. The confidence is a
/// reward verifier's score (`scorer`, as `weighted_majority`) or, without a scorer, the sample's
/// mean token probability from the log-probabilities the model records (`logprobs` on the model).
///
/// ```yaml
/// cc16: {kind: confidence_consistency, max_n: 16, scorer: rm}
/// cc16lp: {kind: confidence_consistency, max_n: 16, confidence: logprobs}
/// ```
public struct ConfidenceConsistencyKind: ParsableStrategyKind, Equatable {
    public static let name = "confidence_consistency"
    public static let fingerprintTag = "confidenceConsistency"
    static let keys = ["max_n", "min_n", "threshold", "confidence", "scorer", "weighting"]

    public enum Confidence: String, Sendable, CaseIterable, Encodable {
        /// A reward verifier's score of the sample (`scorer`).
        case reward
        /// exp(mean token log-probability) of the sample's completion.
        case logprobs
    }

    public var maxN: Int
    public var minN: Int
    public var threshold: Double
    public var confidence: Confidence
    /// The reward verifier (`confidence: reward`).
    public var scorer: String?
    public var weighting: VoteWeighting

    public init(maxN: Int, minN: Int = 2, threshold: Double = AdaptiveConsistencyKind.defaultThreshold,
                confidence: Confidence, scorer: String? = nil, weighting: VoteWeighting = .sigmoid) {
        self.maxN = maxN
        self.minN = minN
        self.threshold = threshold
        self.confidence = confidence
        self.scorer = scorer
        self.weighting = weighting
    }

    static func parse(_ s: YAMLCursor, context: inout StrategyParseContext) throws -> Self {
        let (maxN, minN) = try context.adaptiveBudget(s, defaultMinimum: 2)
        let threshold = try context.stoppingThreshold(s) ?? AdaptiveConsistencyKind.defaultThreshold
        let given = try s.optional("confidence").map { Confidence(rawValue: try $0.oneOf(Confidence.allCases.map(\.rawValue)))! }
        let confidence = given ?? (s.optional("scorer") != nil ? .reward : .logprobs)
        switch confidence {
        case .reward:
            let scorer = try context.scorer(s, kind: name)
            let weighting = try s.optional("weighting").map { VoteWeighting(rawValue: try $0.oneOf(VoteWeighting.allCases.map(\.rawValue)))! } ?? .sigmoid
            return Self(maxN: maxN, minN: minN, threshold: threshold, confidence: .reward, scorer: scorer, weighting: weighting)
        case .logprobs:
            for key in ["scorer", "weighting"] {
                if let c = s.optional(key) { throw c.error("'\(c.pathString)' is for 'confidence: reward'; with 'confidence: logprobs' the weight is the sample's mean token probability") }
            }
            return Self(maxN: maxN, minN: minN, threshold: threshold, confidence: .logprobs)
        }
    }

    public var samplesPerItem: Int { maxN }
    /// At most `max_n` pooled samples, each scored by the reward scorer with `confidence: reward`.
    public func calls(temperature: Double, ownModel: String) -> StrategyCalls {
        .pooled(temperature, maxN, scorings: confidence == .reward ? maxN : 0)
    }
    public var scorerName: String? { scorer }
    public var label: String {
        var parts = [confidence == .reward ? "rm" : "logprobs"]
        if threshold != AdaptiveConsistencyKind.defaultThreshold { parts.append(shortNumber(threshold)) }
        if minN != 2 { parts.append("min\(minN)") }
        return "confidence_consistency-\(parts.joined(separator: "-"))@\(maxN)"
    }
}
