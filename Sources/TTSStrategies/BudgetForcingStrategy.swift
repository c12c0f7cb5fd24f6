import TTSCore
import TTSSuite
import TTSSeams
/// Budget forcing (s1): control how long a trace thinks, within a token budget per item.
///
/// The first completion is pooled sample 0, drawn with `max_tokens = budget − answer_tokens`.
/// - If it **stops early** (finish `stop`, fewer than `min_tokens` completion tokens so far) and
///   fewer than `max_waits` cues were used, the cue (default "Wait") is appended to the trace and
///   the model continues it (the request's last message is the assistant's text so far, which
///   the server continues; the continuation may use what is left of the reasoning budget).
/// - If it **reaches the budget** (finish `length`), the trace is cut there, "Time is up. The
///   final answer is $\boxed{" is appended, and the model completes it with at most the tokens
///   left (at least `answer_tokens`).
/// The answer is extracted from the whole trace (the last `\boxed{}` wins).
/// - With a reasoning model that has a `thinking_budget`, the budget applies to the thinking:
///   see `forceThinking` (BudgetForcingStrategy+Thinking.swift).
///
/// Cost: every call is counted. The completion tokens of all calls together never exceed
/// `budget`; prompt tokens grow with each continuation, which re-sends the trace.
public struct BudgetForcingStrategy: Strategy {
    public var parameters: BudgetForcingParameters
    public var temperature: Double

    public init(parameters: BudgetForcingParameters, temperature: Double) {
        self.parameters = parameters
        self.temperature = temperature
    }

    public func solve(_ context: StrategyContext) async throws -> Outcome {
        let p = parameters
        let reasoningBudget = p.budget - p.answerTokens
        let first = try await context.source.samples(for: context.item, temperature: temperature, indices: 0..<1)
        guard first[0].error == nil, let completion = first[0].completion else {
            return Outcome(answer: nil, correct: false, samples: first, detail: "first completion failed: \(first[0].error ?? "?")")
        }
        if let budget = context.source.thinkingBudget, let forced = try await forceThinking(first[0], budget: budget, context: context) {
            return forced
        }
        let task = context.source.messages(for: context.item)
        var text = completion.text
        var used = completion.completionTokens
        var finish = completion.finishReason
        var calls: [Sample] = []
        var waits = 0
        var steps: [String] = ["\(used) tokens (\(finish))"]
        var answer: String?
        while true {
            if finish == "length" || used >= reasoningBudget {
                let prefix = text + BudgetForcingParameters.concludeCue
                let call = AuxiliaryCall(tag: "conclude", messages: task + [ChatMessage(role: "assistant", content: prefix)],
                                         temperature: temperature, maxTokens: max(1, p.budget - used), purpose: .conclude)
                let s = try await context.source.auxiliary(call, for: context.item)
                calls.append(s)
                if let c = s.completion, s.error == nil {
                    text = prefix + c.text
                    used += c.completionTokens
                    steps.append("cut, final answer asked: +\(c.completionTokens)")
                } else {
                    steps.append("cut, final-answer call failed")
                }
                answer = context.source.extractAnswer(text)
                break
            }
            guard used < p.minTokens, waits < p.maxWaits else {
                answer = context.source.extractAnswer(text)
                break
            }
            let prefix = text + "\n\n" + p.cue
            let call = AuxiliaryCall(tag: "wait-\(waits + 1)", messages: task + [ChatMessage(role: "assistant", content: prefix)],
                                     temperature: temperature, maxTokens: reasoningBudget - used,
                                     purpose: .continue(previous: context.source.extractAnswer(text)))
            let s = try await context.source.auxiliary(call, for: context.item)
            calls.append(s)
            waits += 1
            guard let c = s.completion, s.error == nil else {
                steps.append("\(p.cue) \(waits): failed")
                answer = context.source.extractAnswer(text)
                break
            }
            text = prefix + c.text
            used += c.completionTokens
            finish = c.finishReason
            steps.append("\(p.cue) \(waits): +\(c.completionTokens) (\(finish))")
        }
        let how = steps.joined(separator: " → ") + "; \(used)/\(p.budget) completion tokens"
        guard let answer else {
            return Outcome(answer: nil, correct: false, samples: first + calls, detail: "\(how); no answer")
        }
        let verdict = try await context.verifier.verify(Candidate(text: text, answer: answer), item: context.item)
        return Outcome(answer: answer, correct: verdict.correct ?? false, samples: first + calls, detail: "\(how); \(verdict.detail)")
    }
}

extension BudgetForcingStrategy: StrategyMaker {
    public init(_ kind: BudgetForcingKind, spec: StrategySpec) { self.init(parameters: kind.parameters, temperature: spec.temperature) }
}
