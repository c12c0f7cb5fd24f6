import TTSCore
import TTSSuite
/// A candidate answer to one item: the full completion and the answer extracted from it.
public struct Candidate: Sendable, Hashable {
    public var text: String
    public var answer: String?
    public init(text: String, answer: String?) {
        self.text = text
        self.answer = answer
    }
}

/// A verifier's judgement of one candidate.
public struct Verdict: Sendable, Hashable {
    /// Nil when this verifier gives only a reward.
    public var correct: Bool?
    public var reward: Double?
    /// Why: "no answer extracted", "equal after normalisation", ...
    public var detail: String

    public init(correct: Bool?, reward: Double? = nil, detail: String = "") {
        self.correct = correct
        self.reward = reward
        self.detail = detail
    }
}

/// Scores one candidate for one item.
public protocol Verifier: Sendable {
    func verify(_ candidate: Candidate, item: TaskItem) async throws -> Verdict
    /// The key under which votes for an answer are pooled: two answers with the same key are
    /// the same answer for majority voting.
    func votingKey(_ answer: String) -> String
}

extension Verifier {
    public func votingKey(_ answer: String) -> String { AnswerNormalizer.basic(answer) }
}

/// A runtime verifier made from its kind's spec. Each verifier type conforms once (in its own
/// file) and is listed once in `VerifierFactory.makers`.
public protocol VerifierMaker: Verifier {
    associatedtype Kind: VerifierKind
    /// The verifier for `kind`; `clients` are the suite's model clients by name (a judge calls one).
    static func make(_ kind: Kind, spec: VerifierSpec, suiteSeed: UInt64, clients: [String: any ModelClient]) -> Self
}

extension VerifierMaker {
    static var kindName: String { Kind.name }
    static func instance(for spec: VerifierSpec, suiteSeed: UInt64, clients: [String: any ModelClient]) -> (any Verifier)? {
        (spec.kind as? Kind).map { make($0, spec: spec, suiteSeed: suiteSeed, clients: clients) }
    }
}

public enum VerifierFactory {
    /// The registry: the verifier of each verifier kind, one line per kind.
    static let makers: [any VerifierMaker.Type] = [
        ExactVerifier.self,
        NumericVerifier.self,
        MathVerifier.self,
        CodeVerifier.self,
        JudgeVerifier.self,
        RewardEndpointVerifier.self,
        OracleRewardVerifier.self,
        SimulatedRewardVerifier.self,
        ProcessRewardEndpointVerifier.self,
        SimulatedPRMVerifier.self,
    ]

    static let byKind: [String: any VerifierMaker.Type] = Dictionary(uniqueKeysWithValues: makers.map { ($0.kindName, $0) })

    /// `clients` are the suite's model clients by name (a judge calls one).
    public static func make(_ spec: VerifierSpec, suiteSeed: UInt64, clients: [String: any ModelClient] = [:]) -> any Verifier {
        let name = type(of: spec.kind).name
        guard let maker = byKind[name] else { preconditionFailure("no verifier is registered for kind '\(name)' (VerifierFactory.makers)") }
        return maker.instance(for: spec, suiteSeed: suiteSeed, clients: clients)!
    }
}

/// Light normalisation shared by the simple verifiers: trims spaces and `$`, a trailing period,
/// and collapses inner whitespace.
public enum AnswerNormalizer {
    public static func basic(_ answer: String, lowercase: Bool = true) -> String {
        var s = answer.trimmingSpaces
        // "$Paris$." and "Paris." alike: strip '$', spaces and trailing periods until stable.
        while true {
            let before = s
            while s.hasPrefix("$") { s.removeFirst() }
            while s.hasSuffix("$") || s.hasSuffix(".") { s.removeLast() }
            s = s.trimmingSpaces
            if s == before { break }
        }
        var out = ""
        var lastSpace = false
        for ch in s {
            if ch.isWhitespace {
                if !lastSpace && !out.isEmpty { out.append(" ") }
                lastSpace = true
            } else {
                out.append(ch)
                lastSpace = false
            }
        }
        if out.hasSuffix(" ") { out.removeLast() }
        return lowercase ? out.lowercased() : out
    }

    /// A number written plainly: thousands separators, `$`, `%` and `\!` removed. Nil if not a number.
    public static func number(_ answer: String) -> Double? {
        var s = basic(answer)
        for junk in ["\\!", "\\,", ",", "\\$", "$", "\\%", "%", " "] { s = s.replacingOccurrences(of: junk, with: "") }
        guard !s.isEmpty, s.allSatisfy({ $0.isNumber || "+-.eE".contains($0) }) else { return nil }
        return Double(s).flatMap { $0.isFinite ? $0 : nil }
    }
}

import Foundation
