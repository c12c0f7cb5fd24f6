import Foundation

/// Bounded retries with exponential backoff and full jitter; `Retry-After` wins when given.
public struct RetryPolicy: Sendable {
    public var maxRetries: Int
    public var baseDelay: Double
    public var maxDelay: Double

    public init(maxRetries: Int, baseDelay: Double = 0.5, maxDelay: Double = 30) {
        self.maxRetries = maxRetries
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Seconds to wait before retry number `retry` (1-based). Jitter never affects results:
    /// only when a request is sent, not what it asks for.
    public func delay(retry: Int, retryAfter: Double?) -> Double {
        if let retryAfter { return min(max(0, retryAfter), 600) + Double.random(in: 0...(baseDelay / 4)) }
        let cap = min(maxDelay, baseDelay * pow(2, Double(retry - 1)))
        return Double.random(in: (cap / 4)...cap)
    }

    /// `Retry-After`: delta-seconds or an HTTP date.
    public static func parseRetryAfter(_ value: String?) -> Double? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let s = Double(value) { return max(0, s) }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        if let date = f.date(from: value) { return max(0, date.timeIntervalSinceNow) }
        return nil
    }
}
