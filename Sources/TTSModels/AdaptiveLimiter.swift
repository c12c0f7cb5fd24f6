import Synchronization

/// A per-model concurrency limit that adapts to throttling (AIMD).
///
/// At most `limit` requests are in flight. A 429 halves the limit (at most once per second, so
/// a burst of 429s from one overload counts once) and, with `Retry-After`, pauses new requests
/// until then. After `quietPeriod` without throttling, every success raises the limit by
/// 1/limit (about +1 per round of requests), back up to the configured maximum.
///
/// A lock rather than an actor: every request passes here twice, and an uncontended acquire or
/// release must not cost a hop between executors (measured by bench/endpoint). A released slot
/// is handed straight to the oldest waiter, so waiters are served in order.
public final class AdaptiveLimiter: Sendable {
    public let maximum: Int
    let quietPeriod: Duration

    private struct State {
        var limit: Double
        var inFlight = 0
        var peakInFlight = 0
        var throttleEvents = 0
        /// Waiters in arrival order from `head`; a resumed waiter gets `true` when a slot was
        /// claimed for it, `false` when it must look again (a pause began).
        var waiters: [CheckedContinuation<Bool, Never>] = []
        var head = 0
        var pausedUntil: ContinuousClock.Instant?
        var lastDecrease: ContinuousClock.Instant?
        var lastThrottle: ContinuousClock.Instant?

        func paused(at now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
            if let until = pausedUntil, until > now { return until }
            return nil
        }

        var hasWaiters: Bool { head < waiters.count }

        mutating func popWaiter() -> CheckedContinuation<Bool, Never> {
            let c = waiters[head]
            head += 1
            if head == waiters.count || head > 1024 && head * 2 > waiters.count {
                waiters.removeFirst(head)
                head = 0
            }
            return c
        }

        /// Claims free slots for the oldest waiters (none during a pause: those are told to look again).
        mutating func wake() -> [(CheckedContinuation<Bool, Never>, Bool)] {
            guard hasWaiters else { return [] }
            var out: [(CheckedContinuation<Bool, Never>, Bool)] = []
            if paused(at: .now) != nil {
                while hasWaiters { out.append((popWaiter(), false)) }
                return out
            }
            while inFlight < Int(limit), hasWaiters {
                inFlight += 1
                peakInFlight = max(peakInFlight, inFlight)
                out.append((popWaiter(), true))
            }
            return out
        }
    }

    private let state: Mutex<State>

    public init(maximum: Int, quietPeriod: Duration = .seconds(5)) {
        self.maximum = max(1, maximum)
        self.quietPeriod = quietPeriod
        state = Mutex(State(limit: Double(max(1, maximum))))
    }

    public var limit: Double { state.withLock { $0.limit } }
    public var inFlight: Int { state.withLock { $0.inFlight } }
    /// The most requests ever in flight at once (for tests and reports).
    public var peakInFlight: Int { state.withLock { $0.peakInFlight } }
    public var throttleEvents: Int { state.withLock { $0.throttleEvents } }
    /// Requests waiting for a slot.
    public var waiting: Int { state.withLock { $0.waiters.count - $0.head } }

    private enum Step { case go, sleep(ContinuousClock.Instant), wait }

    /// Waits for a slot (and for the end of a `Retry-After` pause). Throws only on cancellation
    /// during a pause.
    public func acquire() async throws {
        while true {
            let step: Step = state.withLock { s in
                if let until = s.paused(at: .now) { return .sleep(until) }
                if s.inFlight < Int(s.limit) && !s.hasWaiters {
                    s.inFlight += 1
                    s.peakInFlight = max(s.peakInFlight, s.inFlight)
                    return .go
                }
                return .wait
            }
            switch step {
            case .go:
                return
            case .sleep(let until):
                try await Task.sleep(until: until, clock: .continuous)
            case .wait:
                let granted = await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
                    let ready = state.withLock { s -> [(CheckedContinuation<Bool, Never>, Bool)] in
                        s.waiters.append(c)
                        return s.wake()  // a slot may have freed since the first look
                    }
                    for (waiter, granted) in ready { waiter.resume(returning: granted) }
                }
                if granted { return }
            }
        }
    }

    /// Ends a request: its slot goes to the oldest waiter.
    public func release() {
        let ready = state.withLock { s in
            s.inFlight -= 1
            return s.wake()
        }
        for (waiter, granted) in ready { waiter.resume(returning: granted) }
    }

    /// A 429 (or a 503 with Retry-After): multiplicative decrease, and a pause when the server names one.
    public func throttled(retryAfter: Double?) {
        state.withLock { s in
            let now = ContinuousClock.now
            s.throttleEvents += 1
            s.lastThrottle = now
            if s.lastDecrease == nil || now - s.lastDecrease! > .seconds(1) {
                s.limit = max(1, (s.limit / 2).rounded(.down))
                s.lastDecrease = now
            }
            if let retryAfter, retryAfter > 0 {
                let until = now + .milliseconds(Int64(min(retryAfter, 600) * 1000))
                if s.pausedUntil == nil || s.pausedUntil! < until { s.pausedUntil = until }
            }
        }
    }

    /// A success: additive increase once the quiet period since the last throttle has passed.
    public func succeeded() {
        let ready = state.withLock { s -> [(CheckedContinuation<Bool, Never>, Bool)] in
            guard s.limit < Double(maximum) else { return [] }
            if let last = s.lastThrottle, ContinuousClock.now - last < quietPeriod { return [] }
            let before = Int(s.limit)
            s.limit = min(Double(maximum), s.limit + 1 / s.limit)
            return Int(s.limit) > before ? s.wake() : []
        }
        for (waiter, granted) in ready { waiter.resume(returning: granted) }
    }
}
