@testable import TTSSuite
@testable import TTSCore
import Testing
@testable import TTSSeams
@testable import TTSStrategies
@testable import TTSVerifiers

@Suite struct StrategyWeightedMajorityTests {
    /// Three poorly rewarded votes for 5 against two well rewarded votes for 4: majority says 5,
    /// weighted majority says 4.
    @Test func wellRewardedVotesOutweighMoreNumerousOnes() async throws {
        let source = StrategyScriptedSource(script: [0.8: [.init(answer: "5"), .init(answer: "4"), .init(answer: "5"),
                                                           .init(answer: "4"), .init(answer: "5")]])
        let scorers: [String: any Verifier] = ["rm": FixedRewardScorer(rewards: ["5": -2, "4": 3])]
        let ctx = strategyContext(strategyScriptedItem, source, scorers: scorers)
        let majority = try await MajorityStrategy(n: 5, temperature: 0.8).solve(ctx)
        let weighted = try await WeightedMajorityStrategy(n: 5, temperature: 0.8, scorer: "rm").solve(ctx)
        #expect(majority.answer == "5")
        #expect(weighted.answer == "4")
        #expect(weighted.correct)
        #expect(weighted.calls == 5)
        #expect(weighted.detail.contains("2/5 votes"))
    }

    /// With equal rewards, weighted majority is majority; with raw weighting, negative rewards
    /// count for nothing.
    @Test func weightingModes() async throws {
        let source = StrategyScriptedSource(script: [0.8: [.init(answer: "5"), .init(answer: "4"), .init(answer: "5")]])
        let flat = strategyContext(strategyScriptedItem, source, scorers: ["rm": FixedRewardScorer(rewards: ["5": 1, "4": 1])])
        #expect(try await WeightedMajorityStrategy(n: 3, temperature: 0.8, scorer: "rm").solve(flat).answer == "5")
        let raw = strategyContext(strategyScriptedItem, source, scorers: ["rm": FixedRewardScorer(rewards: ["5": -1, "4": 0.1])])
        #expect(try await WeightedMajorityStrategy(n: 3, temperature: 0.8, scorer: "rm", weighting: .raw).solve(raw).answer == "4")
        // Under sigmoid, two votes of σ(−1) ≈ 0.27 each beat one of σ(0.1) ≈ 0.52.
        #expect(try await WeightedMajorityStrategy(n: 3, temperature: 0.8, scorer: "rm", weighting: .sigmoid).solve(raw).answer == "5")
    }

    /// A reward model of AUC 0.8 makes the weighted vote better than the plain vote on the
    /// simulated backend (same samples).
    @Test func aGoodScorerBeatsPlainMajority() async throws {
        let source = StrategySimSource(model: strategyModel("mid", ability: 0.5))
        let scorers: [String: any Verifier] = ["rm": SimulatedRewardVerifier(name: "rm", auc: 0.8, suiteSeed: 3)]
        let maj = accuracy(of: try await strategyOutcomes(MajorityStrategy(n: 8, temperature: 0.8), source))
        let weighted = accuracy(of: try await strategyOutcomes(WeightedMajorityStrategy(n: 8, temperature: 0.8, scorer: "rm"), source,
                                                               scorers: scorers))
        #expect(weighted > maj + 0.02, "weighted \(weighted) vs majority \(maj)")
    }
}
