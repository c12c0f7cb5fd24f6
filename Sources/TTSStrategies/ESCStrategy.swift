import AdaStop
import TTSCore
import TTSSuite
import TTSSeams

/// Early-Stopping Self-Consistency (Li et al., ICLR 2024): pooled samples in windows of `window`
/// (a window's samples in parallel: one round), stopping after a window whose samples all gave
/// the same answer, or at `max_n`; the answer is the majority over every sample read (ties: the
/// earliest first vote), as `majority` would give on them.
public struct ESCStrategy: Strategy {
    var vote: AdaptiveVote

    public init(maxN: Int, window: Int, minN: Int? = nil, temperature: Double) {
        vote = AdaptiveVote(stopping: AdaptiveStopping(rule: .unanimousWindow(size: window), maxN: maxN, minN: minN ?? window),
                            temperature: temperature)
    }

    public func solve(_ context: StrategyContext) async throws -> Outcome {
        let reading = try await vote.read(context)
        let winner = MajorityStrategy.vote(reading.samples, key: context.verifier.votingKey)
        let how = (reading.early ? "window \(reading.rounds) unanimous; " : "") + "\(winner?.1 ?? 0)/\(reading.samples.count) votes"
        return try await vote.outcome(reading, answer: winner?.0, how: how, context: context)
    }
}

extension ESCStrategy: StrategyMaker {
    public init(_ kind: ESCKind, spec: StrategySpec) {
        self.init(maxN: kind.maxN, window: kind.window, minN: kind.minN, temperature: spec.temperature)
    }
}
