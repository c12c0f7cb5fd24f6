import TTSSeams

/// The scoring endpoints of the reward and PRM verifiers over HTTP: the process-wide client
/// (`SharedHTTPClient`, unless a transport is given), an adaptive concurrency limit that backs
/// off on 429, the one URL as a replica pool of one, and bounded retries (`RetryPolicy`), through
/// the retry loop the model clients use (`RetryingPost`).
///
/// ```swift
/// let verifier = RewardEndpointVerifier(name: "rm", parameters: p, endpoints: HTTPScoringEndpoints())
/// ```
public struct HTTPScoringEndpoints: ScoringEndpointMaker {
    let transport: (any HTTPTransport)?

    /// `transport` replaces the shared HTTP client (tests).
    public init(transport: (any HTTPTransport)? = nil) {
        self.transport = transport
    }

    public func endpoint(url: String, maxConcurrency: Int, maxRetries: Int, retryBaseDelay: Double, timeout: Double) -> any ScoringEndpoint {
        let chosen: any HTTPTransport
        if let transport {
            chosen = transport
        } else {
            SharedHTTPClient.shared.register(concurrency: maxConcurrency)
            chosen = SharedHTTPClient.shared
        }
        let limiter = AdaptiveLimiter(maximum: maxConcurrency), pool = EndpointPool(urls: [url])
        let retry = RetryPolicy(maxRetries: maxRetries, baseDelay: retryBaseDelay)
        return HTTPScoringEndpoint { headers, secret, onAttempt in
            RetryingPost(transport: chosen, limiter: limiter, endpoints: pool, retry: retry, timeout: timeout,
                         headers: headers, secret: secret, onAttempt: onAttempt)
        }
    }
}

/// One scoring URL over HTTP (see `HTTPScoringEndpoints`).
struct HTTPScoringEndpoint: ScoringEndpoint {
    /// The retry loop through the endpoint's transport, limit, pool and policy, for one request.
    let retrying: @Sendable (_ headers: [(String, String)], _ secret: String?, _ onAttempt: @escaping @Sendable () -> Void) -> RetryingPost

    func post<T>(_ body: [UInt8], headers: [(String, String)], secret: String?, onAttempt: @escaping @Sendable () -> Void,
                 parse: ([UInt8]) -> Result<T, ReplyFailure>) async throws -> Result<ScoringReply<T>, ScoringFailure> {
        let read = { (reply: [UInt8], latencyMs: Double) in parse(reply).map { (value: $0, latencyMs: latencyMs) } }
        switch try await retrying(headers, secret, onAttempt).run(path: "", body: body, parse: read) {
        case .success(let (reply, attempts, log)):
            return .success(ScoringReply(value: reply.value, attempts: attempts, latencyMs: reply.latencyMs,
                                         retryLog: log.isEmpty ? nil : log.joined(separator: "\n")))
        case .failure(let failure): return .failure(ScoringFailure(summary: failure.summary))
        }
    }
}
