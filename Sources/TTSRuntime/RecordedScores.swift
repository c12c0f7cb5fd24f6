import TTSCore
import TTSSeams
import TTSSuite

/// The `ScoreRecorder` of a run: every request of a scoring verifier (a reward model's score, a
/// PRM's step scores) is a recorded call, made once through the `CallPool` (cached in the
/// store, read back on resume, shared with concurrent callers), and added to the item's
/// `VerifierCallTally` at the endpoint's price.
///
/// A score does not depend on the seed (the request holds everything that shapes it), so the
/// calls of one endpoint are recorded under seed index 0 of its own pool, keyed by a digest of
/// the request's bytes, and shared by every seed run and system that sends the same request.
///
/// ```swift
/// resources.scores = RecordedScores(pool: pool, suiteSeed: suite.seed, taskDigest: task.digest, extraction: .boxed)
/// ```
struct RecordedScores: ScoreRecorder {
    let pool: CallPool
    let suiteSeed: UInt64
    let taskDigest: String
    let extraction: AnswerExtraction

    /// The pool of a scoring endpoint (its canonical description, `EndpointCalls.endpoint`): apart
    /// from every model's pool, keyed by the suite seed and the task. `verifier` names the answerer.
    static func handle(endpoint: String, verifier: String, suiteSeed: UInt64, taskDigest: String) -> CallPool.Handle {
        let id = String(SHA256.hex("scorer\nsuite-seed=\(suiteSeed)\nendpoint=\(endpoint)\ntask=\(taskDigest)").prefix(24))
        return CallPool.Handle(id: id, modelName: verifier, deterministic: false)
    }

    /// The call id of a request: "score-" and a digest of its bytes.
    static func callID(_ body: [UInt8]) -> String {
        "score-" + SHA256.hex(bytes: body).prefix(32)
    }

    func reply(to call: ScoringCall, item: TaskItem, make: @escaping @Sendable () async throws -> Completion) async throws -> Completion {
        let handle = Self.handle(endpoint: call.endpoint, verifier: call.verifier, suiteSeed: suiteSeed, taskDigest: taskDigest)
        let id = Self.callID(call.body)
        let seed = pool.requestSeed(pool: handle.id, item: item.id, seedIndex: 0, callID: id)
        let sample = try await pool.recorded(callID: id, temperature: 0, handle: handle, item: item, extraction: extraction,
                                             seedIndex: 0, seed: seed, make: make)
        guard let completion = sample.completion else {
            throw ModelError(model: call.verifier, message: sample.error ?? "the scoring call returned no reply")
        }
        VerifierCallTally.current?.add(completion, usd: CallPrice.usd(completion, call.price))
        return completion
    }
}
