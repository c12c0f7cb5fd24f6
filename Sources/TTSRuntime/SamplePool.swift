import TTSCore
import TTSStore
import TTSSuite
import Synchronization
import TTSSeams
import TTSModels
/// The shared pool of samples: (pool, item, seed index, temperature, sample index) → sample.
///
/// A strategy asking for samples 0..<4 reads the first four samples that a strategy with
/// n = 8 on the same model, temperature and seed reads (paired comparisons, fewer calls).
/// Recorded samples are read back from the store; missing ones are generated once, even
/// when several strategies ask for them concurrently, and recorded as they complete.
///
/// A lock rather than an actor: every sample passes here, and the caller that finds samples
/// missing generates them itself (no extra task, no hop between executors); callers asking for
/// the same samples meanwhile wait for its `SharedResult` (measured by bench/endpoint).
public final class SamplePool: Sendable {
    public struct Handle: Sendable, Hashable {
        /// Identifies the generator and everything else that shapes a sample except the
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

    private struct BlockKey: Hashable {
        var pool: String
        var seedIndex: Int
    }

    private struct State {
        var blocks: [BlockKey: [SampleKey: Sample]] = [:]
        var loading: [BlockKey: SharedResult<Void>] = [:]
        var inflight: [BlockKey: [SampleKey: SharedResult<[Sample]>]] = [:]
        var generated = 0
    }

    private let store: Store
    private let suiteSeed: UInt64
    private let state = Mutex(State())
    private let onGenerated: @Sendable (Int) -> Void

    /// Samples generated (not read back from the store) so far.
    public var generated: Int { state.withLock { $0.generated } }

    public init(store: Store, suiteSeed: UInt64, onGenerated: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.store = store
        self.suiteSeed = suiteSeed
        self.onGenerated = onGenerated
    }

    /// The per-sample seed: sent to real endpoints as `seed`, and the simulated backend's RNG seed.
    public func requestSeed(pool: String, item: String, seedIndex: Int, temperature: Double, sampleIndex: Int) -> UInt64 {
        var h = StableHasher()
        h.combine("sample")
        h.combine(suiteSeed)
        h.combine(pool)
        h.combine(item)
        h.combine(seedIndex)
        h.combine(temperature)
        h.combine(sampleIndex)
        return h.finalize()
    }

    /// Where each asked-for sample comes from.
    private enum Source {
        case ready(Sample)
        case waiting(SharedResult<[Sample]>)
        case generating
    }

    public func samples(
        handle: Handle, client: any ModelClient, request: @Sendable (UInt64, [UInt64], Int) -> GenerationRequest,
        item: TaskItem, extraction: AnswerExtraction, seedIndex: Int, temperature: Double, indices: Range<Int>
    ) async throws -> [Sample] {
        // A deterministic model at temperature 0: every seed reads seed 0's samples, at no cost.
        let seedIndex = handle.deterministic && temperature == 0 ? 0 : seedIndex
        let block = BlockKey(pool: handle.id, seedIndex: seedIndex)
        // Classify every index under the lock; the missing ones are claimed for this caller.
        var sources: [Source] = []
        var missing: [Int] = []
        var claim: SharedResult<[Sample]>? = nil
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
                for i in indices {
                    let key = SampleKey(item: item.id, temperature: temperature, sampleIndex: i)
                    if let sample = s.blocks[block]?[key] {
                        sources.append(.ready(sample))
                    } else if let shared = s.inflight[block]?[key] {
                        sources.append(.waiting(shared))
                    } else {
                        sources.append(.generating)
                        missing.append(i)
                    }
                }
                if !missing.isEmpty {
                    let shared = SharedResult<[Sample]>()
                    claim = shared
                    for i in missing { s.inflight[block, default: [:]][SampleKey(item: item.id, temperature: temperature, sampleIndex: i)] = shared }
                }
                return nil
            }
            guard let (shared, mine) = loader else { break }
            if mine { try await load(block, shared: shared) } else { try await shared.value }
        }

