import MathAnswers
import TTSCore
import TTSSeams
import TTSSuite
import Foundation

/// The simulated model as a judge of known quality. It knows the truth (the math verifier's
/// comparison of the candidate's answer with the reference) and reports it with probability
/// `logistic(1.5 + 1.2·ability − 0.6·difficulty − 0.5·[candidate wrong])`: abler models judge
/// better, hard items are harder to judge, and judges lean lenient (false positives are more
/// common than false negatives). About 2% of replies break the verdict format, so that the
/// strict parser's "unparseable" path is exercised. Draws derive from the request seed.
extension SimulatedModel: SimulatedJudging {
    public func judgeAgreementProbability(item: TaskItem, candidateCorrect: Bool) -> Double {
        let traits = ItemTraits(item)
        return logistic(1.5 + 1.2 * parameters.ability - 0.6 * traits.difficulty - (candidateCorrect ? 0 : 0.5))
    }

    public func simulatedJudgement(item: TaskItem, candidate: Candidate, seed: UInt64, promptTokens: Int) -> Completion {
        var rng = SplitMix64("simulated-judge", fingerprint, seed)
        let truth = candidate.answer.map { MathEquivalence.check($0, item.answer).equivalent } ?? false
        let agrees = rng.uniform() < judgeAgreementProbability(item: item, candidateCorrect: truth)
        let says = agrees ? truth : !truth
        let shown = candidate.answer.map { "the final answer '\($0)'" } ?? "no clear final answer"
        var text = "The response gives \(shown); the reference answer is \(item.answer). "
        text += says ? "These agree, so the response is correct." : "These do not agree, so the response is incorrect."
        let format = rng.uniform()
        if format < 0.01 {
            text += "\nVerdict: the response is \(says ? "correct" : "incorrect")."
        } else if format < 0.02 {
            text += "\nVERDICT: \(says ? "CORRECT" : "INCORRECT")\nVERDICT: \(says ? "INCORRECT" : "CORRECT")"
        } else {
            text += "\nVERDICT: \(says ? "CORRECT" : "INCORRECT")"
        }
        let tokens = max(12, text.utf8.count / 4)
        let latency = 40 + Double(tokens) * parameters.msPerToken * exp(0.15 * rng.normal())
        return Completion(text: text, finishReason: "stop", promptTokens: promptTokens, completionTokens: tokens,
                          latencyMs: (latency * 1000).rounded() / 1000)
    }
}
