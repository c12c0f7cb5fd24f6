import TTSCore
import TTSModels
import TTSSeams
import TTSStore
import TTSSuite

/// Pooled samples: a strategy asking for samples 0..<4 reads the first four samples that a
/// strategy with n = 8 on the same model, temperature and seed reads (paired comparisons, fewer
/// calls). The missing samples of one ask are generated in one request (`n` of them).
extension CallPool {
    /// The per-sample seed: sent to real endpoints as `seed`, and the simulated backend's RNG seed.
    public func requestSeed(pool: String, item: String, seedIndex: Int, temperature: Double, sampleIndex: Int) -> UInt64 {
        var h = StableHasher()  // combined one by one: every sample passes here
        h.combine("sample")
        h.combine(suiteSeed)
        h.combine(pool)
        h.combine(item)
        h.combine(seedIndex)
        h.combine(temperature)
        h.combine(sampleIndex)
        return h.finalize()
    }

    /// Samples `indices` of the item at `temperature`, generated where missing with `request`
    /// (given the first sample's seed, every sample's seed and their count).
    public func samples(
        handle: Handle, client: any ModelClient, request: @Sendable (UInt64, [UInt64], Int) -> GenerationRequest,
        item: TaskItem, extraction: AnswerExtraction, seedIndex: Int, temperature: Double, indices: Range<Int>
    ) async throws -> [Sample] {
        // A deterministic model at temperature 0: every seed reads seed 0's samples, at no cost.
        let seedIndex = handle.deterministic && temperature == 0 ? 0 : seedIndex
        let block = BlockKey(table: .samples, pool: handle.id, seedIndex: seedIndex)
        let keys = indices.map { CallKey.sample(SampleKey(item: item.id, temperature: temperature, sampleIndex: $0)) }
        return try await resolve(keys, in: block) { missing in
            let indices = missing.map { key -> Int in
                guard case .sample(let k) = key else { preconditionFailure("a sample block holds samples") }
                return k.sampleIndex
            }
            let (samples, failure) = try await generate(indices, handle: handle, client: client, request: request, item: item,
                                                        extraction: extraction, seedIndex: seedIndex, temperature: temperature)
            countSamples(samples.count)
            let made = samples.map { (CallKey.sample(SampleKey(item: item.id, temperature: temperature, sampleIndex: $0.sampleIndex)), $0) }
            return (Dictionary(uniqueKeysWithValues: made), failure)
        }
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
}
