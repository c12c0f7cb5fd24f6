import AdaStop
import TTSCore
import TTSSuite
import TTSSeams
import Foundation

/// Confidence-weighted adaptive voting: pooled samples one at a time, each vote weighted by its
/// confidence relative to the mean confidence so far, until the Beta rule on the weighted counts
/// fires (probability `threshold`) or `max_n` samples; the answer with the largest total
/// confidence wins (ties: the earliest first vote). The confidence is a reward verifier's score
/// (σ(reward) or the raw reward, as `weighted_majority`) or the completion's mean token
/// probability, exp(mean log-probability), from the log-probabilities the model recorded.
public struct ConfidenceConsistencyStrategy: Strategy {
    var vote: AdaptiveVote
    var confidence: ConfidenceConsistencyKind.Confidence
    var scorer: String?
    var weighting: VoteWeighting

    public init(_ kind: ConfidenceConsistencyKind, temperature: Double) {
        vote = AdaptiveVote(stopping: AdaptiveStopping(rule: .beta(threshold: kind.threshold), maxN: kind.maxN, minN: kind.minN),
                            temperature: temperature)
        confidence = kind.confidence
        scorer = kind.scorer
        weighting = kind.weighting
    }

    public func solve(_ context: StrategyContext) async throws -> Outcome {
        let weight: (Sample) async throws -> Double
        switch confidence {
        case .reward:
            guard let name = scorer, let rewardModel = context.scorers[name] else {
                throw StrategyError(message: "confidence_consistency: scorer '\(scorer ?? "")' is not available")
            }
            let weighting = self.weighting
            weight = { sample in
                let reward = try await rewardModel.verify(sample.candidate, item: context.item).reward ?? 0
                return weighting.weight(reward: reward)
            }
        case .logprobs:
            let item = context.item.id
            weight = { sample in
                guard let p = sample.completion?.logprobs.flatMap(Self.meanTokenProbability) else {
                    throw StrategyError(message: "confidence_consistency: sample \(sample.sampleIndex) of item '\(item)' has no token log-probabilities; "
                        + "give its model 'logprobs: 0' (an endpoint that returns them), or use 'scorer' with a reward verifier")
                }
                return p
            }
        }
        let reading = try await vote.read(context, weight: weight)
        let weighted = zip(reading.samples, reading.weights).compactMap { s, w in w.map { (sample: s, weight: $0) } }
        let winner = WeightedMajorityStrategy.vote(weighted, key: context.verifier.votingKey)
        let how = winner.map { "confidence \(BestOfNStrategy.format($0.weight)) of \(BestOfNStrategy.format($0.total)) (\($0.votes)/\(reading.samples.count) votes)" } ?? ""
        var outcome = try await vote.outcome(reading, answer: winner?.answer, how: how, context: context)
        outcome.reward = winner?.weight
        return outcome
    }

    /// exp(mean token log-probability) of a completion's `logprobs` as the server returned them:
    /// the chat API's `{"content": [{"logprob": ...}, ...]}` or the completions API's
    /// `{"token_logprobs": [...]}`; nil when it holds none.
    static func meanTokenProbability(_ json: String) -> Double? {
        guard let value = JSONValue.parse(Array(json.utf8)) else { return nil }
        let logprobs: [Double]
        if let content = value["content"]?.arrayValue {
            logprobs = content.compactMap { $0["logprob"]?.doubleValue }
        } else if let tokens = value["token_logprobs"]?.arrayValue {
            logprobs = tokens.compactMap(\.doubleValue)
        } else {
            return nil
        }
        let finite = logprobs.filter(\.isFinite)
        guard !finite.isEmpty else { return nil }
        return exp(finite.reduce(0, +) / Double(finite.count))
    }
}

extension ConfidenceConsistencyStrategy: StrategyMaker {
    public init(_ kind: ConfidenceConsistencyKind, spec: StrategySpec) { self.init(kind, temperature: spec.temperature) }
}
