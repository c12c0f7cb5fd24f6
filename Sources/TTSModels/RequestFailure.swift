import TTSCore
import TTSSuite
import Foundation

/// Why a request to an endpoint failed for good, in the user's terms.
///
/// A failed request is our failure, not the model's answer: it is never scored, never cached as
/// a result, and the next run asks again. Some causes say that nothing will work until the user
/// acts (`needsUser`): a model whose first requests end that way stops the run at once.
public enum FailureCause: String, Sendable, Hashable, CaseIterable, Comparable {
    case refused = "connection refused"
    case unresolved = "host not found"
    case certificate = "certificate refused"
    case unauthorized = "unauthorized (HTTP 401/403)"
    case notFound = "not found (HTTP 404)"
    case modelNotServed = "model not served"
    case badRequest = "request rejected (HTTP 4xx)"
    case rateLimited = "rate limited (HTTP 429)"
    case serverError = "server error (HTTP 5xx)"
    case timeout = "timed out"
    case connection = "connection error"
    case malformed = "malformed reply"
    case notRecorded = "not recorded in the replayed database"

    /// Nothing but the user can fix it (a server that is not there, a wrong URL, key or model
    /// name, a request the server rejects as such): retrying changes nothing.
    public var needsUser: Bool {
        switch self {
        case .refused, .unresolved, .certificate, .unauthorized, .notFound, .modelNotServed, .badRequest, .notRecorded: true
        case .rateLimited, .serverError, .timeout, .connection, .malformed: false
        }
    }

    /// What to check, for the one-line message that stops a run.
    public var hint: String {
        switch self {
        case .refused: "is the server running, on that port?"
        case .unresolved: "check the host name in base_url"
        case .certificate: "the server's certificate is not trusted: name the CA that signed it in ca_file, and check the host in base_url"
        case .unauthorized: "check the key named by api_key_env"
        case .notFound: "check base_url (it usually ends in /v1)"
        case .modelNotServed: "check the model name against the server's /v1/models"
        case .badRequest: "the server rejects the request itself"
        case .notRecorded: "the replayed database lacks this sample"
        case .rateLimited, .serverError, .timeout, .connection, .malformed: "the endpoint stopped answering"
        }
    }

    public static func < (a: FailureCause, b: FailureCause) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The cause of an HTTP status with its (redacted) body.
    static func of(status: Int, body: [UInt8]) -> FailureCause {
        switch status {
        case 401, 403: return .unauthorized
        case 404:
            let text = String(decoding: body.prefix(2000), as: UTF8.self).lowercased()
            return text.contains("model") && (text.contains("does not exist") || text.contains("not found") || text.contains("model_not_found"))
                ? .modelNotServed : .notFound
        case 429: return .rateLimited
        case 500...599: return .serverError
        case 400:
            // vLLM and others answer 400 for an unknown model name.
            let text = String(decoding: body.prefix(2000), as: UTF8.self).lowercased()
            if text.contains("model") && (text.contains("does not exist") || text.contains("model_not_found")) { return .modelNotServed }
            return .badRequest
        default: return .badRequest
        }
    }

    /// The cause of a transport error (no status line came back).
    static func of(_ error: TransportError) -> FailureCause {
        switch error {
        case .timeout: return .timeout
        case .tooLarge: return .malformed
        case .connection(let message):
            if message.hasPrefix(TransportError.refusedPrefix) { return .refused }
            if message.hasPrefix(TransportError.unresolvedPrefix) { return .unresolved }
            if message.hasPrefix(TransportError.certificatePrefix) { return .certificate }
            return .connection
        }
    }
}

