@testable import TTSRuntime
@testable import TTSSuite
@testable import TTSCore
import Foundation
import Testing
@testable import TTSModels
@testable import TTSSeams
@testable import TTSStrategies
@testable import TTSVerifiers

/// Samples straight from a `SimulatedModel`, seeded from stable identifiers (no store).
struct DirectSource: SampleSource {
    let model: SimulatedModel
    var seedIndex = 0

    func samples(for item: TaskItem, temperature: Double, indices: Range<Int>) async throws -> [Sample] {
        let seeds = indices.map { StableHasher("test-sample", model.name, item.id, seedIndex, temperature, $0).finalize() }
        let request = GenerationRequest(messages: [ChatMessage(role: "user", content: item.question)], temperature: temperature,
                                        seed: seeds[0], n: seeds.count, context: ItemContext(item: item, sampleSeeds: seeds))
        let completions = try await model.generate(request)
        return zip(indices, completions).map { index, completion in
            Sample(sampleIndex: index, temperature: temperature, completion: completion,
                   answer: AnswerExtractor.extract(completion.text, mode: .boxed), error: nil)
        }
    }
}

func simModel(_ name: String, ability: Double) -> SimulatedModel {
    SimulatedModel(name: name, parameters: SimulatedModelParameters(ability: ability), fingerprint: "fp-\(name)-\(ability)")
}

/// 400 three-digit arithmetic items (the demo's task shape).
let statItems = ArithmeticGenerator(spec: ArithmeticSpec(items: 400, digits: 3, operations: ["+", "-", "*"]), seed: 2026).items()

/// Accuracy of a strategy over the items, verified with the math verifier.
func simulatedAccuracy(_ strategy: any Strategy, model: SimulatedModel, items: [TaskItem] = statItems) async throws -> Double {
    let source = DirectSource(model: model)
    var correct = 0
    for item in items {
        let outcome = try await strategy.solve(StrategyContext(item: item, seedIndex: 0, source: source, verifier: MathVerifier(),
                                                               scorers: ["rm": SimulatedRewardVerifier(name: "rm", auc: 0.8, suiteSeed: 1)]))
        if outcome.correct { correct += 1 }
    }
    return Double(correct) / Double(items.count)
}

