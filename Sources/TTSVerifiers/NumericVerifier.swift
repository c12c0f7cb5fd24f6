import TTSCore
import TTSSuite
import TTSSeams
/// Correct when both answers are numbers within `tolerance` (relative above 1, absolute below).
public struct NumericVerifier: Verifier {
    public var tolerance: Double
    public init(tolerance: Double) { self.tolerance = tolerance }

    public func verify(_ candidate: Candidate, item: TaskItem) async throws -> Verdict {
        guard let answer = candidate.answer else { return Verdict(correct: false, detail: "no answer extracted") }
        guard let reference = AnswerNormalizer.number(item.answer) else {
            return Verdict(correct: false, detail: "the reference '\(item.answer.prefix(40))' is not a number")
        }
        guard let value = AnswerNormalizer.number(answer) else {
            return Verdict(correct: false, detail: "not a number")
        }
        let ok = abs(value - reference) <= tolerance * max(1, abs(reference))
        return Verdict(correct: ok, detail: ok ? "within tolerance" : "off by \(value - reference)")
    }

    public func votingKey(_ answer: String) -> String {
        guard let value = AnswerNormalizer.number(answer) else { return AnswerNormalizer.basic(answer) }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return String(value)
    }
}

extension NumericVerifier: VerifierMaker {
    public static func make(_ kind: NumericKind, spec: VerifierSpec, suiteSeed: UInt64, resources: VerifierResources) -> Self {
        NumericVerifier(tolerance: kind.tolerance)
    }
}
