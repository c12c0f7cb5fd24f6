import TTSCore
import TTSStore
import TTSSuite
/// First Finish Search: launch n samples in parallel and keep the first to finish.
///
/// "First" is defined on recorded quantities so that it is reproducible: the fewest completion
/// tokens, ties broken by recorded latency, then by sample index. Wall-clock order (by recorded
/// latency) is written beside it in the detail. Shorter traces are more often right for
/// reasoning models, which is what the method exploits.
///
/// Cost: n calls, and the tokens the method would spend if the other samples were cancelled
/// when the kept one finished: every sample's prompt, and min(its completion tokens, the kept
/// sample's completion tokens) of completion.
public struct FirstFinishStrategy: Strategy {
    public var n: Int
    public var temperature: Double

    public init(n: Int, temperature: Double) {
        self.n = n
        self.temperature = temperature
    }

    static func finishKey(_ s: Sample) -> (Int, Double, Int) {
        (s.completion?.completionTokens ?? Int.max, s.completion?.latencyMs ?? .infinity, s.sampleIndex)
    }

    public func solve(_ context: StrategyContext) async throws -> Outcome {
        let samples = try await context.source.samples(for: context.item, temperature: temperature, indices: 0..<n)
        let finished = samples.filter { $0.error == nil && $0.completion != nil }
        guard let first = finished.min(by: { Self.finishKey($0) < Self.finishKey($1) }) else {
            return Outcome(answer: nil, correct: false, samples: samples, detail: "every sample failed")
        }
        let wallClock = finished.sorted { ($0.completion!.latencyMs, $0.sampleIndex) < ($1.completion!.latencyMs, $1.sampleIndex) }
        let firstTokens = first.completion!.completionTokens
        var outcome: Outcome
        let order = "wall-clock order [" + wallClock.map { String($0.sampleIndex) }.joined(separator: ",") + "]"
        let kept = "kept sample \(first.sampleIndex) (\(firstTokens) tokens, \(Int(first.completion!.latencyMs.rounded())) ms)"
        if let answer = first.answer {
            let verdict = try await context.verifier.verify(first.candidate, item: context.item)
            outcome = Outcome(answer: answer, correct: verdict.correct ?? false, samples: samples,
                              detail: "\(kept); \(order); \(verdict.detail)")
        } else {
            outcome = Outcome(answer: nil, correct: false, samples: samples, detail: "\(kept), which has no answer; \(order)")
        }
        // The others are cancelled when the first finishes: each is charged at most as many
        // completion tokens as the kept sample used.
        outcome.completionTokens = samples.reduce(0) { $0 + min($1.completion?.completionTokens ?? 0, firstTokens) }
        return outcome
    }
}

extension FirstFinishStrategy: StrategyMaker {
    public init(_ kind: FirstFinishKind, spec: StrategySpec) { self.init(n: kind.n, temperature: spec.temperature) }
}
