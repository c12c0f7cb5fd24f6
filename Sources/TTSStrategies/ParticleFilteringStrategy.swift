import TTSCore
import TTSSuite
import Foundation
import TTSSeams

/// Particle filtering with a process reward model (Puri et al. 2025, "A probabilistic inference
/// approach to inference-time scaling of LLMs using particle-based Monte Carlo methods").
///
/// n particles (partial solutions) start empty. At each step every open particle is continued
/// once (copies of the same particle continue as different replicas), scored by the PRM, and
/// then the n particles, finished ones included, are resampled with replacement with
/// probabilities softmax(logit(aggregated PRM score) / `resample_temperature`) (the score itself
/// instead of its log-odds when some score lies outside [0, 1]). The draws come from
/// (suite seed, item, seed index, step), never from the order calls return. The search stops
/// when every particle is finished; the best finished particle by the PRM is the answer.
public struct ParticleFilteringStrategy: Strategy {
    public var kind: ParticleFilteringKind
    public var temperature: Double
    public var maxTokens: Int

    public init(kind: ParticleFilteringKind, temperature: Double, maxTokens: Int = 2048) {
        self.kind = kind
        self.temperature = temperature
        self.maxTokens = maxTokens
    }

    /// `count` indices drawn with replacement from softmax(w / temperature), from a seeded
    /// generator. The weights w are the scores' log-odds when every score lies in [0, 1] (a PRM's
    /// probability that the steps are right, as its_hub does), the scores themselves otherwise.
    public static func resample(scores: [Double], temperature: Double, count: Int, rng: inout SplitMix64) -> [Int] {
        let probabilities = scores.allSatisfy { $0 >= 0 && $0 <= 1 }
        let logits = probabilities ? scores.map { p in let q = min(max(p, 1e-9), 1 - 1e-9); return log(q / (1 - q)) } : scores
        let finite = logits.map { $0.isFinite ? $0 / temperature : -Double.greatestFiniteMagnitude }
        let top = finite.max() ?? 0
        let weights = finite.map { $0 == -Double.greatestFiniteMagnitude ? 0 : exp($0 - top) }
        let total = weights.reduce(0, +)
        guard total > 0 else { return (0..<count).map { $0 % max(1, scores.count) } }
        return (0..<count).map { _ in
            var r = rng.uniform() * total
            var i = 0
            while i < weights.count - 1 && r >= weights[i] { r -= weights[i]; i += 1 }
            return i
        }
    }

    public func solve(_ context: StrategyContext) async throws -> Outcome {
        let search = try StepSearch(search: kind.search, temperature: temperature, maxTokens: maxTokens, context: context)
        let n = kind.search.n
        var particles = [SearchPath](repeating: .root, count: n)
        var calls: [Sample] = []
        var path = CriticalPath()
        var steps = 0
        var trail: [String] = []
        while steps < kind.search.maxSteps {
            let open = particles.indices.filter { !particles[$0].finished }
            if open.isEmpty { break }
            let (children, made) = try await search.expand(open.map { particles[$0] }, counts: open.map { _ in 1 })
            calls += made
            path.parallel(made)
            steps += 1
            for (k, i) in open.enumerated() {
                // A particle whose call failed is finished without an answer (it scores as before).
                if let child = children[k].first { particles[i] = child } else { particles[i].finished = true }
            }
            var rng = SplitMix64("particle-resample", context.suiteSeed, context.item.id, context.seedIndex, steps)
            let drawn = Self.resample(scores: particles.map(search.score), temperature: kind.resampleTemperature, count: n, rng: &rng)
            trail.append(String(Set(drawn).count))
            particles = drawn.map { particles[$0] }
        }
        // Resampling copies particles: each distinct solution counts once.
        var seen = Set<[String]>()
        let finished = particles.filter { $0.finished && seen.insert($0.steps).inserted }
        return try await search.finish(finished, calls: calls, path: path, steps: steps,
                                       how: "particle filtering, \(n) particles, distinct after each resampling [\(trail.joined(separator: ","))]")
    }
}

extension ParticleFilteringStrategy: StrategyMaker {
    public init(_ kind: ParticleFilteringKind, spec: StrategySpec) {
        self.init(kind: kind, temperature: spec.temperature, maxTokens: spec.maxTokens)
    }
}
