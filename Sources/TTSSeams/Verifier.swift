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

    /// A reward as verdicts and search details show it: four decimals ("0.8125").
    public static func rewardText(_ reward: Double) -> String { String(format: "%.4f", reward) }
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

/// What the verifiers that call out are handed at construction: the suite's model clients by
/// name (a judge calls one), the simulated judges among them (a simulated model plays a judge of
/// known quality without a prompt), the connection to scoring endpoints (reward models, PRMs),
/// and where their scores are recorded (`ScoreRecorder`: the run's record, or a memo in the
/// process). The runtime fills it; the verifiers never see the model clients' types, HTTP or the store.
public struct VerifierResources: Sendable {
    public var clients: [String: any ModelClient]
    public var simulatedJudges: [String: any SimulatedJudging]
    public var endpoints: any ScoringEndpointMaker
    public var scores: any ScoreRecorder

    public init(clients: [String: any ModelClient] = [:], simulatedJudges: [String: any SimulatedJudging] = [:],
                endpoints: any ScoringEndpointMaker = NoScoringEndpoints(), scores: any ScoreRecorder = InProcessScores()) {
        self.clients = clients
        self.simulatedJudges = simulatedJudges
        self.endpoints = endpoints
        self.scores = scores
    }
}

/// No scoring endpoint can be reached: every post fails (a verifier built without the runtime's
/// connection, e.g. to check a suite's verifiers offline).
public struct NoScoringEndpoints: ScoringEndpointMaker, ScoringEndpoint {
    public init() {}
    public func endpoint(url: String, maxConcurrency: Int, maxRetries: Int, retryBaseDelay: Double, timeout: Double) -> any ScoringEndpoint { self }
    public func post<T>(_ body: [UInt8], headers: [(String, String)], secret: String?, onAttempt: @escaping @Sendable () -> Void,
                        parse: ([UInt8]) -> Result<T, ReplyFailure>) async throws -> Result<ScoringReply<T>, ScoringFailure> {
        .failure(ScoringFailure(summary: "no scoring endpoint was connected"))
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
