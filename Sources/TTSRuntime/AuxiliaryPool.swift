import TTSCore
import TTSStore
import TTSSuite
import TTSSeams
import TTSModels
/// Auxiliary model calls (fuser calls, refinement rounds, continuations), made once and
/// recorded: (pool, seed index, item, call id) → the call's completion.
///
/// Like `SamplePool`: recorded calls are read back per (pool, seed index) block, concurrent
/// requests for the same call share one generation, and new calls are written in batches
/// (every 256 rows, at each seed-run commit, and before a block is evicted). A call lost in a
/// crash is made again with the same request seed, so it comes out the same.
public actor AuxiliaryPool {
    private struct BlockKey: Hashable {
        var pool: String
        var seedIndex: Int
    }

    private let store: Store
    private let suiteSeed: UInt64
    private var blocks: [BlockKey: [AuxiliaryKey: Sample]] = [:]
    private var loading: [BlockKey: Task<[AuxiliaryKey: Sample], Error>] = [:]
    private var inflight: [BlockKey: [AuxiliaryKey: Task<Sample, Error>]] = [:]
    private var pending: [AuxiliaryRecord] = []
    public private(set) var generated = 0

    public init(store: Store, suiteSeed: UInt64) {
        self.store = store
        self.suiteSeed = suiteSeed
    }

    /// The request seed of an auxiliary call: sent to real endpoints as `seed`, and the
    /// simulated backend's RNG seed.
    public nonisolated func requestSeed(pool: String, item: String, seedIndex: Int, callID: String) -> UInt64 {
        StableHasher("aux", suiteSeed, pool, item, seedIndex, callID).finalize()
    }

    /// `seed`: the request seed when the caller derives its own (a judge's verdict seed), else
    /// `requestSeed(pool:item:seedIndex:callID:)`.
    public func call(_ call: AuxiliaryCall, handle: SamplePool.Handle, client: any ModelClient, topP: Double,
                     item: TaskItem, extraction: AnswerExtraction, seedIndex: Int, seed: UInt64? = nil) async throws -> Sample {
        let seed = seed ?? requestSeed(pool: handle.id, item: item.id, seedIndex: seedIndex, callID: call.callID)
        let request = GenerationRequest(messages: call.messages, temperature: call.temperature, topP: topP, maxTokens: call.maxTokens,
                                        stop: call.stop, seed: seed, n: 1, context: ItemContext(item: item, sampleSeeds: [seed], purpose: call.purpose))
        return try await recorded(callID: call.callID, temperature: call.temperature, handle: handle, item: item, extraction: extraction,
                                  seedIndex: seedIndex, seed: seed) {
            let completions = try await client.generate(request)
            guard let completion = completions.first else {
                throw ModelError(model: handle.modelName, message: "asked for 1 completion, got none")
            }
            return completion
        }
    }

    /// A recorded call of any kind (a model call, a reward endpoint's score): the recorded
    /// result of `callID` on the item when there is one, else `make()`'s completion, recorded
    /// (with `seed` as its request seed) and shared with concurrent callers of the same call.
    /// A `PartialGenerationError` from `make` is its request's failure: nothing is recorded.
    public func recorded(callID: String, temperature: Double, handle: SamplePool.Handle, item: TaskItem, extraction: AnswerExtraction,
                         seedIndex: Int, seed: UInt64, make: @escaping @Sendable () async throws -> Completion) async throws -> Sample {
        let block = BlockKey(pool: handle.id, seedIndex: seedIndex)
        if blocks[block] == nil { try await load(block) }
        let key = AuxiliaryKey(item: item.id, callID: callID)
        if let done = blocks[block]?[key] { return done }
        if let task = inflight[block]?[key] { return try await task.value }

        let task = Task<Sample, Error> {
            do {
                let completion = try await make()
                return Sample(sampleIndex: -1, temperature: temperature, completion: completion, extracting: extraction, item: item)
            } catch let partial as PartialGenerationError {
                // A failed request is not a call's result: nothing is recorded, the item stays
                // unfinished, and the next run makes the call again.
                throw partial.requestFailure
            }
        }
        inflight[block, default: [:]][key] = task
        let sample: Sample
        do {
            sample = try await task.value
        } catch {
            inflight[block]?[key] = nil
            throw error
        }
        inflight[block]?[key] = nil
        blocks[block, default: [:]][key] = sample
        generated += 1
        pending.append(AuxiliaryRecord(pool: handle.id, callID: callID, model: handle.modelName,
                                       sample: sample.stored(itemID: item.id, seedIndex: seedIndex, requestSeed: seed)))
        if pending.count >= 256 { try await flush() }
        return sample
    }

    /// Writes the calls not yet recorded.
    public func flush() async throws {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending.removeAll(keepingCapacity: true)
        try await store.recordAuxiliary(batch)
    }

    private func load(_ block: BlockKey) async throws {
        if let task = loading[block] {
            let loaded = try await task.value
            if blocks[block] == nil { blocks[block] = loaded }
            return
        }
        let store = self.store
        // A row without text is a failed call of a database before schema 8: missing, made again.
        let task = Task {
            try await store.auxiliaryCalls(pool: block.pool, seedIndex: block.seedIndex).filter { $0.value.text != nil }.mapValues(Sample.init)
        }
        loading[block] = task
        let loaded = try await task.value
        loading[block] = nil
        if blocks[block] == nil { blocks[block] = loaded } else { blocks[block]!.merge(loaded) { current, _ in current } }
    }

    /// Records pending calls, then forgets the calls of a seed index (bounded memory).
    public func evict(seedIndex: Int) async throws {
        try await flush()
        for key in blocks.keys where key.seedIndex == seedIndex && (inflight[key]?.isEmpty ?? true) {
            blocks[key] = nil
            inflight[key] = nil
        }
    }
}
