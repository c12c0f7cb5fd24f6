/// LaTeX-aware equivalence of final answers (see `MathEquivalence`).
public struct MathVerifier: Verifier {
    public init() {}

    public func verify(_ candidate: Candidate, item: TaskItem) async throws -> Verdict {
        guard let answer = candidate.answer else { return Verdict(correct: false, detail: "no answer extracted") }
        let check = MathEquivalence.check(answer, item.answer)
        return Verdict(correct: check.equivalent, detail: check.reason)
    }

    public func votingKey(_ answer: String) -> String { MathEquivalence.normalize(answer) }
}
