import TTSCore
import TTSSeams
import Foundation

/// One logical POST with bounded retries, through a per-endpoint concurrency limit and a
/// replica pool: the loop the OpenAI client and the reward-model verifier share.
///
/// 429 (with `Retry-After`) lowers the limit and pauses; 408, 409, 5xx, timeouts, connection
/// errors and replies the caller's parser calls retryable are retried with backoff; any other
/// 4xx is final. Every failed attempt becomes a line of the retry log. A key (`secret`) quoted
/// back by a server is replaced in the reply before it is parsed or quoted.
struct RetryingPost: Sendable {
    let transport: any HTTPTransport
    let limiter: AdaptiveLimiter
    let endpoints: EndpointPool
    let retry: RetryPolicy
    let timeout: Double
    let headers: [(String, String)]
    let secret: String?
    /// Called once per HTTP attempt (request counters).
    let onAttempt: @Sendable () -> Void
    /// The model's record in this run: before its first success, a failure that only the user
    /// can fix (refused, host not found, 401/403/404) is retried once, quickly, not for minutes.
    var health: EndpointHealth? = nil

    /// The request failed for good: its last message, attempts and retry log, its cause, the
    /// replica's URL, and the last reply's status and first bytes (nil status: no reply).
    struct Failure: Error {
        var message: String
        var attempts: Int
        var retryable: Bool
        var log: [String]
        var cause: FailureCause = .connection
        var url: String = ""
        var status: Int? = nil
        var body: [UInt8] = []

        /// "failed after N attempts[ (not retryable)]: message", with the retry log when retried.
        var summary: String {
            (retryable ? "failed after \(attempts) attempts" : "failed after \(attempts) attempts (not retryable)") + ": \(message)"
                + (log.count > 1 ? "\nretry log:\n" + log.joined(separator: "\n") : "")
        }
    }

    /// Posts `body` to `path` on a replica (the one `routingKey` routes to, see `EndpointPool`)
    /// until `parse` accepts a 2xx reply (`latencyMs` is the attempt's). Returns the result with
    /// the attempt count and the log of failed attempts; `.failure` when retries are exhausted or
    /// the failure is final. Throws only on cancellation.
    func run<T>(path: String, body: [UInt8], routingKey: String? = nil, parse: ([UInt8], Double) -> Result<T, ReplyFailure>) async throws
        -> Result<(T, attempts: Int, log: [String]), Failure> {
        var log: [String] = []
        var attempt = 0
        while true {
            attempt += 1
            try await limiter.acquire()
            let replica = endpoints.acquire(key: routingKey)
            let url = endpoints.urls[replica] + path
            onAttempt()
            let start = ContinuousClock.now
            var message: String
            var retryable = true
            var replicaFault = false
            var throttle = false
            var retryAfter: Double?
            var cause = FailureCause.malformed
            var status: Int? = nil
            var replyBody: [UInt8] = []
            do {
                let exchange = try await transport.post(url: url, headers: headers, body: body, timeout: timeout)
                let reply = OpenAIClient.redact(exchange.body, key: secret)
                let elapsed = ContinuousClock.now - start
                let latencyMs = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
                if (200..<300).contains(exchange.status) {
                    switch parse(reply, latencyMs) {
                    case .success(let value):
                        endpoints.release(replica, replicaFault: false)
                        limiter.release()
                        limiter.succeeded()
                        return .success((value, attempt, log))
                    case .failure(let failure):
                        message = failure.message
                        retryable = failure.retryable
                    }
                } else {
                    message = "HTTP \(exchange.status): \(OpenAIClient.prefix(reply))"
                    cause = FailureCause.of(status: exchange.status, body: reply)
                    status = exchange.status
                    replyBody = Array(reply.prefix(4000))
                    switch exchange.status {
                    case 429:
                        throttle = true
                        retryAfter = RetryPolicy.parseRetryAfter(exchange.header("Retry-After"))
                    case 408, 409, 500...599:
                        replicaFault = exchange.status != 409
                        if exchange.status == 503 { retryAfter = RetryPolicy.parseRetryAfter(exchange.header("Retry-After")) }
                    default:
                        retryable = false  // a client error: the same request would fail again
                    }
                }
            } catch let error as TransportError {
                message = OpenAIClient.redact(error.description, key: secret)
                cause = FailureCause.of(error)
                replicaFault = true
            } catch {
                endpoints.release(replica, replicaFault: false)
                limiter.release()
                throw error
            }
            endpoints.release(replica, replicaFault: replicaFault)
            limiter.release()
            if throttle { limiter.throttled(retryAfter: retryAfter) }
            let where_ = endpoints.urls.count > 1 ? " [\(endpoints.urls[replica])]" : ""
            // Before the endpoint has ever answered, a cause only the user can fix gets one quick
            // retry (a server that is just starting), so a dead endpoint stops the run in seconds.
            let early = cause.needsUser && health.map { !$0.everSucceeded } == true
            // (A name lookup that failed already waited for the resolver: not asked twice.)
            let maxRetries = early ? min(retry.maxRetries, cause == .unresolved ? 0 : 1) : retry.maxRetries
            guard retryable && attempt <= maxRetries else {
                log.append("attempt \(attempt)\(where_): \(message)")
                return .failure(Failure(message: message, attempts: attempt, retryable: retryable, log: log, cause: cause,
                                        url: endpoints.urls[replica], status: status, body: replyBody))
            }
            var delay = retry.delay(retry: attempt, retryAfter: retryAfter)
            if early { delay = min(delay, 0.5) }
            log.append("attempt \(attempt)\(where_): \(message); retried after \(String(format: "%.2f", delay)) s")
            try await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
        }
    }
}
