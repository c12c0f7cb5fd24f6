import Foundation
import TTSCore
import TTSSuite

/// The simulated backend's step-level solutions, with a latent "on track" state.
///
/// A solution of an item has `SimulatedSteps.count(item)` steps (3 to 6, from the item id). Every
/// step but the last states an intermediate result ("the partial result is 4817"); the last
/// states the answer in `\boxed{}`. A solution is on track while every stated result is the
/// item's own (`SimulatedSteps.partialResult`) and its answer, if any, is the reference. Each new
/// step of an on-track solution stays on track with probability q = p^(1/L), where p is the
/// model's probability of a correct sample at the call's temperature and L the step count, so a
/// solution written step by step is right as often as a pooled sample; a broken solution stays
/// broken (a wrong step makes the final answer wrong). Broken steps run longer (×1.35), like
/// wrong traces. The state is read back from the text, so another model or a later call sees
/// the same state; the simulated PRM (`SimulatedPRMVerifier`) reads it the same way.
public enum SimulatedSteps {
    /// Steps of a full solution of `item`: 3 to 6.
    public static func count(_ item: TaskItem) -> Int {
        var rng = SplitMix64("solution-steps", item.id)
        return 3 + Int(rng.next() % 4)
    }

    /// The intermediate result an on-track solution states after step `k` (1-based).
    public static func partialResult(_ item: TaskItem, step k: Int) -> Int {
        var rng = SplitMix64("partial-result", item.id, k)
        return 1000 + Int(rng.next() % 9000)
    }

    package static let marker = "the partial result is "

    /// The result a step states, if it states one.
    package static func statedResult(_ step: String) -> Int? {
        guard let range = step.range(of: marker) else { return nil }
        return Int(step[range.upperBound...].prefix { $0.isNumber || $0 == "-" })
    }

    /// Whether each step keeps the solution on track, given the steps before it: a stated
    /// intermediate result must be the item's own at that step, a boxed answer the reference.
    /// Once broken, every later step is off track.
    public static func onTrack(_ steps: [String], item: TaskItem) -> [Bool] {
        var out: [Bool] = []
        var ok = true
        let reference = AnswerNormalizer.basic(item.answer)
        for (i, step) in steps.enumerated() {
            if let r = statedResult(step), r != partialResult(item, step: i + 1) { ok = false }
            if let a = AnswerExtractor.extract(step, mode: .boxed), AnswerNormalizer.basic(a) != reference { ok = false }
            out.append(ok)
        }
        return out
    }
}
