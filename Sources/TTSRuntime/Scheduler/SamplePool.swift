import TTSCore
import TTSStore
import TTSSuite
/// The shared pool of samples: (pool, item, seed index, temperature, sample index) → sample.
///
/// A strategy asking for samples 0..<4 reads the first four samples that a strategy with
/// n = 8 on the same model, temperature and seed reads (paired comparisons, fewer calls).
/// Recorded samples are read back from the store; missing ones are generated once, even
/// when several strategies ask for them concurrently, and recorded as they complete.
public actor SamplePool {
    public struct Handle: Sendable, Hashable {
        /// Identifies the generator and everything else that shapes a sample except the
        /// temperature and indices: model fingerprint, task, prompt, decoding limits, pool tag.
        public var id: String
        public var modelName: String
        public init(id: String, modelName: String) {
            self.id = id
            self.modelName = modelName
        }
    }

    private struct BlockKey: Hashable {
        var pool: String
        var seedIndex: Int
    }

    private let store: Store
    private let suiteSeed: UInt64
    private var blocks: [BlockKey: [SampleKey: Sample]] = [:]
    private var loading: [BlockKey: Task<[SampleKey: Sample], Error>] = [:]
    private var inflight: [BlockKey: [SampleKey: Task<[Sample], Error>]] = [:]
    public private(set) var generated = 0

    private let onGenerated: @Sendable (Int) -> Void

    public init(store: Store, suiteSeed: UInt64, onGenerated: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.store = store
        self.suiteSeed = suiteSeed
        self.onGenerated = onGenerated
    }

    /// The per-sample seed: sent to real endpoints as `seed`, and the simulated backend's RNG seed.
    public nonisolated func requestSeed(pool: String, item: String, seedIndex: Int, temperature: Double, sampleIndex: Int) -> UInt64 {
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

    public func samples(
        handle: Handle, client: any ModelClient, request: @Sendable (UInt64, [UInt64], Int) -> GenerationRequest,
        item: TaskItem, extraction: AnswerExtraction, seedIndex: Int, temperature: Double, indices: Range<Int>
    ) async throws -> [Sample] {
        let block = BlockKey(pool: handle.id, seedIndex: seedIndex)
        if blocks[block] == nil { try await loadBlock(block) }

        var missing: [Int] = []
        var waits: [(Int, Task<[Sample], Error>, Int)] = []  // (index, task, position in task)
        for i in indices {
            let key = SampleKey(item: item.id, temperature: temperature, sampleIndex: i)
            if blocks[block]?[key] != nil { continue }
            if let task = inflight[block]?[key] {
                waits.append((i, task, -1))
            } else {
                missing.append(i)
            }
        }
        if !missing.isEmpty {
            let seeds = missing.map { requestSeed(pool: handle.id, item: item.id, seedIndex: seedIndex, temperature: temperature, sampleIndex: $0) }
            let missingIndices = missing
            let store = self.store
            let poolID = handle.id
            var req = request(seeds[0], seeds, missingIndices.count)
            req.context?.seedIndex = seedIndex
            req.context?.sampleIndices = missingIndices
            let task = Task<[Sample], Error> {
                let samples: [Sample]
                do {
                    let completions = try await client.generate(req)
                    guard completions.count == missingIndices.count else {
                        throw ModelError(model: handle.modelName, message: "asked for \(missingIndices.count) completions, got \(completions.count)")
                    }
                    samples = zip(missingIndices, completions).map { index, completion in
                        Sample(sampleIndex: index, temperature: temperature, completion: completion, extracting: extraction, item: item)
                    }
                } catch let error as CancellationError {
                    throw error
                } catch let error as ReplayExhaustedError {
                    throw error  // the suite asks for more than was imported: stop, never score a gap as wrong
                } catch let partial as PartialGenerationError where partial.completions.count == missingIndices.count {
                    // Some samples of the request came back, others failed for good: keep both.
                    samples = missingIndices.enumerated().map { position, index in
                        let c = partial.completions[position]
                        return Sample(sampleIndex: index, temperature: temperature, completion: c, extracting: extraction, item: item,
                                      error: c == nil ? (partial.errors[position] ?? "model '\(partial.model)': failed") : nil)
                    }
                } catch {
                    // A sample that still fails after the client's retries is recorded with its
                    // error: it counts as incorrect and the run goes on.
                    samples = missingIndices.map {
                        Sample(sampleIndex: $0, temperature: temperature, completion: nil, answer: nil, error: "\(error)")
                    }
                }
                try await store.record(zip(samples, seeds).map {
                    SampleRecord(pool: poolID, sample: $0.stored(itemID: item.id, seedIndex: seedIndex, requestSeed: $1))
                })
                return samples
            }
            for (position, i) in missing.enumerated() {
                inflight[block, default: [:]][SampleKey(item: item.id, temperature: temperature, sampleIndex: i)] = task
                waits.append((i, task, position))
            }
            let produced = try await task.value
            generated += produced.count
            onGenerated(produced.count)
            for sample in produced {
                let key = SampleKey(item: item.id, temperature: temperature, sampleIndex: sample.sampleIndex)
                blocks[block, default: [:]][key] = sample
                inflight[block]?[key] = nil
            }
        }
        for (i, task, _) in waits {
            let key = SampleKey(item: item.id, temperature: temperature, sampleIndex: i)
            if blocks[block]?[key] == nil {
                let produced = try await task.value
                if let s = produced.first(where: { $0.sampleIndex == i }) { blocks[block, default: [:]][key] = s }
            }
        }
        return try indices.map { i in
            guard let s = blocks[block]?[SampleKey(item: item.id, temperature: temperature, sampleIndex: i)] else {
                throw ModelError(model: handle.modelName, message: "sample \(i) of item \(item.id) is missing from the pool")
            }
            return s
        }
    }

    private func loadBlock(_ block: BlockKey) async throws {
        if let task = loading[block] {
            let loaded = try await task.value
            if blocks[block] == nil { blocks[block] = loaded }
            return
        }
        let store = self.store
        let task = Task { try await store.samples(pool: block.pool, seedIndex: block.seedIndex).mapValues(Sample.init) }
        loading[block] = task
        let loaded = try await task.value
        loading[block] = nil
        if blocks[block] == nil { blocks[block] = loaded } else {
            blocks[block]!.merge(loaded) { current, _ in current }
        }
    }

    /// Forgets the samples of a seed index once no seed run needs them (bounded memory).
    public func evict(seedIndex: Int) {
        for key in blocks.keys where key.seedIndex == seedIndex && (inflight[key]?.isEmpty ?? true) {
            blocks[key] = nil
            inflight[key] = nil
        }
    }
}
