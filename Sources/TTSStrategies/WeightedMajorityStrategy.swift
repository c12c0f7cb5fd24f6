import TTSCore
import TTSSuite
import Foundation
import TTSSeams

/// Weighted majority: n samples, each answer's votes weighted by a reward scorer's score, and the
/// answer with the largest total weight wins. Answers pool by the system verifier's voting key
/// (as in `majority`); ties go to the answer whose first vote came earliest. Unlike best-of-N it
/// aggregates over all samples of an answer; unlike majority, one well-rewarded vote can outweigh
/// several poorly rewarded ones.
public struct WeightedMajorityStrategy: Strategy {
    public var n: Int
    public var temperature: Double
    public var scorer: String
    public var weighting: VoteWeighting

    public init(n: Int, temperature: Double, scorer: String, weighting: VoteWeighting = .sigmoid) {
        self.n = n
        self.temperature = temperature
        self.scorer = scorer
        self.weighting = weighting
    }

    public func solve(_ context: StrategyContext) async throws -> Outcome {
        guard let rewardModel = context.scorers[scorer] else {
            throw StrategyError(message: "weighted_majority: scorer '\(scorer)' is not available")
        }
        let samples = try await context.source.samples(for: context.item, temperature: temperature, indices: 0..<n)
        var weighted: [(sample: Sample, weight: Double)] = []
        for sample in samples where sample.error == nil && sample.answer != nil {
            let reward = try await rewardModel.verify(sample.candidate, item: context.item).reward ?? 0
            weighted.append((sample, weight(reward)))
        }
        guard let winner = Self.vote(weighted, key: context.verifier.votingKey) else {
            return Outcome(answer: nil, correct: false, samples: samples, detail: "no sample gave an answer")
        }
        let verdict = try await context.verifier.verify(Candidate(text: winner.answer, answer: winner.answer), item: context.item)
        var outcome = Outcome(answer: winner.answer, correct: verdict.correct ?? false, samples: samples,
                              detail: "weight \(BestOfNStrategy.format(winner.weight)) of \(BestOfNStrategy.format(winner.total)) "
                                  + "(\(winner.votes)/\(samples.count) votes); \(verdict.detail)")
        outcome.reward = winner.weight
        return outcome
    }

    func weight(_ reward: Double) -> Double { weighting.weight(reward: reward) }

    /// The answer with the largest total weight (ties: earliest first vote), its weight, its vote
    /// count and the total weight of all votes.
    static func vote(_ weighted: [(sample: Sample, weight: Double)], key: (String) -> String)
        -> (answer: String, weight: Double, votes: Int, total: Double)?
    {
        var tally: [String: (weight: Double, votes: Int, first: Int, answer: String)] = [:]
        var total = 0.0
        for (i, entry) in weighted.enumerated() {
            guard let answer = entry.sample.answer else { continue }
            let k = key(answer)
            total += entry.weight
            if let t = tally[k] {
                tally[k] = (t.weight + entry.weight, t.votes + 1, t.first, t.answer)
            } else {
                tally[k] = (entry.weight, 1, i, answer)
            }
        }
        guard let best = tally.values.max(by: { ($0.weight, -$0.first) < ($1.weight, -$1.first) }) else { return nil }
        return (best.answer, best.weight, best.votes, total)
    }
}

extension WeightedMajorityStrategy: StrategyMaker {
    public init(_ kind: WeightedMajorityKind, spec: StrategySpec) {
        self.init(n: kind.n, temperature: spec.temperature, scorer: kind.scorer, weighting: kind.weighting)
    }
}
