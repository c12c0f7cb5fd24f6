@testable import TTSSuite
@testable import TTSCore
@testable import TTSSeams
@testable import TTSStrategies
@testable import TTSVerifiers
import AdaStop
import Foundation
import Testing

/// The adaptive votes: `adaptive_consistency`, `esc`, `confidence_consistency`.
@Suite struct StrategyAdaptiveTests {
    func scripted(_ answers: [String?], tokens: [Int]? = nil) -> StrategyScriptedSource {
        StrategyScriptedSource(script: [0.8: answers.enumerated().map { i, a in ScriptedSample(answer: a, tokens: tokens?[i] ?? 100) }])
    }

    /// Four unanimous samples fire the Beta rule at 0.95; only they are counted, one round each.
    @Test func adaptiveConsistencyStopsAfterFourAgreeingSamples() async throws {
        let source = scripted(["4", "4", "4", "4", "5", "5"], tokens: [100, 50, 70, 90, 10, 10])
        let outcome = try await AdaptiveConsistencyStrategy(maxN: 16, temperature: 0.8).solve(strategyContext(strategyScriptedItem, source))
        #expect(outcome.answer == "4" && outcome.correct)
        #expect(outcome.samplesUsed == 4 && outcome.calls == 4 && outcome.rounds == 4 && outcome.earlyExit == true)
        #expect(outcome.completionTokens == 310)
        #expect(outcome.sequentialTokens == 310, "one sample a round: every sample is on the critical path")
        #expect(outcome.detail.hasPrefix("stopped 4/16 samples in 4 rounds (P(leader) 0.969)"), "\(outcome.detail)")
    }

    /// Disagreement keeps reading; the answer is the majority of the prefix read; at max_n it stops.
    @Test func adaptiveConsistencyReadsOnWhileAnswersDisagree() async throws {
        // 5-1 after six (P = 0.9375) goes on; 6-1 after seven (P = 0.9648) stops.
        let source = scripted(["4", "7", "4", "4", "4", "4", "4", "7", "7", "7"])
        let outcome = try await AdaptiveConsistencyStrategy(maxN: 10, temperature: 0.8).solve(strategyContext(strategyScriptedItem, source))
        #expect(outcome.samplesUsed == 7 && outcome.answer == "4")
        let split = scripted(["4", "7", "4", "7", "9", "7"])
        let capped = try await AdaptiveConsistencyStrategy(maxN: 6, temperature: 0.8).solve(strategyContext(strategyScriptedItem, split))
        #expect(capped.samplesUsed == 6 && capped.earlyExit == false && capped.answer == "7")
        #expect(capped.detail.hasPrefix("read all 6/6 samples in 6 rounds"))
        // A minimum: no stop before min_n samples.
        let minimum = try await AdaptiveConsistencyStrategy(maxN: 16, minN: 6, temperature: 0.8)
            .solve(strategyContext(strategyScriptedItem, scripted(["4", "4", "4", "4", "4", "4", "4"])))
        #expect(minimum.samplesUsed == 6)
    }

    /// ESC reads windows in parallel and stops after a unanimous one; the answer is the majority of all read.
    @Test func escStopsAfterAUnanimousWindow() async throws {
        let source = scripted(["4", "5", "4", "4", "4", "4", "4", "4", "9", "9", "9", "9"],
                              tokens: [100, 300, 100, 100, 50, 60, 70, 80, 10, 10, 10, 10])
        let outcome = try await ESCStrategy(maxN: 12, window: 4, temperature: 0.8).solve(strategyContext(strategyScriptedItem, source))
        #expect(outcome.samplesUsed == 8 && outcome.rounds == 2 && outcome.answer == "4" && outcome.earlyExit == true)
        #expect(outcome.sequentialTokens == 300 + 80, "per window its longest sample")
        #expect(outcome.detail.contains("window 2 unanimous; 7/8 votes"), "\(outcome.detail)")
        // A sample without an answer breaks a window's unanimity.
        let gap = scripted(["4", "4", "4", nil, "4", "4", "4", "4"])
        let g = try await ESCStrategy(maxN: 8, window: 4, temperature: 0.8).solve(strategyContext(strategyScriptedItem, gap))
        #expect(g.samplesUsed == 8 && g.earlyExit == false && g.noAnswer == 1)
    }

    /// Confident agreement stops sooner than the unweighted rule; unconfident agreement later.
    @Test func confidenceWeightsTheVotes() async throws {
        let answers: [String?] = ["4", "5", "4", "4", "4", "4", "4", "4", "4", "4", "4", "4"]
        let plain = try await AdaptiveConsistencyStrategy(maxN: 12, minN: 2, temperature: 0.8)
            .solve(strategyContext(strategyScriptedItem, scripted(answers)))
        #expect(plain.samplesUsed == 7)
        let kind = ConfidenceConsistencyKind(maxN: 12, confidence: .reward, scorer: "rm")
        let confident = try await ConfidenceConsistencyStrategy(kind, temperature: 0.8)
            .solve(strategyContext(strategyScriptedItem, scripted(answers), scorers: ["rm": FixedRewardScorer(rewards: ["4": 3, "5": -3])]))
        #expect(confident.answer == "4" && confident.samplesUsed < plain.samplesUsed, "\(confident.detail)")
        let doubtful = try await ConfidenceConsistencyStrategy(kind, temperature: 0.8)
            .solve(strategyContext(strategyScriptedItem, scripted(answers), scorers: ["rm": FixedRewardScorer(rewards: ["4": -3, "5": 3])]))
        #expect(doubtful.samplesUsed > plain.samplesUsed, "\(doubtful.detail)")
        // Equal confidences give the unweighted rule.
        let equal = try await ConfidenceConsistencyStrategy(kind, temperature: 0.8)
            .solve(strategyContext(strategyScriptedItem, scripted(answers), scorers: ["rm": FixedRewardScorer(rewards: ["4": 1, "5": 1])]))
        #expect(equal.samplesUsed == plain.samplesUsed)
    }