/// A request that failed for good after its retries: the model (or verifier), the endpoint
/// URL, the cause, a plain bounded message, the attempts made and their log.
///
/// It is thrown, never turned into a sample: the item it belongs to stays unfinished, its seed
/// run is not committed, and the next run retries it.
public struct RequestFailure: Error, CustomStringConvertible, Sendable {
    /// The model name (or `verifier 'NAME'` for a reward endpoint).
    public var model: String
    /// The endpoint (the base URL of the replica last tried).
    public var url: String
    public var cause: FailureCause
    /// One line, at most `messageLimit` characters, control characters escaped.
    public var message: String
    public var attempts: Int
    public var log: [String]
    /// Set when the run must stop: the model failed this way before any success, or every
    /// request of a long stretch failed (see `EndpointHealth`).
    public var stopsRun = false
    /// Whether the endpoint had answered earlier in the run (then a stop means it went down).
    public var endpointAnswered = false

    public static let messageLimit = 300

    public init(model: String, url: String, cause: FailureCause, message: String, attempts: Int, log: [String] = []) {
        self.model = model
        self.url = url
        self.cause = cause
        self.message = Self.plain(message)
        self.attempts = attempts
        self.log = log
    }

    /// "model 'm' at http://…/v1: connection refused after 2 attempts (detail)".
    public var description: String {
        "model '\(model)' at \(url): \(cause.rawValue) after \(attempts) attempt\(attempts == 1 ? "" : "s") (\(message))"
    }

    /// The one line that stops a run: the model, the URL, the cause and what to check.
    public var stopLine: String {
        if endpointAnswered {
            return "model '\(model)' at \(url) stopped answering: its last requests all failed for good (\(cause.rawValue): \(message)). "
                + "What it answered before is recorded, nothing failed is scored; run the same command again once it is back."
        }
        return "model '\(model)' at \(url): \(cause.rawValue) — \(cause.hint) (\(message)). Nothing was scored for it; "
            + "fix it and run the same command again."
    }

    /// One line, bounded, printable.
    static func plain(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if out.count >= messageLimit { out += "…"; break }
            switch scalar {
            case "\n", "\r", "\t": out += " "
            case _ where scalar.value < 0x20 || scalar.value == 0x7f: out += "?"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// How a model's endpoint has fared in this run: whether it ever answered, and how many
/// requests in a row failed for good. It decides when a failure stops the run:
/// - before the first success, a failure that needs the user (refused, host not found,
///   401/403/404, a model the server does not serve, a rejected request) stops it at once;
/// - at any time, `stopAfter` requests in a row failing for good stop it (a dead endpoint
///   never retries silently for hours).
public final class EndpointHealth: @unchecked Sendable {
    private let lock = NSLock()
    private var succeeded = false
    private var consecutive = 0
    public let stopAfter: Int

    public init(stopAfter: Int) { self.stopAfter = max(1, stopAfter) }

    /// Whether the endpoint has answered once in this run.
    public var everSucceeded: Bool { lock.withLock { succeeded } }

    func success() {
        lock.withLock {
            succeeded = true
            consecutive = 0
        }
    }

    /// Records a request that failed for good; true when the run must stop.
    func failure(_ cause: FailureCause) -> Bool {
        lock.withLock {
            consecutive += 1
            return (!succeeded && cause.needsUser) || consecutive >= stopAfter
        }
    }
}

/// A refusal about the input itself (the prompt is longer than the model's context, or a
/// content filter blocked it): the system's outcome, recorded as a sample and scored incorrect.
enum Refusal {
    /// The cause when an error reply is a refusal about the input, else nil. Recognises the
    /// usual OpenAI, vLLM and llama.cpp shapes: a 400 mentioning "maximum context length",
    /// "context_length_exceeded", "exceed_context_size" or "content_filter".
    static func cause(status: Int, body: [UInt8]) -> String? {
        guard status == 400 || status == 413 || status == 422 else { return nil }
        let text = String(decoding: body.prefix(4000), as: UTF8.self).lowercased()
        if text.contains("maximum context length") || text.contains("context_length_exceeded") || text.contains("exceed_context_size")
            || text.contains("context length") && text.contains("exceed") {
            return contextLength
        }
        if text.contains("content_filter") || text.contains("content management policy") { return contentFiltered }
        return nil
    }

    static let contextLength = "refused: context length exceeded"
    static let contentFiltered = "refused: content filtered"
}
