import TTSCore
import TTSModels
import TTSSeams
import TTSStore
import TTSSuite

/// Auxiliary calls: one call each (fuser, refinement round, continuation, a judge's verdict, a
/// reward endpoint's score), keyed by a call id that digests the request, so two systems making
/// the same request on the same pool share the call as they share pooled samples.
extension CallPool {
    /// The request seed of an auxiliary call: sent to real endpoints as `seed`, and the
    /// simulated backend's RNG seed.
    public func requestSeed(pool: String, item: String, seedIndex: Int, callID: String) -> UInt64 {
        StableHasher("aux", suiteSeed, pool, item, seedIndex, callID).finalize()
    }

    /// A model call outside the pool's samples. `seed`: the request seed when the caller derives
    /// its own (a judge's verdict seed), else `requestSeed(pool:item:seedIndex:callID:)`.
    public func call(_ call: AuxiliaryCall, handle: Handle, client: any ModelClient, topP: Double,
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
    /// A failed request (`RequestFailure`, or a `PartialGenerationError`'s) is not a result:
    /// nothing is recorded, the item stays unfinished, and the next run makes the call again.
    public func recorded(callID: String, temperature: Double, handle: Handle, item: TaskItem, extraction: AnswerExtraction,
                         seedIndex: Int, seed: UInt64, make: @escaping @Sendable () async throws -> Completion) async throws -> Sample {
        let block = BlockKey(table: .auxiliary, pool: handle.id, seedIndex: seedIndex)
        let key = CallKey.auxiliary(AuxiliaryKey(item: item.id, callID: callID))
        let found = try await resolve([key], in: block) { _ in
            let completion: Completion
            do {
                completion = try await make()
            } catch let partial as PartialGenerationError {
                throw partial.requestFailure
            }
            let sample = Sample(sampleIndex: -1, temperature: temperature, completion: completion, extracting: extraction, item: item)
            try await queue(AuxiliaryRecord(pool: handle.id, callID: callID, model: handle.modelName,
                                            sample: sample.stored(itemID: item.id, seedIndex: seedIndex, requestSeed: seed)))
            return ([key: sample], nil)
        }
        return found[0]
    }
}
