/// One scoring endpoint (a reward model, a process reward model) as a verifier sees it: a JSON
/// body posted with bounded retries, through the endpoint's concurrency limit. The verifiers get
/// it from the `ScoringEndpointMaker` handed in at construction; the runtime hands in the HTTP one
/// (`HTTPScoringEndpoints`), so a verifier never sees the HTTP client.
///
/// ```swift
/// let endpoint = endpoints.endpoint(url: url, maxConcurrency: 8, maxRetries: 3, retryBaseDelay: 0.5, timeout: 60)
/// switch try await endpoint.post(body, headers: [], secret: nil, onAttempt: {}, parse: readScore) {
/// case .success(let reply): use(reply.value, reply.attempts, reply.latencyMs)
/// case .failure(let failure): throw MyError(failure.summary)
/// }
/// ```
public protocol ScoringEndpoint: Sendable {
    /// Posts `body` until `parse` accepts a 2xx reply (its value, with the attempts made and the
    /// accepted attempt's latency); `.failure` when retries are exhausted or the failure is final.
    /// `onAttempt` is called once per HTTP attempt; a `secret` quoted back by the server is
    /// replaced before the reply is parsed or quoted. Throws only on cancellation.
    func post<T>(_ body: [UInt8], headers: [(String, String)], secret: String?, onAttempt: @escaping @Sendable () -> Void,
                 parse: ([UInt8]) -> Result<T, ReplyFailure>) async throws -> Result<ScoringReply<T>, ScoringFailure>
}

/// A scoring request's accepted reply: what `parse` read from it, the HTTP attempts it took (1
/// when the first succeeded), the accepted attempt's latency, and the failed attempts' log.
public struct ScoringReply<T> {
    public var value: T
    public var attempts: Int
    public var latencyMs: Double
    /// One line per failed attempt, nil when none failed.
    public var retryLog: String?
    public init(value: T, attempts: Int = 1, latencyMs: Double = 0, retryLog: String? = nil) {
        self.value = value
        self.attempts = attempts
        self.latencyMs = latencyMs
        self.retryLog = retryLog
    }
}

extension ScoringReply: Sendable where T: Sendable {}

/// Makes the scoring endpoint of a verifier from its settings.
public protocol ScoringEndpointMaker: Sendable {
    func endpoint(url: String, maxConcurrency: Int, maxRetries: Int, retryBaseDelay: Double, timeout: Double) -> any ScoringEndpoint
}

/// Why a 2xx reply gives no result, and whether asking again may help.
public struct ReplyFailure: Error, Sendable {
    public var message: String
    public var retryable: Bool
    public init(message: String, retryable: Bool) { (self.message, self.retryable) = (message, retryable) }

    /// The first bytes of a body, printable, for error messages.
    public static func excerpt(_ body: [UInt8], limit: Int = 200) -> String {
        let head = String(decoding: body.prefix(limit), as: UTF8.self)
        let escaped = head.unicodeScalars.map { $0.value < 0x20 ? ($0 == "\n" ? "\\n" : "\\u{\(String($0.value, radix: 16))}") : String($0) }.joined()
        if body.isEmpty { return "(empty body)" }
        return "\"" + escaped + (body.count > limit ? "…" : "") + "\" (\(body.count) bytes)"
    }
}

/// A scoring request failed for good: "failed after N attempts[ (not retryable)]: message", with
/// the retry log when it was retried.
public struct ScoringFailure: Error, Sendable {
    public var summary: String
    public init(summary: String) { self.summary = summary }
}
