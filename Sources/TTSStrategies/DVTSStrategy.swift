import TTSSuite
import TTSSeams

/// Diverse verifier tree search (HuggingFace search-and-learn's `dvts`, Beeching et al. 2024;
/// evaluated by Liu et al. 2025, "Can 1B LLM surpass 405B LLM?").
///
/// The first step draws n continuations of the empty solution, split into n/beam_width subtrees
/// of beam_width each. Each subtree then keeps only its best continuation by the aggregated PRM
/// score and continues that one beam_width times at the next step, independently of the other
/// subtrees (greedy within, diverse across), until its kept path is finished. The best finished
/// subtree by the PRM is the answer. Step calls: `StepSearch`.
public struct DVTSStrategy: Strategy {
    public var kind: DVTSKind
    public var temperature: Double
    public var maxTokens: Int

    public init(kind: DVTSKind, temperature: Double, maxTokens: Int = 2048) {
        self.kind = kind
        self.temperature = temperature
        self.maxTokens = maxTokens
    }

    public func solve(_ context: StrategyContext) async throws -> Outcome {
        let search = try StepSearch(search: kind.search, temperature: temperature, maxTokens: maxTokens, context: context)
        let width = kind.beamWidth
        let subtrees = kind.search.n / width
        var calls: [Sample] = []
        var path = CriticalPath()
        // The first step: n continuations of the empty solution, beam_width per subtree.
        let (first, made) = try await search.expand([.root], counts: [kind.search.n])
        calls += made
        path.parallel(made)
        var kept: [SearchPath?] = (0..<subtrees).map { t in
            let group = Array(first[0].filter { $0.route[0] / width == t })
            return search.ranking(group).first.map { group[$0] }
        }
        var steps = 1
        while steps < kind.search.maxSteps {
            let open = kept.indices.filter { kept[$0].map { !$0.finished } ?? false }
            if open.isEmpty { break }
            let (children, made) = try await search.expand(open.map { kept[$0]! }, counts: open.map { _ in width })
            calls += made
            path.parallel(made)
            steps += 1
            for (k, t) in open.enumerated() {
                // A subtree whose calls all failed keeps its path, which is then finished without an answer.
                if let best = search.ranking(children[k]).first { kept[t] = children[k][best] } else { kept[t]!.finished = true }
            }
        }
        let finished = kept.compactMap { $0 }.filter(\.finished)
        return try await search.finish(finished, calls: calls, path: path, steps: steps, how: "dvts, \(subtrees) subtrees x \(width)")
    }
}

extension DVTSStrategy: StrategyMaker {
    public init(_ kind: DVTSKind, spec: StrategySpec) {
        self.init(kind: kind, temperature: spec.temperature, maxTokens: spec.maxTokens)
    }
}
