import Foundation
import TTSCore
import TTSSuite

/// A verifier that scores the steps of a (partial) solution: a process reward model. The
/// step-level searches read it through `StrategyContext.scorers[prm]`; as a `Verifier` it
/// scores a whole completion by cutting it into steps and aggregating their scores.
public protocol ProcessRewardModel: Verifier {
    /// One score per step of `steps` (the solution so far, in order), higher is better.
    func stepScores(_ steps: [String], item: TaskItem) async throws -> [Double]
}

extension ProcessRewardModel {
    /// A completion cut at `separator` into its non-empty steps.
    package static func steps(of text: String, separator: String) -> [String] {
        text.components(separatedBy: separator).filter { !$0.trimmingSpaces.isEmpty }
    }
}
