/// A per-model concurrency limit that adapts to throttling (AIMD).
///
/// At most `limit` requests are in flight. A 429 halves the limit (at most once per second, so
/// a burst of 429s from one overload counts once) and, with `Retry-After`, pauses new requests
/// until then. After `quietPeriod` without throttling, every success raises the limit by
/// 1/limit (about +1 per round of requests), back up to the configured maximum.
public actor AdaptiveLimiter {
    public let maximum: Int
    public private(set) var limit: Double
    public private(set) var inFlight = 0
    /// The most requests ever in flight at once (for tests and reports).
    public private(set) var peakInFlight = 0
    public private(set) var throttleEvents = 0
    let quietPeriod: Duration
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var pausedUntil: ContinuousClock.Instant?
    private var lastDecrease: ContinuousClock.Instant?
    private var lastThrottle: ContinuousClock.Instant?

    public init(maximum: Int, quietPeriod: Duration = .seconds(5)) {
        self.maximum = max(1, maximum)
        self.limit = Double(max(1, maximum))
        self.quietPeriod = quietPeriod
    }

    public func acquire() async throws {
        while true {
            if let until = pausedUntil, until > .now {
                try await Task.sleep(until: until, clock: .continuous)
                continue
            }
            if inFlight < Int(limit) {
                inFlight += 1
                peakInFlight = max(peakInFlight, inFlight)
                return
            }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    public func release() {
        inFlight -= 1
        wake()
    }

    private func wake() {
        var free = Int(limit) - inFlight
        while free > 0, !waiters.isEmpty {
            waiters.removeFirst().resume()
            free -= 1
        }
    }

    /// A 429 (or a 503 with Retry-After): multiplicative decrease, and a pause when the server names one.
    public func throttled(retryAfter: Double?) {
        let now = ContinuousClock.now
        throttleEvents += 1
        lastThrottle = now
        if lastDecrease == nil || now - lastDecrease! > .seconds(1) {
            limit = max(1, (limit / 2).rounded(.down))
            lastDecrease = now
        }
        if let retryAfter, retryAfter > 0 {
            let until = now + .milliseconds(Int64(min(retryAfter, 600) * 1000))
            if pausedUntil == nil || pausedUntil! < until { pausedUntil = until }
        }
    }

    /// A success: additive increase once the quiet period since the last throttle has passed.
    public func succeeded() {
        guard limit < Double(maximum) else { return }
        if let last = lastThrottle, ContinuousClock.now - last < quietPeriod { return }
        let before = Int(limit)
        limit = min(Double(maximum), limit + 1 / limit)
        if Int(limit) > before { wake() }
    }
}
