import TTSCore
import TTSSeams
import TTSSuite
import Foundation


/// A request to the reward endpoint failed for good, or its reply had no score.
public struct RewardEndpointError: Error, CustomStringConvertible, Sendable {
    public var verifier: String
    public var message: String
    public var description: String { "reward verifier '\(verifier)': \(message)" }
}

/// `kind: reward`: scores a candidate by asking a reward-model endpoint (see
/// `RewardEndpointParameters` for the request shapes). It gives a reward, never a verdict of
/// correctness, so it serves as the scorer of `best_of_n` and `weighted_majority`.
///
/// Requests go through the scoring endpoint handed in (over HTTP: the process-wide client, a
/// concurrency limit of `max_concurrency` that backs off on 429, and bounded retries with jittered
/// exponential backoff on 5xx, timeouts, connection errors and invalid JSON. A reply without a
/// number where the score should be is an error quoting the reply's first bytes; it is not
/// retried, since the same request would get the same reply. Each request is made once through
/// the `ScoreRecorder` handed in (`EndpointScorer`): in a run it is a recorded call, read back on
/// resume and counted in the item's verifier calls, tokens and cost; outside one, memoised by the
/// request's bytes for the process.
public final class RewardEndpointVerifier: Verifier, Sendable {
    public let name: String
    public let parameters: RewardEndpointParameters
    let scoreSteps: [JSONPathStep]
    private let keyProblem: String?
    let scorer: EndpointScorer

    /// `endpoints` connects to the reward endpoint (`HTTPScoringEndpoints` over HTTP); `scores`
    /// records its calls (the run's record; a memo in the process by default).
    public init(name: String, parameters: RewardEndpointParameters, endpoints: any ScoringEndpointMaker,
                scores: any ScoreRecorder = InProcessScores(), environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.name = name
        self.parameters = parameters
        if parameters.api == .json, case .success(let steps) = JSONPathStep.parse(parameters.score) {
            scoreSteps = steps
        } else {
            scoreSteps = []
        }
        let (apiKey, keyProblem) = Self.apiKey(parameters.apiKeyEnv, in: environment)
        self.keyProblem = keyProblem
        scorer = EndpointScorer(verifier: name, identity: parameters.description, parameters: parameters, apiKey: apiKey,
                                endpoints: endpoints, recorder: scores)
    }

    /// HTTP attempts sent so far (retries included; recorded or memoised scores send nothing).
    public var requestsSent: Int { scorer.requestsSent }

    // MARK: requests

    /// `{question}`, `{response}`, `{answer}` and `{reference}` replaced in one pass (text inside
    /// the values is never expanded); other braces are left alone.
    static func render(_ template: String, _ values: [String: String]) -> String {
        fillTemplate(template, values)
    }

    static func render(_ template: JSONValue, _ values: [String: String]) -> JSONValue {
        switch template {
        case .string(let s): .string(render(s, values))
        case .array(let a): .array(a.map { render($0, values) })
        case .object(let o): .object(o.mapValues { render($0, values) })
        default: template
        }
    }

    /// The request body for one candidate.
    public func requestBody(_ candidate: Candidate, item: TaskItem) -> JSONValue {
        let values = ["question": item.question, "response": candidate.text, "answer": candidate.answer ?? "(none)",
                      "reference": item.answer]
        let p = parameters
        switch p.api {
        case .json:
            return Self.render(p.body ?? .object([:]), values)
        case .classify, .pooling:
            var b = p.extraBody
            b["model"] = .string(p.model ?? "")
            if p.chat {
                b["messages"] = .array([
                    .object(["role": .string("user"), "content": .string(item.question)]),
                    .object(["role": .string("assistant"), "content": .string(candidate.text)]),
                ])
            } else {
                b["input"] = .string(Self.render(p.input, values))
            }
            return .object(b)
        }
    }

