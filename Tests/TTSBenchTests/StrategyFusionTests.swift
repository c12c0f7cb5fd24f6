@testable import TTSSuite
@testable import TTSCore
import Testing
@testable import TTSStrategies
@testable import TTSModels
@testable import TTSSeams

@Suite struct StrategyFusionTests {
    func fusion(n: Int = 8, fuser: String? = nil, prompt: String = FusionParameters.defaultPrompt) -> FusionStrategy {
        FusionStrategy(parameters: FusionParameters(n: n, fuser: fuser, fuserTemperature: 0, prompt: prompt, maxCandidateChars: 4000),
                       temperature: 0.8)
    }

    /// Cost is n generations plus one fuser call, both counted; the fuser reads every candidate.
    @Test func costIsNGenerationsPlusOneFuserCall() async throws {
        let source = StrategySimSource(model: strategyModel("mid", ability: 0.5))
        let item = strategyItems[3]
        let outcome = try await fusion().solve(strategyContext(item, source))
        let samples = try await source.samples(for: item, temperature: 0.8, indices: 0..<8)
        #expect(outcome.calls == 9)
        #expect(outcome.samplesUsed == 8)
        let fuserCall = try #require(source.log.calls.last)
        #expect(fuserCall.tag == "fuse")
        #expect(fuserCall.temperature == 0)
        let prompt = fuserCall.messages[0].content
        for s in samples { #expect(prompt.contains(s.completion!.text)) }
        #expect(prompt.contains(item.question))
        let generated = samples.reduce(0) { $0 + $1.completion!.completionTokens }
        #expect(outcome.completionTokens > generated)  // plus the fuser's completion
        // The fuser's prompt tokens (about 4 characters a token) include every candidate it read.
        let fuserPrompt = outcome.promptTokens - samples.reduce(0) { $0 + $1.completion!.promptTokens }
        let candidateChars = samples.reduce(0) { $0 + $1.completion!.text.utf8.count }
        #expect(fuserPrompt >= candidateChars / 4)
    }

    /// The order shown is a seeded permutation, recorded in the detail, the same for the same
    /// (suite seed, item, seed index) and different across seed indices.
    @Test func theCandidateOrderIsASeededRecordedPermutation() async throws {
        let a = FusionStrategy.order(n: 8, suiteSeed: 1, item: "x", seedIndex: 0)
        #expect(a == FusionStrategy.order(n: 8, suiteSeed: 1, item: "x", seedIndex: 0))
        #expect(a.sorted() == Array(0..<8))
        #expect(a != Array(0..<8))
        let others = (1..<6).map { FusionStrategy.order(n: 8, suiteSeed: 1, item: "x", seedIndex: $0) }
        #expect(others.contains { $0 != a })

        let source = StrategySimSource(model: strategyModel("mid", ability: 0.5))
        let item = strategyItems[5]
        let outcome = try await fusion().solve(strategyContext(item, source, suiteSeed: 1))
        let order = FusionStrategy.order(n: 8, suiteSeed: 1, item: item.id, seedIndex: 0)
        #expect(outcome.detail.hasPrefix("order [" + order.map(String.init).joined(separator: ",") + "]"))
        // The prompt shows candidate k as sample order[k].
        let samples = try await source.samples(for: item, temperature: 0.8, indices: 0..<8)
        let prompt = source.log.calls.last!.messages[0].content
        let positions = order.map { prompt.range(of: samples[$0].completion!.text)!.lowerBound }
        #expect(positions == positions.sorted())
        if case .fuse(let shown) = source.log.calls.last!.purpose {
            #expect(shown == order.map { samples[$0].answer })
        } else {
            Issue.record("the fuser call's purpose is not .fuse")
        }
    }

    /// A fuser can write an answer that no candidate gave, and a stronger fuser does better on
    /// the same candidates. Neither can happen with a relabelled majority vote.
    @Test func aStrongerFuserBeatsSelfFusionAndCanAnswerBeyondTheCandidates() async throws {
        var source = StrategySimSource(model: strategyModel("mid", ability: 0.5))
        source.others = ["strong": strategyModel("strong", ability: 3.0)]
        let own = try await strategyOutcomes(fusion(), source)
        let strong = try await strategyOutcomes(fusion(fuser: "strong"), source)
        let majority = try await strategyOutcomes(MajorityStrategy(n: 8, temperature: 0.8), source)
        #expect(accuracy(of: strong) > accuracy(of: own) + 0.05, "strong \(accuracy(of: strong)) self \(accuracy(of: own))")
        #expect(accuracy(of: strong) > accuracy(of: majority) + 0.05)
        // Right although no candidate was.
        let beyond = strong.filter { $0.correct && $0.detail.contains("given by 0/") }
        #expect(!beyond.isEmpty)
        // And the answers differ from the majority's on some items.
        #expect(zip(own, majority).contains { $0.answer != $1.answer })
    }

    /// The simulated fuser: more correct candidates, more often right; a popular wrong answer
    /// leads it astray (when wrong, it mostly repeats that answer).
    @Test func theSimulatedFuserFollowsTheEvidenceShown() async throws {
        let fuser = strategyModel("fuser", ability: 0.5)
        let items = Array(strategyItems.prefix(200))
        func rate(correct k: Int, of n: Int) async throws -> (right: Double, popularWrong: Double) {
            var right = 0, popular = 0
            for item in items {
                let wrong = Distractors.distractor(0, for: item)
                let shown: [String?] = Array(repeating: item.answer, count: k) + Array(repeating: wrong, count: n - k)
                let seed = StableHasher("fuser-test", item.id, k).finalize()
                let c = try await fuser.generate(GenerationRequest(
                    messages: [ChatMessage(role: "user", content: "fuse")], temperature: 0.7, seed: seed,
                    context: ItemContext(item: item, sampleSeeds: [seed], purpose: .fuse(candidates: shown))))[0]
                let answer = AnswerExtractor.extract(c.text, mode: .boxed)
                if answer == item.answer { right += 1 } else if answer == wrong { popular += 1 }
            }
            return (Double(right) / Double(items.count), Double(popular) / Double(items.count))
        }
        var rates: [Double] = []
        for k in [0, 2, 4, 6, 8] { rates.append(try await rate(correct: k, of: 8).right) }
        for i in 1..<rates.count { #expect(rates[i] > rates[i - 1], "\(rates)") }
        let astray = try await rate(correct: 0, of: 8)
        #expect(astray.popularWrong > 0.5, "led astray \(astray)")
        // Its own ability matters: shown nothing useful, an able fuser is right more often.
        #expect(astray.right < 0.4)
    }

    @Test func aSuitePromptIsFilledInOnePass() async throws {
        let template = "Q: {question}\nThere are {n} attempts.\n{candidates}\nAnswer in \\boxed{}. {unknown}"
        let source = StrategySimSource(model: strategyModel("mid", ability: 0.5))
        let item = TaskItem(id: "t", question: "What is {candidates}?", answer: "1")
        _ = try await fusion(n: 3, prompt: template).solve(strategyContext(item, source))
        let prompt = source.log.calls.last!.messages[0].content
        #expect(prompt.hasPrefix("Q: What is {candidates}?\nThere are 3 attempts.\nCandidate 1:\n"))
        #expect(prompt.hasSuffix("Answer in \\boxed{}. {unknown}"))
        #expect(fillTemplate("{a}{b}{", ["a": "{b}", "b": "x"]) == "{b}x{")
    }

    @Test func longCandidatesKeepTheirEnd() {
        let text = String(repeating: "step. ", count: 200) + "\\boxed{42}"
        let clipped = FusionStrategy.clip(text, to: 120)
        #expect(clipped.count == 120)
        #expect(clipped.hasSuffix("\\boxed{42}"))
    }
}
