import TTSCore
import TTSSuite
import TTSSeams
/// Self-consistency: n samples, the most frequent answer wins. Answers are pooled by the
/// system verifier's voting key (so `\frac12` and `1/2` vote together under the math verifier);
/// ties go to the answer whose first vote came earliest. Samples without an answer do not vote.
public struct MajorityStrategy: Strategy {
    public var n: Int
    public var temperature: Double

    public func solve(_ context: StrategyContext) async throws -> Outcome {
        let samples = try await context.source.samples(for: context.item, temperature: temperature, indices: 0..<n)
        let poolScores = context.recordPoolScores
            ? try await PoolScoring.scores(samples, item: context.item, verifier: context.verifier) : nil
        guard let (answer, votes) = Self.vote(samples, key: context.verifier.votingKey) else {
            var outcome = Outcome(answer: nil, correct: false, samples: samples, detail: "no sample gave an answer")
            outcome.poolScores = poolScores
            return outcome
        }
        let verdict = try await context.verifier.verify(Candidate(text: answer, answer: answer), item: context.item)
        var outcome = Outcome(answer: answer, correct: verdict.correct ?? false, samples: samples,
                              detail: "\(votes)/\(samples.count) votes; \(verdict.detail)")
        outcome.poolScores = poolScores
        return outcome
    }

    /// The winning answer (as first written) and its vote count.
    static func vote(_ samples: [Sample], key: (String) -> String) -> (String, Int)? {
        var counts: [String: (count: Int, first: Int, answer: String)] = [:]
        for (i, sample) in samples.enumerated() {
            guard sample.error == nil, let answer = sample.answer else { continue }
            let k = key(answer)
            if let entry = counts[k] {
                counts[k] = (entry.count + 1, entry.first, entry.answer)
            } else {
                counts[k] = (1, i, answer)
            }
        }
        guard let best = counts.values.max(by: { ($0.count, -$0.first) < ($1.count, -$1.first) }) else { return nil }
        return (best.answer, best.count)
    }
}

extension MajorityStrategy: StrategyMaker {
    public init(_ kind: MajorityKind, spec: StrategySpec) { self.init(n: kind.n, temperature: spec.temperature) }
    public static var recordsPoolScores: Bool { true }
}
