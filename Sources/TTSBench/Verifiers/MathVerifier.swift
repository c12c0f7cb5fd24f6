/// LaTeX-aware equivalence of final answers (see `MathEquivalence`).
public struct MathVerifier: Verifier {
    public init() {}

    public func verify(_ candidate: Candidate, item: TaskItem) async throws -> Verdict {
        guard let answer = candidate.answer else { return Verdict(correct: false, detail: "no answer extracted") }
        let equal = MathEquivalenceBridge.equivalent(answer, item.answer)
        return Verdict(correct: equal, detail: equal ? "equivalent" : "not equivalent")
    }

    public func votingKey(_ answer: String) -> String { MathEquivalenceBridge.normalize(answer) }
}

/// Until the full LaTeX-aware equivalence lands, plain normalisation and numeric comparison.
enum MathEquivalenceBridge {
    static func equivalent(_ a: String, _ b: String) -> Bool {
        if normalize(a) == normalize(b) { return true }
        if let x = AnswerNormalizer.number(a), let y = AnswerNormalizer.number(b) { return abs(x - y) <= 1e-9 * max(1, abs(y)) }
        return false
    }
    static func normalize(_ s: String) -> String {
        var t = AnswerNormalizer.basic(s)
        for (from, to) in [("\\dfrac", "\\frac"), ("\\tfrac", "\\frac"), ("\\left", ""), ("\\right", ""), (" ", "")] {
            t = t.replacingOccurrences(of: from, with: to)
        }
        if let v = AnswerNormalizer.number(t), v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
        return t
    }
}

import Foundation
