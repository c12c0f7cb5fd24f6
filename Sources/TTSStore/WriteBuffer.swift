import Synchronization

/// Samples and request-cache entries waiting to be written, behind a lock: adding to it costs
/// no hop onto the store's actor (every sample and every cache entry passes here; measured by
/// bench/endpoint).
///
/// A batch taken for writing stays readable (`cached`, `samples`) until its transaction has
/// committed, so a lookup never falls in the gap between the buffer and the database. Batches
/// are submitted to the database's writer in the order they are taken (`takeAndSubmit` holds
/// the lock while it enqueues), so a write that has finished implies every earlier one has.
final class WriteBuffer: Sendable {
    struct Batch: Sendable {
        var id: Int
        var samples: [SampleRecord]
        var cache: [String: [UInt8]]
        var isEmpty: Bool { samples.isEmpty && cache.isEmpty }
    }

    private struct State {
        var samples: [SampleRecord] = []
        var cache: [String: [UInt8]] = [:]
        var lastFlush = ContinuousClock.now
        /// Batches taken and not yet committed, oldest first.
        var writing: [Batch] = []
        var nextID = 0
        var samplesWritten = 0
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

    /// The buffered response of a cache key (waiting, or being written).
    func cached(_ key: String) -> [UInt8]? {
        state.withLock { s in
            if let v = s.cache[key] { return v }
            for batch in s.writing.reversed() { if let v = batch.cache[key] { return v } }
            return nil
        }
    }

    /// The buffered samples (waiting, or being written) of one pool and seed index.
    func samples(pool: String, seedIndex: Int) -> [SampleRecord] {
        state.withLock { s in
            (s.writing.map(\.samples) + [s.samples]).flatMap { records in
                records.filter { $0.pool == pool && $0.sample.seedIndex == seedIndex }
            }
        }
    }

    /// Everything buffered, leaving the buffer empty; `submit` is called with it under the lock
    /// (to enqueue its write in take order), and `written(_:)` must follow once it commits or fails.
    func takeAndSubmit(_ submit: (Batch) -> Void) {
        state.withLock { s in
            s.lastFlush = ContinuousClock.now
            let batch = Batch(id: s.nextID, samples: s.samples, cache: s.cache)
            s.nextID += 1
            s.samples.removeAll(keepingCapacity: true)
            s.cache.removeAll(keepingCapacity: true)
            if !batch.isEmpty { s.writing.append(batch) }
            submit(batch)
        }
    }

    /// A batch's transaction has ended; on failure its rows go back to the buffer for the next write.
    func written(_ batch: Batch, committed: Bool) {
        state.withLock { s in
            s.writing.removeAll { $0.id == batch.id }
            if committed {
                s.samplesWritten += batch.samples.count
            } else {
                s.samples.insert(contentsOf: batch.samples, at: 0)
                s.cache.merge(batch.cache) { current, _ in current }
            }
        }
    }

    /// Samples committed through this buffer.
    var samplesWritten: Int { state.withLock { $0.samplesWritten } }
}
