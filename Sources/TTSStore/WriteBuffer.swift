import TTSCore
import Synchronization

/// Samples and request-cache entries waiting to be written, behind a lock: adding to it costs
/// no hop onto the store's actor (every sample and every cache entry passes here; measured by
/// bench/endpoint). The store takes the whole buffer when it writes a batch.
final class WriteBuffer: Sendable {
    private struct State {
        var samples: [SampleRecord] = []
        var cache: [String: [UInt8]] = [:]
        var lastFlush = ContinuousClock.now
    }
    private let state = Mutex(State())
    let flushRows: Int
    let flushAge: Duration

    init(flushRows: Int, flushAge: Duration) {
        self.flushRows = flushRows
        self.flushAge = flushAge
    }

    /// Adds samples; true when a batch is due (enough rows, or the oldest is old enough).
    func add(samples: [SampleRecord]) -> Bool {
        state.withLock { s in
            s.samples.append(contentsOf: samples)
            return s.samples.count >= flushRows || ContinuousClock.now - s.lastFlush > flushAge
        }
    }

    /// Adds cache entries; true when a batch is due.
    func add(cache entries: [(key: String, response: [UInt8])]) -> Bool {
        state.withLock { s in
            for e in entries { s.cache[e.key] = e.response }
            return s.cache.count >= flushRows || ContinuousClock.now - s.lastFlush > flushAge
        }
    }

    /// The buffered response of a cache key.
    func cached(_ key: String) -> [UInt8]? { state.withLock { $0.cache[key] } }

    /// Everything buffered, leaving the buffer empty.
    func take() -> (samples: [SampleRecord], cache: [String: [UInt8]]) {
        state.withLock { s in
            s.lastFlush = ContinuousClock.now
            let out = (s.samples, s.cache)
            s.samples.removeAll(keepingCapacity: true)
            s.cache.removeAll(keepingCapacity: true)
            return out
        }
    }
}
