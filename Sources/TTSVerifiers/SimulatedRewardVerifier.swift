import TTSCore
import AdaStop
import TTSSuite
import TTSSeams
/// A simulated reward model with a chosen ROC AUC: rewards of correct candidates are drawn from
/// N(d, 1) and of wrong ones from N(0, 1), with d = √2 Φ⁻¹(AUC), which gives exactly that AUC.
/// It knows the truth (it compares with the reference), which a real reward model does not:
/// the point is a scorer of known quality. Draws derive from the candidate text and the item.
public struct SimulatedRewardVerifier: Verifier {
    public var name: String
    public var auc: Double
    public var suiteSeed: UInt64
    private let separation: Double
    private let truth = MathVerifier()

    public init(name: String, auc: Double, suiteSeed: UInt64) {
        self.name = name
        self.auc = auc
        self.suiteSeed = suiteSeed
        separation = 2.0.squareRoot() * normalQuantile(auc)
    }

    public func verify(_ candidate: Candidate, item: TaskItem) async throws -> Verdict {
        let correct = try await truth.verify(candidate, item: item).correct ?? false
        var rng = SplitMix64("reward", suiteSeed, name, item.id, candidate.text)
        let reward = rng.normal() + (correct ? separation : 0)
        return Verdict(correct: nil, reward: reward, detail: "simulated reward (AUC \(auc))")
    }
}

extension SimulatedRewardVerifier: VerifierMaker {
    public static func make(_ kind: SimulatedRewardKind, spec: VerifierSpec, suiteSeed: UInt64, resources: VerifierResources) -> Self {
        SimulatedRewardVerifier(name: spec.name, auc: kind.auc, suiteSeed: suiteSeed)
    }
}
