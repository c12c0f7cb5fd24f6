import TTSCore
import TTSSuite
import TTSSeams
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
        var rewards: [Double?] = []
        for sample in samples {
            guard sample.error == nil && sample.answer != nil else {
                rewards.append(nil)
                continue
            }
            let reward = try await rewardModel.verify(sample.candidate, item: context.item).reward ?? -.infinity
            rewards.append(reward)
            if best == nil || reward > best!.reward { best = (sample, reward) }
        }
        let poolScores = context.recordPoolScores
            ? try await PoolScoring.scores(samples, item: context.item, verifier: context.verifier, rewards: rewards) : nil
        guard let best else {
            var outcome = Outcome(answer: nil, correct: false, samples: samples, detail: "no sample gave an answer")
            outcome.poolScores = poolScores
            return outcome
        }
        let verdict = try await context.verifier.verify(best.sample.candidate, item: context.item)
        var outcome = Outcome(answer: best.sample.answer, correct: verdict.correct ?? false, reward: best.reward, samples: samples,
                              detail: "picked sample \(best.sample.sampleIndex) (reward \(Self.format(best.reward))); \(verdict.detail)")
        outcome.poolScores = poolScores
        return outcome
    }

    static func format(_ x: Double) -> String { String(Double(Int((x * 1000).rounded())) / 1000) }
}

extension BestOfNStrategy: StrategyMaker {
    public init(_ kind: BestOfNKind, spec: StrategySpec) { self.init(n: kind.n, temperature: spec.temperature, scorer: kind.scorer) }
    public static var recordsPoolScores: Bool { true }
}
