/// Best-of-N: n samples, each scored by a reward verifier; the highest reward wins (ties to
/// the lower sample index). Samples without an answer are not candidates.
public struct BestOfNStrategy: Strategy {
    public var n: Int
    public var temperature: Double
    public var scorer: String

    public func solve(_ context: StrategyContext) async throws -> Outcome {
        guard let rewardModel = context.scorers[scorer] else {
            throw StrategyError(message: "best_of_n: scorer '\(scorer)' is not available")
        }
        let samples = try await context.source.samples(for: context.item, temperature: temperature, indices: 0..<n)
        var best: (sample: Sample, reward: Double)?
        for sample in samples where sample.error == nil && sample.answer != nil {
            let reward = try await rewardModel.verify(sample.candidate, item: context.item).reward ?? -.infinity
            if best == nil || reward > best!.reward { best = (sample, reward) }
        }
        guard let best else {
            return Outcome(answer: nil, correct: false, samples: samples, detail: "no sample gave an answer")
        }
        let verdict = try await context.verifier.verify(best.sample.candidate, item: context.item)
        return Outcome(answer: best.sample.answer, correct: verdict.correct ?? false, reward: best.reward, samples: samples,
                       detail: "picked sample \(best.sample.sampleIndex) (reward \(Self.format(best.reward))); \(verdict.detail)")
    }

    static func format(_ x: Double) -> String { String(Double(Int((x * 1000).rounded())) / 1000) }
}

public struct StrategyError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
