import TTSCore
import TTSSuite
import TTSSeams
/// Last Finish Search (LFS-k@N, Agarwal et al. 2025): n samples in parallel, the majority among
/// the k that finish last, i.e. the longest traces (the reverse of `FirstFinishStrategy`'s
/// order: most completion tokens first). It waits for every sample, so it pays for all of them
/// and its critical path is the longest sample.
public struct LastFinishStrategy: Strategy {
    /// The samples and voters of first finish (`n`, `k`, `temperature`), read in reverse order.
    public var reversed: FirstFinishStrategy

    public init(n: Int, k: Int = 1, temperature: Double) {
        reversed = FirstFinishStrategy(n: n, k: k, temperature: temperature)
    }

    public func solve(_ context: StrategyContext) async throws -> Outcome {
        let samples = try await context.source.samples(for: context.item, temperature: reversed.temperature, indices: 0..<reversed.n)
        let order = Array(FirstFinishStrategy.finishingOrder(samples).reversed())
        guard !order.isEmpty else {
            return Outcome(answer: nil, correct: false, samples: samples, detail: "every sample failed")
        }
        let voters = Array(order.prefix(reversed.k))
        let how = "last \(voters.count) to finish [" + voters.map { String($0.sampleIndex) }.joined(separator: ",") + "] "
            + "(from \(voters.last!.completion!.completionTokens) to \(voters[0].completion!.completionTokens) tokens)"
        return try await FirstFinishStrategy.vote(voters, samples: samples, context: context, how: how)
    }
}

extension LastFinishStrategy: StrategyMaker {
    public init(_ kind: LastFinishKind, spec: StrategySpec) { self.init(n: kind.n, k: kind.k, temperature: spec.temperature) }
}