    public func verify(_ candidate: Candidate, item: TaskItem) async throws -> Verdict {
        if let keyProblem { throw RewardEndpointError(verifier: name, message: keyProblem) }
        let name = self.name
        let scores = try await scorer.scores(requestBody(candidate, item: item).canonicalBytes, item: item,
                                             parse: { self.parse($0).map { [$0] } },
                                             failure: { RewardEndpointError(verifier: name, message: $0) })
        guard scores.count == 1 else {
            throw RewardEndpointError(verifier: name, message: "the recorded reply holds \(scores.count) scores, not 1")
        }
        return Verdict(correct: nil, reward: scores[0], detail: "reward \(name): \(Self.format(scores[0]))")
    }

    static func format(_ x: Double) -> String { Verdict.rewardText(x) }

    /// The headers of every request (the key as a bearer token).
    var headers: [(String, String)] { scorer.headers }

    /// The score in a 2xx reply, or why there is none (quoting the reply's first bytes).
    func parse(_ body: [UInt8]) -> Result<Double, ReplyFailure> {
        func fail(_ what: String, retryable: Bool = false) -> Result<Double, ReplyFailure> {
            .failure(ReplyFailure(message: "malformed response (\(what)): \(ReplyFailure.excerpt(body))", retryable: retryable))
        }
        guard let json = JSONValue.parse(body) else { return fail("invalid JSON", retryable: true) }
        let value: JSONValue
        switch parameters.api {
        case .json:
            switch JSONPathStep.follow(scoreSteps, in: json) {
            case .success(let v): value = v
            case .failure(let why): return fail("no score at '\(parameters.score)': \(why.message)")
            }
        case .classify, .pooling:
            guard json.objectValue != nil else { return fail("not a JSON object") }
            if let error = json["error"], error != .null { return fail("an error object") }
            guard let data = json["data"]?.arrayValue else { return fail("no 'data' list") }
            guard let first = data.first(where: { $0["index"]?.intValue == 0 }) ?? data.first else { return fail("empty 'data'") }
            var row: [JSONValue]
            if parameters.api == .classify {
                guard let probs = first["probs"]?.arrayValue else { return fail("no 'data[0].probs' list") }
                row = probs
            } else {
                guard let inner = first["data"] else { return fail("no 'data[0].data'") }
                if inner.stringValue != nil { return fail("'data[0].data' is a string (base64?); ask for float output") }
                guard let list = inner.arrayValue else { return fail("'data[0].data' is not a list") }
                row = list
                // One row per token (a reward model's ALL pooling): the last token's row.
                if let last = list.last, let lastRow = last.arrayValue { row = lastRow }
            }
            guard !row.isEmpty else { return fail("an empty score list") }
            let i = parameters.classIndex ?? -1
            let j = i < 0 ? row.count + i : i
            guard j >= 0, j < row.count else { return fail("class_index \(i) is out of range of \(row.count) scores") }
            value = row[j]
        }
        guard case .some(let score) = Self.number(value) else {
            return fail("the score is \(Self.kindName(value)), not a number")
        }
        return .success(score)
    }

    static func number(_ v: JSONValue) -> Double? {
        switch v {
        case .int(let i): Double(i)
        case .double(let d) where d.isFinite: d
        default: nil
        }
    }

    static func kindName(_ v: JSONValue) -> String {
        switch v {
        case .null: "null"
        case .bool: "a boolean"
        case .string(let s): "a string (\"\(s.prefix(40))\")"
        case .array: "a list"
        case .object: "an object"
        case .int, .double: "a non-finite number"
        }
    }
}

extension RewardEndpointVerifier: VerifierMaker {
    public static func make(_ kind: RewardKind, spec: VerifierSpec, suiteSeed: UInt64, resources: VerifierResources) -> RewardEndpointVerifier {
        RewardEndpointVerifier(name: spec.name, parameters: kind.parameters, endpoints: resources.endpoints, scores: resources.scores)
    }
}

extension Verifier {
    /// The API key named by `api_key_env`, or why there is none: a verifier reports a missing key
    /// when it is first asked to score (a suite may load with verifiers it never calls).
    static func apiKey(_ variable: String?, in environment: [String: String]) -> (key: String?, problem: String?) {
        guard let variable else { return (nil, nil) }
        guard let key = environment[variable], !key.isEmpty else {
            return (nil, "the environment variable \(variable) named by 'api_key_env' is not set")
        }
        return (key, nil)
    }
}