@Suite struct SimulatedModelTests {
    @Test func accuracyFallsAsAbilityFalls() async throws {
        var accuracies: [Double] = []
        var expected: [Double] = []
        for ability in [1.5, 0.5, -0.5, -1.5] {
            let model = simModel("m", ability: ability)
            accuracies.append(try await simulatedAccuracy(SingleStrategy(temperature: 0.7), model: model))
            expected.append(statItems.map { model.correctProbability(item: $0, temperature: 0.7) }.reduce(0, +) / Double(statItems.count))
        }
        for i in 1..<accuracies.count {
            #expect(accuracies[i] < accuracies[i - 1] - 0.05, "accuracies \(accuracies)")
            #expect(expected[i] < expected[i - 1], "expected \(expected)")
        }
        // The observed accuracy follows the model's own probabilities (400 items: SE ≈ 0.025).
        for (a, e) in zip(accuracies, expected) { #expect(abs(a - e) < 0.08, "observed \(accuracies) expected \(expected)") }
    }

    @Test func majorityOfEightBeatsSingleForAMidAbilityModel() async throws {
        let mid = simModel("mid", ability: 0.5)
        let greedy = try await simulatedAccuracy(SingleStrategy(temperature: 0), model: mid)
        let sampled = try await simulatedAccuracy(SingleStrategy(temperature: 0.8), model: mid)
        let majority = try await simulatedAccuracy(MajorityStrategy(n: 8, temperature: 0.8), model: mid)
        #expect(majority > sampled + 0.05, "majority@8 \(majority) vs single@0.8 \(sampled)")
        #expect(majority > greedy + 0.03, "majority@8 \(majority) vs greedy \(greedy)")
        // Best-of-8 with a reward model of AUC 0.8 also helps over one sample.
        let best = try await simulatedAccuracy(BestOfNStrategy(n: 8, temperature: 0.8, scorer: "rm"), model: mid)
        #expect(best > sampled + 0.03, "best_of_n@8 \(best) vs single@0.8 \(sampled)")
    }

    @Test func differentTemperaturesSolveDifferentItems() async throws {
        let mid = simModel("mid", ability: 0.5)
        let cold = Set(statItems.filter { mid.correctProbability(item: $0, temperature: 0.2) > 0.5 }.map(\.id))
        let hot = Set(statItems.filter { mid.correctProbability(item: $0, temperature: 1.2) > 0.5 }.map(\.id))
        let onlyCold = cold.subtracting(hot).count, onlyHot = hot.subtracting(cold).count
        // Not a uniform shift: each temperature solves items the other does not.
        #expect(onlyCold >= 20 && onlyHot >= 20, "only at T=0.2: \(onlyCold), only at T=1.2: \(onlyHot)")
        #expect(Double(onlyCold + onlyHot) / Double(cold.union(hot).count) > 0.15)

        // The same shows in samples: majority of 16 samples per item at each temperature.
        let source = DirectSource(model: mid)
        var flipped = (cold: 0, hot: 0)
        for item in statItems where cold.contains(item.id) != hot.contains(item.id) {
            let c = try await source.samples(for: item, temperature: 0.2, indices: 0..<16).filter { $0.answer == item.answer }.count
            let h = try await source.samples(for: item, temperature: 1.2, indices: 0..<16).filter { $0.answer == item.answer }.count
            if cold.contains(item.id) && c > h { flipped.cold += 1 }
            if hot.contains(item.id) && h > c { flipped.hot += 1 }
        }
        #expect(Double(flipped.cold) > 0.7 * Double(onlyCold) && Double(flipped.hot) > 0.7 * Double(onlyHot), "\(flipped) of \(onlyCold), \(onlyHot)")
    }

    @Test func distractorSpreadGrowsWithTemperature() async throws {
        let weak = simModel("weak", ability: -0.5)
        let source = DirectSource(model: weak)
        func spread(_ t: Double) async throws -> (distinctPerItem: Double, topShare: Double) {
            var distinct = 0, wrong = 0, top = 0
            for item in statItems.prefix(200) {
                let answers = try await source.samples(for: item, temperature: t, indices: 0..<24).compactMap(\.answer).filter { $0 != item.answer }
                let counts = Dictionary(grouping: answers, by: { $0 }).mapValues(\.count)
                distinct += counts.count
                wrong += answers.count
                top += counts.values.max() ?? 0
            }
            return (Double(distinct) / 200, Double(top) / Double(max(1, wrong)))
        }
        let low = try await spread(0.2), high = try await spread(1.2)
        #expect(high.distinctPerItem > low.distinctPerItem * 1.5, "distinct wrong answers per item: T=0.2 \(low), T=1.2 \(high)")
        // At low temperature wrong answers concentrate on a popular distractor.
        #expect(low.topShare > 0.7 && high.topShare < low.topShare - 0.15, "share of the most popular wrong answer: \(low.topShare) vs \(high.topShare)")
    }

    @Test func greedyDecodingGivesTheSameAnswerForEverySeed() async throws {
        let mid = simModel("mid", ability: 0.5)
        for item in statItems.prefix(100) {
            let a = try await DirectSource(model: mid, seedIndex: 0).samples(for: item, temperature: 0, indices: 0..<4)
            let b = try await DirectSource(model: mid, seedIndex: 1).samples(for: item, temperature: 0, indices: 0..<4)
            let answers = Set((a + b).map(\.answer))
            #expect(answers.count == 1, "item \(item.id): \(answers)")
            #expect(a.allSatisfy { $0.completion?.finishReason == "stop" })
        }
        // At T > 0 the seed matters.
        var differing = 0
        for item in statItems.prefix(100) {
            let a = try await DirectSource(model: mid, seedIndex: 0).samples(for: item, temperature: 1.0, indices: 0..<4)
            let b = try await DirectSource(model: mid, seedIndex: 1).samples(for: item, temperature: 1.0, indices: 0..<4)
            if a.map(\.answer) != b.map(\.answer) { differing += 1 }
        }
        #expect(differing > 20)
    }

    @Test func theSameSeedGivesTheSameCompletion() async throws {
        let mid = simModel("mid", ability: 0.5)
        let item = statItems[3]
        let a = try await DirectSource(model: mid).samples(for: item, temperature: 0.8, indices: 0..<8)
        let b = try await DirectSource(model: mid).samples(for: item, temperature: 0.8, indices: 0..<8)
        #expect(a == b)
        // Asking for samples 4..<8 alone gives the same samples as part of 0..<8.
        let tail = try await DirectSource(model: mid).samples(for: item, temperature: 0.8, indices: 4..<8)
        #expect(Array(a[4...]) == tail)
        // A different model name (fingerprint) gives different text.
        let other = try await DirectSource(model: simModel("mid2", ability: 0.5)).samples(for: item, temperature: 0.8, indices: 0..<8)
        #expect(other.map(\.completion?.text) != a.map(\.completion?.text))
    }

    @Test func correctTracesAreShorterOnAverage() async throws {
        let mid = simModel("mid", ability: 0.5)
        let source = DirectSource(model: mid)
        var right: [Int] = [], wrong: [Int] = []
        var latencies: [Double] = []
        for item in statItems.prefix(200) {
            for s in try await source.samples(for: item, temperature: 0.8, indices: 0..<4) {
                guard let c = s.completion, c.finishReason == "stop" else { continue }
                if s.answer == item.answer { right.append(c.completionTokens) } else { wrong.append(c.completionTokens) }
                latencies.append(c.latencyMs)
                #expect(c.promptTokens >= 1)
            }
        }
        let meanRight = Double(right.reduce(0, +)) / Double(right.count)
        let meanWrong = Double(wrong.reduce(0, +)) / Double(wrong.count)
        #expect(right.count > 100 && wrong.count > 100)
        #expect(meanRight < meanWrong * 0.9, "correct \(meanRight) vs wrong \(meanWrong) tokens")
        #expect(abs(meanRight - 220 * exp(0.35 * 0.35 / 2)) < 20, "mean tokens of correct traces \(meanRight)")
        // Latency is recorded (about 20 ms per token), not slept.
        let meanLatency = latencies.reduce(0, +) / Double(latencies.count)
        #expect(meanLatency > 2000 && meanLatency < 10_000, "\(meanLatency)")
    }

    @Test func completionsEndInABoxedAnswerThatTheExtractorReads() async throws {
        let weak = simModel("weak", ability: -0.5)
        let source = DirectSource(model: weak)
        var truncated = 0, total = 0
        for item in statItems.prefix(100) {
            for s in try await source.samples(for: item, temperature: 1.0, indices: 0..<8) {
                let c = try #require(s.completion)
                total += 1
                if c.finishReason == "length" {
                    truncated += 1
                    #expect(s.answer == nil && !c.text.contains("\\boxed"))
                    #expect(c.completionTokens == 2048)
                    continue
                }
                #expect(c.finishReason == "stop")
                #expect(c.text.hasSuffix("$."), "\(c.text.suffix(40))")
                let boxed = try #require(AnswerExtractor.extract(c.text, mode: .boxed))
                #expect(c.text.hasSuffix("\\boxed{\(boxed)}$."))
                #expect(s.answer == boxed)
                #expect(Int(boxed) != nil, "arithmetic answers and distractors are integers: \(boxed)")
                #expect(c.text.contains(item.question), "traces restate the question")
                #expect(AnswerExtractor.extract(c.text, mode: .lastNumber) == boxed)
            }
        }
        // A few percent of traces ramble past the budget.
        #expect(truncated > 0 && Double(truncated) / Double(total) < 0.1, "\(truncated)/\(total)")
    }

    @Test func theSimulatedBackendNeedsTheItemContext() async throws {
        let model = simModel("m", ability: 0)
        await #expect(throws: ModelError.self) {
            _ = try await model.generate(GenerationRequest(messages: [ChatMessage(role: "user", content: "hi")], temperature: 0.5, seed: 1))
        }
    }
}
