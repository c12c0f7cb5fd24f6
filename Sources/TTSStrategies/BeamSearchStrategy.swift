import TTSSuite
import TTSSeams

/// Step-level beam search with a process reward model (Snell et al. 2024, "Scaling LLM
/// test-time compute optimally"; HuggingFace search-and-learn's `beam_search`).
///
/// The first step draws n continuations of the empty solution; after each step the open paths
/// are ranked by their aggregated PRM score and the best n/beam_width are kept as beams; each
/// beam is continued beam_width times at the next step (n calls per step while enough beams are
/// open). A path that states its answer (or is cut, or reaches `max_steps`, whose step is
/// generated to the end) is finished and set aside. The search stops when no path is open; the
/// best finished path by the PRM is the answer. Step calls: `StepSearch`.
public struct BeamSearchStrategy: Strategy {
    public var kind: BeamSearchKind
    public var temperature: Double
    public var maxTokens: Int

    public init(kind: BeamSearchKind, temperature: Double, maxTokens: Int = 2048) {
        self.kind = kind
        self.temperature = temperature
        self.maxTokens = maxTokens
    }

    public func solve(_ context: StrategyContext) async throws -> Outcome {
        let search = try StepSearch(search: kind.search, temperature: temperature, maxTokens: maxTokens, context: context)
        let beams = kind.search.n / kind.beamWidth
        var active = [SearchPath.root]
        var finished: [SearchPath] = []
        var calls: [Sample] = []
        var path = CriticalPath()
        var steps = 0
        while !active.isEmpty && steps < kind.search.maxSteps {
            let counts = steps == 0 ? [kind.search.n] : active.map { _ in kind.beamWidth }
            let (children, made) = try await search.expand(active, counts: counts)
            calls += made
            path.parallel(made)
            steps += 1
            let all = children.flatMap { $0 }
            finished += all.filter(\.finished)
            let open = all.filter { !$0.finished }
            active = search.ranking(open).prefix(beams).map { open[$0] }
        }
        return try await search.finish(finished, calls: calls, path: path, steps: steps, how: "beam search, \(beams) beams x \(kind.beamWidth)")
    }
}

extension BeamSearchStrategy: StrategyMaker {
    public init(_ kind: BeamSearchKind, spec: StrategySpec) {
        self.init(kind: kind, temperature: spec.temperature, maxTokens: spec.maxTokens)
    }
}
