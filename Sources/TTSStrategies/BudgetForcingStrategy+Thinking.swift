import TTSCore
import TTSSuite
import TTSSeams

extension BudgetForcingStrategy {
    /// s1-style budget forcing of a reasoning model's thinking (`thinking_budget` of the model):
    /// when the first trace thought longer than the budget, or was cut off inside its thinking,
    /// its thinking is stopped at the budget (the first `tokens` of it, in proportion to its
    /// recorded thinking tokens), the thinking is closed and the final answer is asked for; a
    /// trace that finished thinking within the budget keeps its own answer. Nil when the
    /// first trace has no thinking (the strategy's usual cue extensions apply).
    func forceThinking(_ first: Sample, budget: (tokens: Int, options: ReasoningOptions), context: StrategyContext) async throws -> Outcome? {
        guard let c = first.completion, first.error == nil, c.reasoning != nil || c.thinkingUnfinished else { return nil }
        let thinking = c.reasoning ?? ""
        let over = c.reasoningTokens > budget.tokens
        guard over || c.thinkingUnfinished else {
            // Finished thinking within the budget: the trace's own answer.
            let detail = "thought \(c.reasoningTokens) of \(budget.tokens) thinking tokens"
            guard let answer = first.answer else { return Outcome(answer: nil, correct: false, samples: [first], detail: "\(detail); no answer") }
            let verdict = try await context.verifier.verify(first.candidate, item: context.item)
            return Outcome(answer: answer, correct: verdict.correct ?? false, samples: [first], detail: "\(detail); \(verdict.detail)")
        }
        let kept = over && c.reasoningTokens > 0
            ? String(thinking.prefix(Int(Double(thinking.count) * Double(budget.tokens) / Double(c.reasoningTokens))))
            : thinking
        let prefix = budget.options.open + kept + budget.options.close + BudgetForcingParameters.concludeCue
        let call = AuxiliaryCall(tag: "think-stop", messages: context.source.messages(for: context.item) + [ChatMessage(role: "assistant", content: prefix)],
                                 temperature: temperature, maxTokens: parameters.answerTokens, purpose: .conclude)
        let s = try await context.source.auxiliary(call, for: context.item)
        let how = "thinking stopped at \(budget.tokens) of \(c.reasoningTokens)\(c.thinkingUnfinished ? " (cut off)" : "") tokens, final answer asked"
        guard let reply = s.completion, s.error == nil else {
            return Outcome(answer: nil, correct: false, samples: [first, s], detail: "\(how): the call failed")
        }
        let text = BudgetForcingParameters.concludeCue + reply.text
        guard let answer = context.source.extractAnswer(text) else {
            return Outcome(answer: nil, correct: false, samples: [first, s], detail: "\(how); no answer")
        }
        let verdict = try await context.verifier.verify(Candidate(text: text, answer: answer), item: context.item)
        return Outcome(answer: answer, correct: verdict.correct ?? false, samples: [first, s], detail: "\(how); \(verdict.detail)")
    }
}
