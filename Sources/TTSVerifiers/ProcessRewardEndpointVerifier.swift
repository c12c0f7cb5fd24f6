import TTSCore
import TTSSeams
import TTSSuite
import Foundation

/// `kind: prm`: a process reward model served by vLLM's pooling API (e.g. Qwen2.5-Math-PRM-7B
/// served with `vllm serve Qwen/Qwen2.5-Math-PRM-7B --task reward`): one score per step.
///
/// The request (`PRMEndpointParameters`), for the steps s1, s2 of a question Q and the default
/// step tag:
/// ```json
/// {"model": "Qwen/Qwen2.5-Math-PRM-7B",
///  "messages": [{"role": "system", "content": "..."}, {"role": "user", "content": "Q"},
///               {"role": "assistant", "content": "s1<extra_0>s2<extra_0>"}]}
/// ```
/// and the reply `{"data": [{"index": 0, "data": [[0.1, 0.9], [0.7, 0.3]]}]}`: one row per step
/// tag, the step's score its column `class_index` (the last, the probability that the step is
/// good, by default). Requests go through the process-wide HTTP client with the same retries
/// and concurrency limit as `kind: reward`, and each request (one per scored partial solution)
/// is made once through the `ScoreRecorder` handed in (`EndpointScorer`): in a run a recorded
/// call, so a search that scores a prefix again, or a resumed run, asks the server once per
/// distinct prefix, and every scoring counts in the item's verifier calls, tokens and cost.
public final class ProcessRewardEndpointVerifier: ProcessRewardModel, Sendable {
    public let name: String
    public let parameters: PRMEndpointParameters
    private let keyProblem: String?
    let scorer: EndpointScorer

    /// `endpoints` connects to the PRM endpoint (`HTTPScoringEndpoints` over HTTP); `scores`
    /// records its calls (the run's record; a memo in the process by default).
    public init(name: String, parameters: PRMEndpointParameters, endpoints: any ScoringEndpointMaker,
                scores: any ScoreRecorder = InProcessScores(), environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.name = name
        self.parameters = parameters
        let (apiKey, keyProblem) = Self.apiKey(parameters.endpoint.apiKeyEnv, in: environment)
        self.keyProblem = keyProblem
        scorer = EndpointScorer(verifier: name, identity: parameters.description, parameters: parameters.endpoint, apiKey: apiKey,
                                endpoints: endpoints, recorder: scores)
    }

    /// HTTP attempts sent so far (retries included; recorded or memoised scores send nothing).
    public var requestsSent: Int { scorer.requestsSent }

    /// The steps as the PRM reads them: each followed by the step tag.
    public func tagged(_ steps: [String]) -> String {
        steps.map { $0 + parameters.stepTag }.joined()
    }

    /// The pooling request for the steps of a solution to `item`.
    public func requestBody(_ steps: [String], item: TaskItem) -> JSONValue {
        let e = parameters.endpoint
        var b = e.extraBody
        b["model"] = .string(e.model ?? "")
        let response = tagged(steps)
        if e.chat {
            var messages: [JSONValue] = []
            if let system = parameters.system { messages.append(.object(["role": .string("system"), "content": .string(system)])) }
            messages.append(.object(["role": .string("user"), "content": .string(item.question)]))
            messages.append(.object(["role": .string("assistant"), "content": .string(response)]))
            b["messages"] = .array(messages)
        } else {
            b["input"] = .string(fillTemplate(e.input, ["question": item.question, "response": response, "answer": "(none)",
                                                          "reference": item.answer]))
        }
        return .object(b)
    }

    public func stepScores(_ steps: [String], item: TaskItem) async throws -> [Double] {
        if let keyProblem { throw ProcessRewardError(verifier: name, message: keyProblem) }
        guard !steps.isEmpty else { return [] }
        let name = self.name, count = steps.count
        let scores = try await scorer.scores(requestBody(steps, item: item).canonicalBytes, item: item,
                                             parse: { self.parse($0, steps: count) },
                                             failure: { ProcessRewardError(verifier: name, message: $0) })
        guard scores.count == count else {
            throw ProcessRewardError(verifier: name, message: "the recorded reply holds \(scores.count) scores for \(count) steps")
        }
        return scores
    }

    /// A whole completion: its steps (cut at `split`) scored and aggregated.
    public func verify(_ candidate: Candidate, item: TaskItem) async throws -> Verdict {
        let steps = Self.steps(of: candidate.text, separator: parameters.split)
        let scores = try await stepScores(steps.isEmpty ? [candidate.text] : steps, item: item)
        let reward = parameters.aggregation.aggregate(scores)
        return Verdict(correct: nil, reward: reward,
                       detail: "prm \(name): \(parameters.aggregation.rawValue) of \(scores.count) steps \(RewardEndpointVerifier.format(reward))")
    }

    /// The step scores in a 2xx pooling reply, or why there are none (quoting the reply's first bytes).
    func parse(_ body: [UInt8], steps: Int) -> Result<[Double], ReplyFailure> {
        func fail(_ what: String, retryable: Bool = false) -> Result<[Double], ReplyFailure> {
            .failure(.init(message: "malformed response (\(what)): \(ReplyFailure.excerpt(body))", retryable: retryable))
        }
        guard let json = JSONValue.parse(body) else { return fail("invalid JSON", retryable: true) }
        guard json.objectValue != nil else { return fail("not a JSON object") }
        if let error = json["error"], error != .null { return fail("an error object") }
        guard let data = json["data"]?.arrayValue else { return fail("no 'data' list") }
        guard let first = data.first(where: { $0["index"]?.intValue == 0 }) ?? data.first else { return fail("empty 'data'") }
        guard let inner = first["data"] else { return fail("no 'data[0].data'") }
        if inner.stringValue != nil { return fail("'data[0].data' is a string (base64?); ask for float output") }
        guard let rows = inner.arrayValue else { return fail("'data[0].data' is not a list") }
        var scores: [Double] = []
        for (k, row) in rows.enumerated() {
            let value: JSONValue
            if let columns = row.arrayValue {
                guard !columns.isEmpty else { return fail("row \(k) is empty") }
                let i = parameters.endpoint.classIndex ?? -1
                let j = i < 0 ? columns.count + i : i
                guard j >= 0, j < columns.count else { return fail("class_index \(i) is out of range of row \(k) (\(columns.count) scores)") }
                value = columns[j]
            } else {
                value = row
            }
            guard let score = RewardEndpointVerifier.number(value) else {
                return fail("score \(k) is \(RewardEndpointVerifier.kindName(value)), not a number")
            }
            scores.append(score)
        }
        guard scores.count == steps else {
            return fail("\(scores.count) scores for \(steps) steps; is step_tag '\(parameters.stepTag)' the model's step token?")
        }
        return .success(scores)
    }
}

extension ProcessRewardEndpointVerifier: VerifierMaker {
    public static func make(_ kind: PRMKind, spec: VerifierSpec, suiteSeed: UInt64, resources: VerifierResources) -> ProcessRewardEndpointVerifier {
        ProcessRewardEndpointVerifier(name: spec.name, parameters: kind.parameters, endpoints: resources.endpoints, scores: resources.scores)
    }
}
