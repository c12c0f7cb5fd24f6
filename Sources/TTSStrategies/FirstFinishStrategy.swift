import TTSCore
import TTSSuite
import TTSSeams
/// First Finish Search (FFS-k@N, Agarwal et al. 2025): launch n samples in parallel and take the
/// majority among the first k to finish; k = 1 keeps the first sample's answer.
///
/// "First" is defined on recorded quantities so that it is reproducible: the fewest completion
/// tokens, ties broken by recorded latency, then by sample index. Wall-clock order (by recorded
/// latency) is written beside it in the detail. Shorter traces are more often right for
/// reasoning models, which is what the method exploits. Vote ties go to the answer that
/// finished first.
///
/// Cost: n calls, and the tokens the method would spend if the other samples were cancelled
/// when the k-th finished: every sample's prompt, and min(its completion tokens, the k-th
/// sample's completion tokens) of completion. The critical path is the k-th sample's
/// completion tokens.
public struct FirstFinishStrategy: Strategy {
    public var n: Int
    public var k: Int
    public var temperature: Double

    public init(n: Int, k: Int = 1, temperature: Double) {
        self.n = n
        self.k = k
        self.temperature = temperature
    }

    static func finishKey(_ s: Sample) -> (Int, Double, Int) {
        (s.completion?.completionTokens ?? Int.max, s.completion?.latencyMs ?? .infinity, s.sampleIndex)
    }

    /// The samples that finished (no error), in finishing order: first to finish first.
    static func finishingOrder(_ samples: [Sample]) -> [Sample] {
        samples.filter { $0.error == nil && $0.completion != nil }.sorted { finishKey($0) < finishKey($1) }
    }

    public func solve(_ context: StrategyContext) async throws -> Outcome {
        let samples = try await context.source.samples(for: context.item, temperature: temperature, indices: 0..<n)
        let order = Self.finishingOrder(samples)
        guard !order.isEmpty else {
            return Outcome(answer: nil, correct: false, samples: samples, detail: "every sample failed")
        }
        let voters = Array(order.prefix(k))
        let cutoff = voters.last!.completion!.completionTokens
        let wallClock = order.sorted { ($0.completion!.latencyMs, $0.sampleIndex) < ($1.completion!.latencyMs, $1.sampleIndex) }
        let orderText = "wall-clock order [" + wallClock.map { String($0.sampleIndex) }.joined(separator: ",") + "]"
        let kept = k == 1
            ? "kept sample \(voters[0].sampleIndex) (\(cutoff) tokens, \(Int(voters[0].completion!.latencyMs.rounded())) ms)"
            : "first \(voters.count) to finish [" + voters.map { String($0.sampleIndex) }.joined(separator: ",") + "] (up to \(cutoff) tokens)"
        var outcome = try await Self.vote(voters, samples: samples, context: context, how: "\(kept); \(orderText)")
        // The others are cancelled when the k-th finishes: each is charged at most as many
        // completion tokens as it had produced by then.
        outcome.completionTokens = samples.reduce(0) { $0 + min($1.completion?.completionTokens ?? 0, cutoff) }
        // Thinking comes first in a trace: of the tokens charged, at most the thinking ones are thinking.
        outcome.thinkingTokens = samples.reduce(0) { $0 + min($1.completion?.reasoningTokens ?? 0, cutoff) }
        outcome.sequentialTokens = cutoff
        return outcome
    }

    /// The majority among `voters` (ties to the earliest voter), verified; `samples` are all
    /// the samples read, for the outcome's cost and counts.
    static func vote(_ voters: [Sample], samples: [Sample], context: StrategyContext, how: String) async throws -> Outcome {
        guard let (answer, votes) = MajorityStrategy.vote(voters, key: context.verifier.votingKey) else {
            let which = voters.count == 1 ? "it has no answer" : "none of them has an answer"
            return Outcome(answer: nil, correct: false, samples: samples, detail: "\(how); \(which)")
        }
        let winner = voters.first { $0.answer.map(context.verifier.votingKey) == context.verifier.votingKey(answer) }!
        let verdict = try await context.verifier.verify(voters.count == 1 ? winner.candidate : Candidate(text: answer, answer: answer),
                                                        item: context.item)
        let tally = voters.count == 1 ? "" : "; '\(answer)' \(votes)/\(voters.count)"
        return Outcome(answer: answer, correct: verdict.correct ?? false, samples: samples, detail: "\(how)\(tally); \(verdict.detail)")
    }
}

extension FirstFinishStrategy: StrategyMaker {
    public init(_ kind: FirstFinishKind, spec: StrategySpec) { self.init(n: kind.n, k: kind.k, temperature: spec.temperature) }
}
