import MathAnswers
import TTSCore
import TTSSuite
import Synchronization
import TTSSeams

/// LaTeX-aware math equivalence (`MathEquivalence`) as a verifier.
public struct MathVerifier: Verifier {
    /// Numbers compared rounded to this many decimals; nil: exact.
    public var precision: Int?

    public init(precision: Int? = nil) { self.precision = precision }

    public func verify(_ candidate: Candidate, item: TaskItem) async throws -> Verdict {
        guard let answer = candidate.answer else { return Verdict(correct: false, detail: "no answer extracted") }
        let precision = self.precision
        let check = Self.checks.value(for: answer + "\u{0}" + item.answer + "\u{0}" + (precision.map(String.init) ?? "")) {
            let c = MathEquivalence.check(answer, item.answer, precision: precision)
            return Verdict(correct: c.equivalent, detail: c.reason)
        }
        return check
    }

    public func votingKey(_ answer: String) -> String {
        Self.keys.value(for: answer) { MathEquivalence.normalize(answer) }
    }

    // Parsing LaTeX is the costliest step of a simulated run, and the same few answers per item
    // recur across samples, seeds and strategies: both results are pure, so they are memoised.
    private static let keys = Memo<String>()
    private static let checks = Memo<Verdict>()
}

/// A bounded, thread-safe memo for pure string functions.
final class Memo<Value: Sendable>: Sendable {
    private let table = Mutex<[String: Value]>([:])
    private let capacity: Int

    init(capacity: Int = 200_000) { self.capacity = capacity }

    /// Keys longer than this are computed every time (a hostile answer must not pin memory).
    static var maxKeyLength: Int { 512 }

    func value(for key: String, _ compute: () -> Value) -> Value {
        guard key.utf8.count <= Self.maxKeyLength else { return compute() }
        if let hit = table.withLock({ $0[key] }) { return hit }
        let value = compute()
        table.withLock { t in
            if t.count >= capacity { t.removeAll(keepingCapacity: true) }
            t[key] = value
        }
        return value
    }
}

extension MathVerifier: VerifierMaker {
    public static func make(_ kind: MathKind, spec: VerifierSpec, suiteSeed: UInt64, resources: VerifierResources) -> Self {
        MathVerifier(precision: kind.precision)
    }
}
