@testable import TTSSuite
import Testing
@testable import TTSStrategies

@Suite struct StrategyFirstFinishTests {
    /// The kept sample has the fewest completion tokens; ties go to the lower latency, then the
    /// lower index. The majority answer (5) is not what it keeps.
    @Test func keepsTheShortestWithTiesByLatencyThenIndex() async throws {
        let source = StrategyScriptedSource(script: [0.8: [
            .init(answer: "5", tokens: 300, latency: 100), .init(answer: "5", tokens: 250, latency: 900),
            .init(answer: "4", tokens: 120, latency: 2000), .init(answer: "7", tokens: 120, latency: 1500),
            .init(answer: "5", tokens: 400, latency: 50), .init(answer: "6", tokens: 120, latency: 1500),
        ]])
        let outcome = try await FirstFinishStrategy(n: 6, temperature: 0.8).solve(strategyContext(strategyScriptedItem, source))
        #expect(outcome.answer == "7")  // 120 tokens, latency 1500 (ties sample 5 on both: lower index wins)
        #expect(outcome.detail.hasPrefix("kept sample 3 (120 tokens"))
        #expect(outcome.detail.contains("wall-clock order [4,0,1,3,5,2]"))
        #expect(outcome.calls == 6)
        // Charged as if the others were cancelled when sample 3 finished: 6 × 120 tokens.
        #expect(outcome.completionTokens == 6 * 120)
        let two = try await FirstFinishStrategy(n: 3, temperature: 0.8).solve(strategyContext(strategyScriptedItem, source))
        #expect(two.answer == "4")
    }

    /// On the simulated backend every kept answer is the shortest sample's, and first-finish
    /// beats a single sample at the same temperature (correct traces are shorter on average),
    /// for fewer tokens than the n full samples.
    @Test func onTheSimulatedBackendItKeepsTheShortestAndBeatsSingle() async throws {
        let source = StrategySimSource(model: strategyModel("mid", ability: 0.5))
        let items = Array(strategyItems.prefix(250))
        let ffs = try await strategyOutcomes(FirstFinishStrategy(n: 8, temperature: 0.8), source, items: items)
        let single = try await strategyOutcomes(SingleStrategy(temperature: 0.8), source, items: items)
        let majority = try await strategyOutcomes(MajorityStrategy(n: 8, temperature: 0.8), source, items: items)
        for (item, outcome) in zip(items, ffs) {
            let samples = try await source.samples(for: item, temperature: 0.8, indices: 0..<8)
            let shortest = samples.min { FirstFinishStrategy.finishKey($0) < FirstFinishStrategy.finishKey($1) }!
            #expect(outcome.answer == shortest.answer)
            #expect(outcome.completionTokens == 8 * shortest.completion!.completionTokens)
            #expect(outcome.completionTokens < samples.reduce(0) { $0 + $1.completion!.completionTokens })
        }
        #expect(accuracy(of: ffs) > accuracy(of: single) + 0.05, "ffs \(accuracy(of: ffs)) single \(accuracy(of: single))")
        #expect(zip(ffs, majority).contains { $0.answer != $1.answer })
    }
}
