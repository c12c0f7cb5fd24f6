import Synchronization
import TTSCore
import TTSSeams
import TTSStore

/// The recorded calls of a run, in one pool: pooled samples, (pool, seed index, item,
/// temperature, sample index) → sample, and auxiliary calls (fuser, refinement, continuation, a
/// judge's verdict, a reward endpoint's score), (pool, seed index, item, call id) → call.
///
/// Every call is made once and recorded: recorded calls are read back from the store a (pool,
/// seed index) block at a time; a call that is missing is made by the first caller that asks for
/// it, and callers asking for the same call meanwhile wait for its result; a call that failed for
/// good is never kept, so a later caller (or the next run) makes it again with the same request
/// seed. Samples are written as they come back; auxiliary calls in batches (every 256 calls, at
/// `flush()`, before a block is evicted). A seed index's blocks are forgotten once no seed run
/// needs them (`evict(seedIndex:)`), which bounds memory.
///
/// ```swift
/// let pool = CallPool(store: store, suiteSeed: suite.seed)
/// let first4 = try await pool.samples(handle: h, client: c, request: r, item: item, extraction: .boxed,
///                                     seedIndex: 0, temperature: 0.8, indices: 0..<4)   // generated and recorded
/// let first8 = try await pool.samples(..., indices: 0..<8)     // reads the same 4, generates 4 more
/// let fused = try await pool.call(fuseCall, handle: h, client: c, topP: 1, item: item, extraction: .boxed, seedIndex: 0)
/// try await pool.evict(seedIndex: 0)
/// ```
///
/// A lock rather than an actor: every sample passes here, and the caller that finds calls missing
/// makes them itself (no extra task, no hop between executors; measured by bench/endpoint).
public final class CallPool: Sendable {
    public struct Handle: Sendable, Hashable {
        /// Identifies the generator and everything else that shapes a call except the
        /// temperature and indices: model fingerprint, task, prompt, decoding limits, pool tag.
        public var id: String
        public var modelName: String
        /// The model answers a temperature-0 request the same way for every seed
        /// (`ModelSpec.deterministicAtZero`): those samples are generated for seed 0 only and
        /// read for every seed index.
        public var deterministic: Bool
        public init(id: String, modelName: String, deterministic: Bool = false) {
            self.id = id
            self.modelName = modelName
            self.deterministic = deterministic
        }
    }

    /// A (pool, seed index) block of one table: what is read back from the store at once.
    struct BlockKey: Hashable {
        enum Table: Hashable { case samples, auxiliary }
        var table: Table
        var pool: String
        var seedIndex: Int
    }

    /// One call of a block.
    enum CallKey: Hashable {
        case sample(SampleKey)
        case auxiliary(AuxiliaryKey)
    }

    private struct State {
        var blocks: [BlockKey: [CallKey: Sample]] = [:]
        var loading: [BlockKey: SharedResult<Void>] = [:]
        var inflight: [BlockKey: [CallKey: SharedResult<[CallKey: Sample]>]] = [:]
        var generatedSamples = 0
        var generatedCalls = 0
        /// Auxiliary calls made but not yet written.
        var pending: [AuxiliaryRecord] = []
    }

    let store: Store
    let suiteSeed: UInt64
    private let state = Mutex(State())
    let onGenerated: @Sendable (Int) -> Void

    /// Samples generated (not read back from the store) so far.
    public var generated: Int { state.withLock { $0.generatedSamples } }
    /// Auxiliary calls made (not read back from the store) so far.
    public var generatedCalls: Int { state.withLock { $0.generatedCalls } }

    /// `onGenerated` hears how many samples each request produced (progress).
    public init(store: Store, suiteSeed: UInt64, onGenerated: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.store = store
        self.suiteSeed = suiteSeed
        self.onGenerated = onGenerated
    }

    /// Where each asked-for call comes from.
    private enum Source {
        case ready(Sample)
        case waiting(SharedResult<[CallKey: Sample]>)
        case making
    }