        var produced: [Sample] = []
        if let claim {
            var failure: RequestFailure? = nil
            do {
                (produced, failure) = try await generate(missing, handle: handle, client: client, request: request, item: item,
                                                         extraction: extraction, seedIndex: seedIndex, temperature: temperature)
            } catch {
                // Cancelled, or the store failed: nothing is kept, and a later call asks again.
                state.withLock { s in
                    for i in missing { s.inflight[block]?[SampleKey(item: item.id, temperature: temperature, sampleIndex: i)] = nil }
                }
                claim.fulfill(.failure(error))
                throw error
            }
            state.withLock { s in
                s.generated += produced.count
                for sample in produced {
                    let key = SampleKey(item: item.id, temperature: temperature, sampleIndex: sample.sampleIndex)
                    s.blocks[block, default: [:]][key] = sample
                }
                // Failed samples are not kept: a later call asks for them again.
                for i in missing { s.inflight[block]?[SampleKey(item: item.id, temperature: temperature, sampleIndex: i)] = nil }
            }
            onGenerated(produced.count)
            if let failure {
                claim.fulfill(.failure(failure))
                throw failure
            }
            claim.fulfill(.success(produced))
        }

        var out: [Sample] = []
        out.reserveCapacity(indices.count)
        for (position, i) in indices.enumerated() {
            let found: Sample?
            switch sources[position] {
            case .ready(let sample): found = sample
            case .generating: found = produced.first { $0.sampleIndex == i }
            case .waiting(let shared): found = try await shared.value.first { $0.sampleIndex == i }
            }
            guard let found else {
                throw ModelError(model: handle.modelName, message: "sample \(i) of item \(item.id) is missing from the pool")
            }
            out.append(found)
        }
        return out
    }

    /// Generates the samples `missing` in one request and records those that came back. A
    /// request that failed for good is not a sample: it is returned as the failure (never
    /// recorded, never scored), and the samples that did come back with it are kept. Throws on
    /// cancellation, a replay asked for more than was imported, a store failure, or an error that
    /// is not a failed request.
    private func generate(
        _ missing: [Int], handle: Handle, client: any ModelClient, request: @Sendable (UInt64, [UInt64], Int) -> GenerationRequest,
        item: TaskItem, extraction: AnswerExtraction, seedIndex: Int, temperature: Double
    ) async throws -> ([Sample], RequestFailure?) {
        let seeds = missing.map { requestSeed(pool: handle.id, item: item.id, seedIndex: seedIndex, temperature: temperature, sampleIndex: $0) }
        var req = request(seeds[0], seeds, missing.count)
        req.context?.seedIndex = seedIndex
        req.context?.sampleIndices = missing
        let samples: [Sample]
        var failure: RequestFailure? = nil
        do {
            let completions = try await client.generate(req)
            guard completions.count == missing.count else {
                throw ModelError(model: handle.modelName, message: "asked for \(missing.count) completions, got \(completions.count)")
            }
            samples = zip(missing, completions).map { index, completion in
                Sample(sampleIndex: index, temperature: temperature, completion: completion, extracting: extraction, item: item)
            }
        } catch let error as CancellationError {
            throw error
        } catch let error as ReplayExhaustedError {
            throw error  // the suite asks for more than was imported: stop, never score a gap as wrong
        } catch let partial as PartialGenerationError where partial.completions.count == missing.count {
            // Some samples of the request came back, others failed for good: keep what came back.
            samples = missing.enumerated().compactMap { position, index in
                partial.completions[position].map {
                    Sample(sampleIndex: index, temperature: temperature, completion: $0, extracting: extraction, item: item)
                }
            }
            failure = partial.requestFailure
        } catch let error as RequestFailure {
            samples = []
            failure = error
        }
        let seedOf = Dictionary(uniqueKeysWithValues: zip(missing, seeds))
        try await store.record(samples.map {
            SampleRecord(pool: handle.id, sample: $0.stored(itemID: item.id, seedIndex: seedIndex, requestSeed: seedOf[$0.sampleIndex]!))
        })
        return (samples, failure)
    }

    /// Reads a block's recorded samples (one caller; the others wait for `shared`).
    private func load(_ block: BlockKey, shared: SharedResult<Void>) async throws {
        do {
            // A row without text is a failed request of a database before schema 8: missing, asked again.
            let loaded = try await store.samples(pool: block.pool, seedIndex: block.seedIndex).filter { $0.value.text != nil }
                .mapValues(Sample.init)
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

    /// Forgets the samples of a seed index once no seed run needs them (bounded memory).
    public func evict(seedIndex: Int) {
        state.withLock { s in
            for key in s.blocks.keys where key.seedIndex == seedIndex && (s.inflight[key]?.isEmpty ?? true) {
                s.blocks[key] = nil
                s.inflight[key] = nil
            }
        }
    }
}
