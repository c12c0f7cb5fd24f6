import TTSCore
import AdaStop
import TTSSuite
import TTSSeams

/// `kind: simulated_prm`: a process reward model of known per-step quality for the simulated
/// backend. Step i of a solution scores σ(z + d·onTrack_i), with z ~ N(0, 1) drawn from (suite
/// seed, verifier name, item, the steps up to i) and d = √2 Φ⁻¹(AUC), so on-track and broken
/// steps are told apart with exactly that ROC AUC. The steps after an error reuse the error's
/// draw: they build on it and read as valid, so an error the PRM misses stays missed (its
/// mistakes are not fresh noise a search could average away). Like a real PRM it reads only the
/// steps so far: a step's score does not change when later steps are added. The on-track state is read
/// from the text (`SimulatedSteps.onTrack`), which the simulated model writes; it knows the
/// truth, which a real PRM does not: the point is a PRM of known quality.
public struct SimulatedPRMVerifier: ProcessRewardModel {
    public var name: String
    public var auc: Double
    public var aggregation: PRMAggregation
    public var suiteSeed: UInt64
    private let separation: Double

    public init(name: String, auc: Double, aggregation: PRMAggregation = .last, suiteSeed: UInt64) {
        self.name = name
        self.auc = auc
        self.aggregation = aggregation
        self.suiteSeed = suiteSeed
        separation = 2.0.squareRoot() * normalQuantile(auc)
    }

    public func stepScores(_ steps: [String], item: TaskItem) async throws -> [Double] {
        let truth = SimulatedSteps.onTrack(steps, item: item)
        var hasher = StableHasher("prm", suiteSeed, name, item.id)
        var missed: Double? = nil
        return steps.indices.map { i in
            hasher.combine(steps[i])
            if !truth[i], let z = missed { return logistic(z) }
            var rng = SplitMix64(seed: hasher.finalize())
            let z = rng.normal()
            // The steps after an error build on it and read as valid: the PRM judges them as it
            // judged the error (one draw per error, so a missed error stays missed).
            if !truth[i] { missed = z }
            return logistic(z + (truth[i] ? separation : 0))
        }
    }

    /// A whole completion: its steps (cut at "\n\n") scored and aggregated.
    public func verify(_ candidate: Candidate, item: TaskItem) async throws -> Verdict {
        let steps = Self.steps(of: candidate.text, separator: StepSearchParameters.defaultDelimiter)
        let reward = aggregation.aggregate(try await stepScores(steps.isEmpty ? [candidate.text] : steps, item: item))
        return Verdict(correct: nil, reward: reward, detail: "simulated PRM (step AUC \(auc), \(aggregation.rawValue) of \(max(1, steps.count)) steps)")
    }
}

extension SimulatedPRMVerifier: VerifierMaker {
    public static func make(_ kind: SimulatedPRMKind, spec: VerifierSpec, suiteSeed: UInt64, resources: VerifierResources) -> Self {
        SimulatedPRMVerifier(name: spec.name, auc: kind.auc, aggregation: kind.aggregation, suiteSeed: suiteSeed)
    }
}