    /// Log-probabilities as the chat and completions APIs return them.
    @Test func meanTokenProbabilityReadsBothAPIs() throws {
        let chat = #"{"content":[{"token":"4","logprob":-0.5,"top_logprobs":[]},{"token":"!","logprob":-1.5}]}"#
        #expect(abs(try #require(ConfidenceConsistencyStrategy.meanTokenProbability(chat)) - exp(-1.0)) < 1e-12)
        let completions = #"{"tokens":["a","b"],"token_logprobs":[null,-2.0,-4.0]}"#
        #expect(abs(try #require(ConfidenceConsistencyStrategy.meanTokenProbability(completions)) - exp(-3.0)) < 1e-12)
        #expect(ConfidenceConsistencyStrategy.meanTokenProbability("{}") == nil)
        #expect(ConfidenceConsistencyStrategy.meanTokenProbability("not json") == nil)
    }

    /// A model that records no log-probabilities is told so, naming the fix.
    @Test func logprobConfidenceWithoutLogprobsIsAClearError() async throws {
        let kind = ConfidenceConsistencyKind(maxN: 8, confidence: .logprobs)
        await #expect(throws: StrategyError.self) {
            _ = try await ConfidenceConsistencyStrategy(kind, temperature: 0.8).solve(strategyContext(strategyScriptedItem, scripted(["4", "4"])))
        }
    }

    @Test func kindsParseWithDefaultsLabelsAndErrors() throws {
        let yaml = suiteYAML(name: "adaptive", seed: 1, task: ["generate: {kind: arithmetic, items: 5, digits: 2}"],
                             models: ["m: {kind: simulated, ability: 1}"],
                             strategies: ["ac: {kind: adaptive_consistency, max_n: 16}",
                                          "acd: {kind: adaptive_consistency, max_n: 16, rule: dirichlet, threshold: 0.9, min_n: 3}",
                                          "esc: {kind: esc, max_n: 16, window: 4}",
                                          "esc5: {kind: esc, max_n: 40}",
                                          "cc: {kind: confidence_consistency, max_n: 16, scorer: rm}",
                                          "cclp: {kind: confidence_consistency, max_n: 16, confidence: logprobs}"],
                             systems: ["matrix: {model: m, strategy: [ac, acd, esc, esc5, cc, cclp], verifier: math}"])
        let suite = try SuiteLoader.load(data: Data(yaml.utf8), path: "adaptive.yaml")
        #expect(suite.strategy("ac")!.kind.label == "adaptive_consistency@16")
        #expect((suite.strategy("ac")!.kind as? AdaptiveConsistencyKind) == AdaptiveConsistencyKind(maxN: 16))
        #expect(suite.strategy("acd")!.kind.label == "adaptive_consistency-dirichlet-0.9-min3@16")
        #expect(suite.strategy("esc")!.kind.label == "esc-w4@16")
        #expect((suite.strategy("esc5")!.kind as? ESCKind)?.window == 5)
        #expect(suite.strategy("cc")!.kind.label == "confidence_consistency-rm@16")
        #expect(suite.strategy("cc")!.kind.scorerName == "rm")
        #expect(suite.strategy("cclp")!.kind.label == "confidence_consistency-logprobs@16")
        #expect(suite.strategy("ac")!.kind.samplesPerItem == 16)
        #expect(suite.strategy("ac")!.temperature == 0.8)

        for (line, message) in [
            ("x: {kind: adaptive_consistency, max_n: 16, threshold: 1}", "must be below 1"),
            ("x: {kind: adaptive_consistency, max_n: 16, threshold: 0.5}", "must be greater than 0.5"),
            ("x: {kind: adaptive_consistency, n: 16}", "max_n"),
            ("x: {kind: esc, max_n: 8, window: 9}", "window"),
            ("x: {kind: adaptive_consistency, max_n: 8, min_n: 9}", "min_n"),
            ("x: {kind: confidence_consistency, max_n: 8, confidence: logprobs, scorer: rm}", "is for 'confidence: reward'"),
            ("x: {kind: confidence_consistency, max_n: 8, scorer: math}", "gives no reward"),
        ] {
            let bad = suiteYAML(name: "bad", seed: 1, task: ["generate: {kind: arithmetic, items: 5, digits: 2}"],
                                models: ["m: {kind: simulated, ability: 1}"], strategies: [line],
                                systems: ["matrix: {model: m, strategy: [x], verifier: math}"])
            #expect(throws: SuiteError.self, "\(line)") { _ = try SuiteLoader.load(data: Data(bad.utf8), path: "bad.yaml") }
            do { _ = try SuiteLoader.load(data: Data(bad.utf8), path: "bad.yaml") } catch {
                #expect("\(error)".contains(message), "\(line): \(error)")
                #expect("\(error)".hasPrefix("bad.yaml:"), "located: \(error)")
            }
        }
    }
}
