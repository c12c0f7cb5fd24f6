import TTSCore
import TTSSuite
import TTSSeams
/// An oracle reward: 1 when the inner verifier (exact, numeric or math) finds the candidate
/// correct against the reference answer, else 0. As a best-of-N scorer it gives pass@N, the
/// upper bound of any verifier; label results that use it as oracle-scored.
public struct OracleRewardVerifier: Verifier {
    public let inner: any Verifier

    public init(inner: any Verifier) { self.inner = inner }

    static func inner(_ using: String) -> any Verifier {
        switch using {
        case "math": MathVerifier()
        case "exact": ExactVerifier(caseSensitive: false)
        default: NumericVerifier(tolerance: 1e-6)
        }
    }

    public func verify(_ candidate: Candidate, item: TaskItem) async throws -> Verdict {
        let verdict = try await inner.verify(candidate, item: item)
        let correct = verdict.correct ?? false
        return Verdict(correct: nil, reward: correct ? 1 : 0, detail: "oracle: \(verdict.detail)")
    }

    public func votingKey(_ answer: String) -> String { inner.votingKey(answer) }
}

extension OracleRewardVerifier: VerifierMaker {
    public static func make(_ kind: OracleKind, spec: VerifierSpec, suiteSeed: UInt64, resources: VerifierResources) -> Self {
        OracleRewardVerifier(inner: OracleRewardVerifier.inner(kind.using))
    }
}
