import Foundation
import Synchronization
import TTSCore
import TTSSeams
import TTSSuite

/// The calls of a scoring verifier (`kind: reward`, `kind: prm`) to its endpoint: each request
/// goes through the `ScoreRecorder` handed in (in a run: recorded, resumed, counted and priced
/// as the item's verifier compute), and, when it is not recorded yet, is posted with the
/// endpoint's retries. The reply is kept as a `Completion` whose text is the scores, one per
/// line in Swift's shortest round-trip form (`0.8125`), whose prompt tokens are the endpoint's
/// `usage.prompt_tokens` (0 when the reply has none), with the attempts, the latency and, when
/// priced, the cost.
///
/// ```swift
/// let scores = try await scorer.scores(bytes, item: item, parse: parse) { RewardEndpointError(verifier: name, message: $0) }
/// ```
final class EndpointScorer: Sendable {
    let verifier: String
    /// The endpoint's canonical description: its calls are recorded under it.
    let identity: String
    let url: String
    let endpoint: any ScoringEndpoint
    let headers: [(String, String)]
    let apiKey: String?
    let price: (input: Double, output: Double)?
    let recorder: any ScoreRecorder
    private let sent = Mutex(0)

    init(verifier: String, identity: String, parameters: RewardEndpointParameters, apiKey: String?,
         endpoints: any ScoringEndpointMaker, recorder: any ScoreRecorder) {
        self.verifier = verifier
        self.identity = identity
        url = parameters.url
        endpoint = endpoints.endpoint(url: parameters.url, maxConcurrency: parameters.maxConcurrency, maxRetries: parameters.maxRetries,
                                      retryBaseDelay: parameters.retryBaseDelay, timeout: parameters.timeout)
        var h: [(String, String)] = parameters.extraHeaders.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if let apiKey { h.append(("Authorization", "Bearer \(apiKey)")) }
        headers = h
        self.apiKey = apiKey
        price = parameters.price
        self.recorder = recorder
    }

    /// HTTP attempts sent so far (retries included; recorded scores send nothing).
    var requestsSent: Int { sent.withLock { $0 } }

    /// The scores of the request `body` about `item`: recorded, else posted until `parse` reads
    /// them. `failure` makes the verifier's error from a message.
    func scores(_ body: [UInt8], item: TaskItem, parse: @escaping @Sendable ([UInt8]) -> Result<[Double], ReplyFailure>,
                failure: @escaping @Sendable (String) -> any Error) async throws -> [Double] {
        let call = ScoringCall(endpoint: identity, verifier: verifier, body: body, price: price)
        let reply = try await recorder.reply(to: call, item: item) { try await self.post(body, parse: parse, failure: failure) }
        guard let scores = Self.scores(in: reply.text) else {
            throw failure("the recorded reply \(ReplyFailure.excerpt(Array(reply.text.utf8))) is not a list of scores")
        }
        return scores
    }

    /// One request, with bounded retries, as a `Completion` (see the type's comment).
    func post(_ body: [UInt8], parse: @escaping @Sendable ([UInt8]) -> Result<[Double], ReplyFailure>,
              failure: (String) -> any Error) async throws -> Completion {
        let read = { (reply: [UInt8]) in parse(reply).map { (scores: $0, promptTokens: Self.promptTokens(in: reply)) } }
        switch try await endpoint.post(body, headers: headers, secret: apiKey, onAttempt: { self.sent.withLock { $0 += 1 } }, parse: read) {
        case .success(let reply):
            var completion = Completion(text: Self.text(reply.value.scores), finishReason: "stop", promptTokens: reply.value.promptTokens,
                                        completionTokens: 0, latencyMs: reply.latencyMs)
            completion.attempts = reply.attempts
            completion.retryLog = reply.retryLog
            completion.cost = price.map { Double(completion.promptTokens) * $0.input / 1e6 }
            return completion
        case .failure(let why):
            let text = "POST \(url) \(why.summary)"
            // A server may quote the key back (an error naming the rejected key): it never reaches a message.
            throw failure(apiKey.map { $0.utf8.count >= 4 ? text.replacingOccurrences(of: $0, with: "[REDACTED]") : text } ?? text)
        }
    }

    /// Scores as a reply's text: one per line, each in Swift's shortest form that reads back equal.
    static func text(_ scores: [Double]) -> String {
        scores.map { "\($0)" }.joined(separator: "\n")
    }

    /// The scores of a reply's text, nil when a line is not a finite number.
    static func scores(in text: String) -> [Double]? {
        guard !text.isEmpty else { return [] }
        var out: [Double] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard let x = Double(line), x.isFinite else { return nil }
            out.append(x)
        }
        return out
    }

    /// `usage.prompt_tokens` of a reply (vLLM's pooling, classify and score APIs report it), 0 when absent.
    static func promptTokens(in reply: [UInt8]) -> Int {
        guard let n = JSONValue.parse(reply)?["usage"]?["prompt_tokens"]?.intValue, n >= 0 else { return 0 }
        return n
    }
}
