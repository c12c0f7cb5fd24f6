import TTSCore
import TTSSuite
import TTSSeams
/// Correct when the extracted answer equals the reference after light normalisation.
public struct ExactVerifier: Verifier {
    public var caseSensitive: Bool
    public init(caseSensitive: Bool) { self.caseSensitive = caseSensitive }

    public func verify(_ candidate: Candidate, item: TaskItem) async throws -> Verdict {
        guard let answer = candidate.answer else { return Verdict(correct: false, detail: "no answer extracted") }
        let equal = votingKey(answer) == votingKey(item.answer)
        return Verdict(correct: equal, detail: equal ? "equal" : "differs")
    }

    public func votingKey(_ answer: String) -> String { AnswerNormalizer.basic(answer, lowercase: !caseSensitive) }
}

extension ExactVerifier: VerifierMaker {
    public static func make(_ kind: ExactKind, spec: VerifierSpec, suiteSeed: UInt64, resources: VerifierResources) -> Self {
        ExactVerifier(caseSensitive: kind.caseSensitive)
    }
}
