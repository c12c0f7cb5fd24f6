@testable import TTSSuite
@testable import TTSCore
import Testing
@testable import TTSStrategies

@Suite struct StrategyBudgetForcingTests {
    func forcing(budget: Int, minTokens: Int, maxWaits: Int = 2, answerTokens: Int = 16) -> BudgetForcingStrategy {
        BudgetForcingStrategy(parameters: BudgetForcingParameters(budget: budget, minTokens: minTokens, maxWaits: maxWaits, cue: "Wait",
                                                                  answerTokens: answerTokens), temperature: 0.8)
    }

    /// The completion tokens of all calls never exceed the budget; a tight budget cuts most
    /// traces and asks for the final answer, which is still extracted.
    @Test func completionTokensRespectTheBudget() async throws {
        for budget in [60, 150, 400] {
            var source = StrategySimSource(model: strategyModel("mid", ability: 0.5))
            source.maxTokens = budget - 16  // the pool's max_tokens for this strategy (budget − answer_tokens)
            let results = try await strategyOutcomes(forcing(budget: budget, minTokens: budget / 2), source,
                                                     items: Array(strategyItems.prefix(120)))
            for r in results { #expect(r.completionTokens <= budget, "budget \(budget): \(r.detail)") }
            if budget == 60 {
                let cut = results.filter { $0.detail.contains("cut, final answer asked") }
                #expect(cut.count > results.count / 2)
                #expect(cut.filter { $0.answer != nil }.count == cut.count)
                let anyCorrect = cut.contains { $0.correct }
                #expect(anyCorrect)
            }
        }
    }

    /// Early stops get the cue: the continuation request ends with the trace so far plus "Wait"
    /// as the assistant's turn, and at most max_waits cues are used.
    @Test func earlyStopsAreExtendedWithTheCue() async throws {
        var source = StrategySimSource(model: strategyModel("mid", ability: 0.5))
        source.maxTokens = 4000 - 16
        let item = strategyItems[1]
        let outcome = try await forcing(budget: 4000, minTokens: 3000, maxWaits: 2).solve(strategyContext(item, source))
        #expect(outcome.calls == 3)
        let calls = source.log.calls
        #expect(calls.map(\.tag) == ["wait-1", "wait-2"])
        let first = try await source.samples(for: item, temperature: 0.8, indices: 0..<1)[0]
        #expect(calls[0].messages.last!.role == "assistant")
        #expect(calls[0].messages.last!.content == first.completion!.text + "\n\nWait")
        #expect(calls[1].messages.last!.content.hasPrefix(first.completion!.text + "\n\nWait"))
        #expect(calls[1].messages.last!.content.hasSuffix("\n\nWait"))
        #expect(calls[0].maxTokens == 4000 - 16 - first.completion!.completionTokens)
    }

    /// Continuing can fix a wrong answer (and the answer is the trace's last), so forcing more
    /// thinking helps a mid model over its first completions.
    @Test func continuingFixesSomeWrongAnswers() async throws {
        var source = StrategySimSource(model: strategyModel("mid", ability: 0.5))
        source.maxTokens = 4000 - 16
        let forced = try await strategyOutcomes(forcing(budget: 4000, minTokens: 3000, maxWaits: 2), source)
        let first = try await strategyOutcomes(SingleStrategy(temperature: 0.8), source)
        let fixed = zip(first, forced).filter { !$0.correct && $1.correct }.count
        #expect(fixed > 10)
        #expect(accuracy(of: forced) > accuracy(of: first) + 0.03, "forced \(accuracy(of: forced)) first \(accuracy(of: first))")
        // No cue when the trace is already long enough.
        let none = try await strategyOutcomes(forcing(budget: 4000, minTokens: 0), source, items: Array(strategyItems.prefix(30)))
        #expect(none.allSatisfy { !$0.detail.contains("Wait") && $0.calls <= 2 })
    }
}