    /// The calls `keys` of `block`, in order: recorded ones read back, missing ones made by
    /// `make` (called at most once, with the keys this caller claimed) and shared with concurrent
    /// callers. `make` returns what came back and, when part of it failed for good, the failure:
    /// what came back is kept, the failure is thrown (to this caller and the waiters) and its
    /// calls are asked again later. An error thrown by `make` (cancellation, a store failure)
    /// keeps nothing.
    func resolve(
        _ keys: [CallKey], in block: BlockKey,
        make: ([CallKey]) async throws -> (made: [CallKey: Sample], failure: (any Error)?)
    ) async throws -> [Sample] {
        var sources: [Source] = []
        var missing: [CallKey] = []
        var claim: SharedResult<[CallKey: Sample]>? = nil
        // Classify every key under the lock; the missing ones are claimed for this caller.
        while true {
            let loader: (SharedResult<Void>, Bool)? = state.withLock { s in
                if s.blocks[block] == nil {
                    if let shared = s.loading[block] { return (shared, false) }
                    let shared = SharedResult<Void>()
                    s.loading[block] = shared
                    return (shared, true)
                }
                sources.removeAll(keepingCapacity: true)
                missing.removeAll(keepingCapacity: true)
                for key in keys {
                    if let call = s.blocks[block]?[key] {
                        sources.append(.ready(call))
                    } else if let shared = s.inflight[block]?[key] {
                        sources.append(.waiting(shared))
                    } else {
                        sources.append(.making)
                        missing.append(key)
                    }
                }
                if !missing.isEmpty {
                    let shared = SharedResult<[CallKey: Sample]>()
                    claim = shared
                    for key in missing { s.inflight[block, default: [:]][key] = shared }
                }
                return nil
            }
            guard let (shared, mine) = loader else { break }
            if mine { try await load(block, shared: shared) } else { try await shared.value }
        }

        var made: [CallKey: Sample] = [:]
        if let claim {
            let failure: (any Error)?
            do {
                (made, failure) = try await make(missing)
            } catch {
                state.withLock { s in
                    for key in missing { s.inflight[block]?[key] = nil }
                }
                claim.fulfill(.failure(error))
                throw error
            }
            state.withLock { s in
                for (key, call) in made { s.blocks[block, default: [:]][key] = call }
                // Failed calls are not kept: a later caller asks for them again.
                for key in missing { s.inflight[block]?[key] = nil }
            }
            if let failure {
                claim.fulfill(.failure(failure))
                throw failure
            }
            claim.fulfill(.success(made))
        }

        var out: [Sample] = []
        out.reserveCapacity(keys.count)
        for (position, key) in keys.enumerated() {
            let found: Sample?
            switch sources[position] {
            case .ready(let call): found = call
            case .making: found = made[key]
            case .waiting(let shared): found = try await shared.value[key]
            }
            guard let found else { throw CallPoolError(message: "\(key) is missing from the pool after it was made") }
            out.append(found)
        }
        return out
    }

    /// Reads a block's recorded calls (one caller; the others wait for `shared`).
    private func load(_ block: BlockKey, shared: SharedResult<Void>) async throws {
        do {
            // A row without text is a failed request of a database before schema 8: missing, asked again.
            let loaded: [CallKey: Sample]
            switch block.table {
            case .samples:
                let rows = try await store.samples(pool: block.pool, seedIndex: block.seedIndex)
                loaded = Dictionary(uniqueKeysWithValues: rows.lazy.filter { $0.value.text != nil }.map { (CallKey.sample($0.key), Sample($0.value)) })
            case .auxiliary:
                let rows = try await store.auxiliaryCalls(pool: block.pool, seedIndex: block.seedIndex)
                loaded = Dictionary(uniqueKeysWithValues: rows.lazy.filter { $0.value.text != nil }.map { (CallKey.auxiliary($0.key), Sample($0.value)) })
            }
            state.withLock { s in
                if s.blocks[block] == nil { s.blocks[block] = loaded } else { s.blocks[block]!.merge(loaded) { current, _ in current } }
                s.loading[block] = nil
            }
            shared.fulfill(.success(()))
        } catch {
            state.withLock { s in s.loading[block] = nil }
            shared.fulfill(.failure(error))
            throw error
        }
    }

    /// Counts samples generated by one request.
    func countSamples(_ count: Int) {
        state.withLock { $0.generatedSamples += count }
        onGenerated(count)
    }

    /// Queues an auxiliary call for writing; writes the queue once it holds 256 calls.
    func queue(_ record: AuxiliaryRecord) async throws {
        let full = state.withLock { s in
            s.generatedCalls += 1
            s.pending.append(record)
            return s.pending.count >= 256
        }
        if full { try await flush() }
    }

    /// Writes the auxiliary calls not yet recorded.
    public func flush() async throws {
        let batch = state.withLock { s in
            defer { s.pending.removeAll(keepingCapacity: true) }
            return s.pending
        }
        guard !batch.isEmpty else { return }
        try await store.recordAuxiliary(batch)
    }

    /// Records the pending auxiliary calls, then forgets the calls of a seed index once no seed
    /// run needs them (bounded memory); a block with a call in flight is kept.
    public func evict(seedIndex: Int) async throws {
        try await flush()
        state.withLock { s in
            for key in s.blocks.keys where key.seedIndex == seedIndex && (s.inflight[key]?.isEmpty ?? true) {
                s.blocks[key] = nil
                s.inflight[key] = nil
            }
        }
    }
}

/// The pool lost a call it had made (a bug, not bad input).
struct CallPoolError: Error, CustomStringConvertible {
    var message: String
    var description: String { "call pool: \(message)" }
}
