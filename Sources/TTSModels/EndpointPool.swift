import TTSCore
import TTSSuite
import Foundation
import TTSSeams

/// Replicas of one model (`base_urls`) and which one serves each request (`routing`).
///
/// - `affinity` (the default): the requests of one item (its samples, and its auxiliary calls:
///   fuser, refinement, continuation) go to one replica, chosen by rendezvous hashing of the
///   item's routing key over the healthy replicas, so a server's prefix cache sees the same
///   prompt again. Adding or removing a replica moves only the items of that replica. A request
///   spills to the least loaded healthy replica when its replica is saturated (it holds its
///   share of the model's `max_concurrency`: the limit divided by the healthy replicas, rounded
///   up) or failing (cooling down).
/// - `least_loaded`: each request goes to the replica with the fewest outstanding requests
///   (ties in turn).
///
/// A replica that fails (connection error, timeout, 5xx) is taken out for a cool-down that
/// doubles with consecutive failures (1 s … 30 s). When every replica is cooling down, the one
/// that recovers first is used.
///
/// ```swift
/// let pool = EndpointPool(urls: ["http://a/v1", "http://b/v1"], routing: .affinity, capacity: 64)
/// let replica = pool.acquire(key: "item-17")   // the same replica for every request of item-17
/// pool.release(replica, replicaFault: false)
/// ```
public final class EndpointPool: @unchecked Sendable {
    public typealias Routing = OpenAIModelParameters.Routing
    public let urls: [String]
    public let routing: Routing
    /// The model's concurrency limit: a replica holding its share of it is saturated.
    public let capacity: Int
    private let urlHashes: [UInt64]
    private var outstanding: [Int]
    private var failures: [Int]
    private var coolUntil: [ContinuousClock.Instant?]
    private var served: [Int]
    private var spilled = 0
    private var turn = 0
    private let lock = NSLock()

    public init(urls: [String], routing: Routing = .leastLoaded, capacity: Int = .max) {
        precondition(!urls.isEmpty)
        self.urls = urls
        self.routing = routing
        self.capacity = max(1, capacity)
        urlHashes = urls.map { StableHasher("replica", $0).finalize() }
        outstanding = Array(repeating: 0, count: urls.count)
        failures = Array(repeating: 0, count: urls.count)
        coolUntil = Array(repeating: nil, count: urls.count)
        served = Array(repeating: 0, count: urls.count)
    }

    /// Picks a replica for a request (`key`: its routing key, the item id; nil routes by load)
    /// and counts the request as outstanding on it.
    public func acquire(key: String? = nil) -> Int {
        let keyHash = (routing == .affinity && urls.count > 1) ? key.map { StableHasher("route", $0).finalize() } : nil
        return lock.withLock {
            let now = ContinuousClock.now
            var chosen: Int?
            if let keyHash {
                // Rendezvous: the healthy replica with the highest score for this key.
                var best: Int?
                var bestScore: UInt64 = 0
                var healthy = 0
                for i in 0..<urls.count {
                    if let until = coolUntil[i], until > now { continue }
                    healthy += 1
                    let score = Self.mix(keyHash ^ urlHashes[i])
                    if best == nil || score > bestScore { best = i; bestScore = score }
                }
                if let best {
                    let share = capacity == .max ? Int.max : (capacity + healthy - 1) / healthy
                    if outstanding[best] < share { chosen = best } else { spilled += 1 }
                }
            }
            if chosen == nil {
                for k in 0..<urls.count {
                    let i = (turn + k) % urls.count
                    if let until = coolUntil[i], until > now { continue }
                    if chosen == nil || outstanding[i] < outstanding[chosen!] { chosen = i }
                }
                if chosen == nil {
                    chosen = (0..<urls.count).min { (coolUntil[$0] ?? now) < (coolUntil[$1] ?? now) }!
                }
                turn = (chosen! + 1) % urls.count
            }
            outstanding[chosen!] += 1
            served[chosen!] += 1
            return chosen!
        }
    }

    /// SplitMix64's finaliser: a well-mixed score from the key and replica hashes.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
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
    /// Requests with a routing key that went elsewhere than their replica because it was saturated.
    public var spilledCount: Int { lock.withLock { spilled } }
}

extension GenerationRequest {
    /// What `routing: affinity` keeps on one replica: the item the request is about (its
    /// samples and auxiliary calls share the prompt's prefix). Nil for a request about no item.
    public var routingKey: String? { context?.item.id }
}
