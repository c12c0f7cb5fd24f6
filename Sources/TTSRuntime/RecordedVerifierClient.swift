import TTSCore
import TTSSeams
import TTSSuite

/// The model client a verifier (a judge) is handed: its calls are recorded calls, made once
/// through the `CallPool` (cached in the store, replayed on resume with the same request
/// seed), priced at the judge's own model's price, and added to the item's `VerifierCallTally`.
///
/// A judge's verdict does not depend on the seed index (its seed hashes the candidate), so its
/// calls are recorded under seed index 0 of the judge model's verifier pool and shared by every
/// seed run and system that asks the same question.
struct RecordedVerifierClient: ModelClient {
    let inner: any ModelClient
    let pool: CallPool
    let handle: CallPool.Handle
    /// USD per million (input, output) tokens of the judge's model, when priced.
    let price: (input: Double, output: Double)?
    let extraction: AnswerExtraction

    /// The verifier pool of a model: apart from every generator pool, keyed by the suite seed,
    /// the model's fingerprint and the task.
    static func handle(model: ModelSpec, suiteSeed: UInt64, taskDigest: String) -> CallPool.Handle {
        let id = String(SHA256.hex("verifier\nsuite-seed=\(suiteSeed)\nmodel=\(model.fingerprint)\ntask=\(taskDigest)").prefix(24))
        return CallPool.Handle(id: id, modelName: model.name, deterministic: false)
    }

    func generate(_ request: GenerationRequest) async throws -> [Completion] {
        // Only single, item-bound calls are recorded (what a judge makes); anything else passes through.
        guard request.n == 1, let context = request.context else { return try await inner.generate(request) }
        let call = AuxiliaryCall(tag: "verify", messages: request.messages, temperature: request.temperature,
                                 maxTokens: request.maxTokens, stop: request.stop, purpose: context.purpose)
        let sample = try await pool.call(call, handle: handle, client: inner, topP: request.topP, item: context.item,
                                         extraction: extraction, seedIndex: 0, seed: request.seed)
        guard let completion = sample.completion else {
            throw ModelError(model: handle.modelName, message: sample.error ?? "the verifier call returned no completion")
        }
        VerifierCallTally.current?.add(completion, usd: CallPrice.usd(completion, price))
        return [completion]
    }
}

/// US dollars of one call at a model's price per million (input, output) tokens.
enum CallPrice {
    static func usd(_ completion: Completion, _ price: (input: Double, output: Double)?) -> Double? {
        price.map { (Double(completion.promptTokens) * $0.input + Double(completion.completionTokens) * $0.output) / 1e6 }
    }

    /// The sample priced at its model's price.
    static func priced(_ sample: Sample, _ price: (input: Double, output: Double)?) -> Sample {
        guard let completion = sample.completion, let usd = usd(completion, price) else { return sample }
        var priced = sample
        priced.usd = usd
        return priced
    }
}
