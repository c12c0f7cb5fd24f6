import TTSCore
import TTSStore
import TTSSuite
import Foundation

/// Replicas of one model (`base_urls`): each request goes to the replica with the fewest
/// outstanding requests (ties in turn); a replica that fails (connection error, timeout, 5xx)
/// is taken out for a cool-down that doubles with consecutive failures (1 s … 30 s). When every
/// replica is cooling down, the one that recovers first is used.
public final class EndpointPool: @unchecked Sendable {
    public let urls: [String]
    private var outstanding: [Int]
    private var failures: [Int]
    private var coolUntil: [ContinuousClock.Instant?]
    private var served: [Int]
    private var turn = 0
    private let lock = NSLock()

    public init(urls: [String]) {
        precondition(!urls.isEmpty)
        self.urls = urls
        outstanding = Array(repeating: 0, count: urls.count)
        failures = Array(repeating: 0, count: urls.count)
        coolUntil = Array(repeating: nil, count: urls.count)
        served = Array(repeating: 0, count: urls.count)
    }

    /// Picks a replica and counts the request as outstanding on it.
    public func acquire() -> Int {
        lock.withLock {
            let now = ContinuousClock.now
            var best: Int?
            for k in 0..<urls.count {
                let i = (turn + k) % urls.count
                if let until = coolUntil[i], until > now { continue }
                if best == nil || outstanding[i] < outstanding[best!] { best = i }
            }
            if best == nil {
                best = (0..<urls.count).min { (coolUntil[$0] ?? now) < (coolUntil[$1] ?? now) }!
            }
            turn = (best! + 1) % urls.count
            outstanding[best!] += 1
            served[best!] += 1
            return best!
        }
    }

    /// Ends a request; `replicaFault` marks a failure of the replica itself.
    public func release(_ index: Int, replicaFault: Bool) {
        lock.withLock {
            outstanding[index] -= 1
            if replicaFault {
                failures[index] += 1
                if urls.count > 1 {
                    let seconds = min(30.0, pow(2.0, Double(failures[index] - 1)))
                    coolUntil[index] = .now + .milliseconds(Int64(seconds * 1000))
                }
            } else {
                failures[index] = 0
                coolUntil[index] = nil
            }
        }
    }

    /// Requests sent to each replica so far.
    public var servedCounts: [Int] { lock.withLock { served } }
}
