import TTSCore
import TTSSuite
import TTSSeams
/// One sample, scored as it is.
public struct SingleStrategy: Strategy {
    public var temperature: Double

    public func solve(_ context: StrategyContext) async throws -> Outcome {
        let samples = try await context.source.samples(for: context.item, temperature: temperature, indices: 0..<1)
        let sample = samples[0]
        if let error = sample.error {
            return Outcome(answer: nil, correct: false, samples: samples, detail: "generation failed: \(error)")
        }
        let verdict = try await context.verifier.verify(sample.candidate, item: context.item)
        return Outcome(answer: sample.answer, correct: verdict.correct ?? false, samples: samples, detail: verdict.detail)
    }
}

extension SingleStrategy: StrategyMaker {
    public init(_ kind: SingleKind, spec: StrategySpec) { self.init(temperature: spec.temperature) }
}
