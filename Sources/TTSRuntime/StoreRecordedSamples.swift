import TTSSeams
import TTSStore

/// A replayed database, read through the store's read-only reader.
struct StoreRecordedSamples: RecordedSamples {
    let reader: StoreReader

    init(path: String) throws {
        reader = try StoreReader(path: path)
    }

    func completion(itemID: String, temperature: Double, requestSeed: UInt64) throws -> Completion? {
        guard let s = try reader.sample(itemID: itemID, temperature: temperature, requestSeed: requestSeed), let text = s.text else {
            return nil
        }
        var c = Completion(text: text, finishReason: s.finishReason ?? "", promptTokens: s.promptTokens ?? 0,
                           completionTokens: s.completionTokens ?? 0, latencyMs: s.latencyMs ?? 0,
                           tokensEstimated: s.tokensEstimated)
        c.attempts = 0
        c.cached = true
        // Already split when recorded: the thinking and the unfinished mark come back as they were.
        c.reasoning = s.reasoning
        c.reasoningTokens = s.reasoningTokens ?? 0
        c.thinkingUnfinished = s.extractRule == AnswerExtractor.unfinishedThinkingRule
        return c
    }
}
