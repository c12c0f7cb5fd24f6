import AdaStop
import TTSCore
import TTSSuite
import TTSSeams

/// Adaptive-Consistency (Aggarwal et al. 2023): pooled samples one at a time until the Beta (or
/// Dirichlet) posterior on the answer counts says the leader stays the leader with probability
/// `threshold`, or `max_n` samples; the answer is the majority of the samples read (ties: the
/// earliest first vote). Each sample is a round (the rule waits for it).
public struct AdaptiveConsistencyStrategy: Strategy {
    var vote: AdaptiveVote

    public init(maxN: Int, minN: Int = 1, rule: AdaptiveConsistencyKind.Rule = .beta,
                threshold: Double = AdaptiveConsistencyKind.defaultThreshold, temperature: Double) {
        let r: AdaptiveStopping.Rule = rule == .beta ? .beta(threshold: threshold) : .dirichlet(threshold: threshold)
        vote = AdaptiveVote(stopping: AdaptiveStopping(rule: r, maxN: maxN, minN: minN), temperature: temperature)
    }

    public func solve(_ context: StrategyContext) async throws -> Outcome {
        let reading = try await vote.read(context)
        let winner = MajorityStrategy.vote(reading.samples, key: context.verifier.votingKey)
        return try await vote.outcome(reading, answer: winner?.0,
                                      how: "\(winner?.1 ?? 0)/\(reading.samples.count) votes", context: context)
    }
}

extension AdaptiveConsistencyStrategy: StrategyMaker {
    public init(_ kind: AdaptiveConsistencyKind, spec: StrategySpec) {
        self.init(maxN: kind.maxN, minN: kind.minN, rule: kind.rule, threshold: kind.threshold, temperature: spec.temperature)
    }
}
