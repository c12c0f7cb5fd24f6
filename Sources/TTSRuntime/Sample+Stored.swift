import TTSStore
import TTSSeams

/// Samples as the store records them: the runtime's `Sample` (with its `Completion`) to and
/// from the store's plain `StoredSample`.
extension Sample {
    /// A recorded sample. One with an error has text: a refusal about the input (context length,
    /// content filter), whose error is the cause. (Rows without text are failed requests of
    /// databases before schema 8; the schema-8 upgrade removes them, and the pool never reads them.)
    init(_ stored: StoredSample) {
        var completion: Completion? = nil
        if stored.error == nil || stored.text != nil {
            var c = Completion(text: stored.text ?? "", finishReason: stored.finishReason ?? "", promptTokens: stored.promptTokens ?? 0,
                               completionTokens: stored.completionTokens ?? 0, latencyMs: stored.latencyMs ?? 0,
                               tokensEstimated: stored.tokensEstimated)
            c.attempts = stored.attempts ?? 1
            c.retryLog = stored.retryLog
            c.cost = stored.cost
            c.logprobs = stored.logprobs
            c.cached = stored.cached
            c.refusal = stored.error
            c.reasoning = stored.reasoning
            c.reasoningTokens = stored.reasoningTokens ?? 0
            c.thinkingUnfinished = stored.extractRule == AnswerExtractor.unfinishedThinkingRule
            completion = c
        }
        self.init(sampleIndex: stored.sampleIndex, temperature: stored.temperature, completion: completion,
                  answer: stored.answer, error: stored.error, extractRule: stored.extractRule)
    }

    /// This sample as the store records it.
    func stored(itemID: String, seedIndex: Int, requestSeed: UInt64) -> StoredSample {
        let c = completion
        let attempts: Int? = c?.attempts
        return StoredSample(itemID: itemID, seedIndex: seedIndex, temperature: temperature, sampleIndex: sampleIndex,
                            requestSeed: requestSeed, text: c?.text, answer: answer, finishReason: c?.finishReason,
                            promptTokens: c?.promptTokens, completionTokens: c?.completionTokens, latencyMs: c?.latencyMs,
                            error: error, tokensEstimated: c?.tokensEstimated ?? false, attempts: attempts, retryLog: c?.retryLog,
                            cost: c?.cost, logprobs: c?.logprobs, cached: c?.cached ?? false, extractRule: extractRule,
                            reasoning: c?.reasoning, reasoningTokens: c.map(\.reasoningTokens))
    }
}
