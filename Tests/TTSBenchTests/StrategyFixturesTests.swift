@testable import TTSRuntime
@testable import TTSSuite
@testable import TTSCore
import Foundation
import Testing
@testable import TTSModels
@testable import TTSSeams
@testable import TTSStrategies
@testable import TTSVerifiers

// Fixtures for the strategy tests (Strategy*Tests.swift): sample sources without a store.

/// A simulated model with a test fingerprint.
func strategyModel(_ name: String, ability: Double, meanTokens: Double = 220) -> SimulatedModel {
    SimulatedModel(name: name, parameters: SimulatedModelParameters(ability: ability, meanTokens: meanTokens),
                   fingerprint: "strategy-test-\(name)-\(ability)-\(meanTokens)")
}

/// 300 three-digit arithmetic items.
let strategyItems = ArithmeticGenerator(spec: ArithmeticSpec(items: 300, digits: 3, operations: ["+", "-", "*"]), seed: 4242).items()

/// Pooled samples and auxiliary calls straight from simulated models, seeded from stable
/// identifiers, as the runner's `PoolSource` does but without a store. Auxiliary calls are
/// logged so that tests can read the requests a strategy made.
struct StrategySimSource: SampleSource {
    let model: SimulatedModel
    var others: [String: SimulatedModel] = [:]
    var seedIndex = 0
    var maxTokens = 2048
    let log = AuxCallLog()

    func messages(for item: TaskItem) -> [ChatMessage] {
        [ChatMessage(role: "user", content: TaskSpec.defaultPrompt.replacingOccurrences(of: "{question}", with: item.question))]
    }

    func samples(for item: TaskItem, temperature: Double, indices: Range<Int>) async throws -> [Sample] {
        let seeds = indices.map { StableHasher("strategy-test-sample", model.name, item.id, seedIndex, temperature, $0).finalize() }
        let request = GenerationRequest(messages: messages(for: item), temperature: temperature, maxTokens: maxTokens,
                                        seed: seeds[0], n: seeds.count, context: ItemContext(item: item, sampleSeeds: seeds))
        let completions = try await model.generate(request)
        return zip(indices, completions).map { index, completion in
            Sample(sampleIndex: index, temperature: temperature, completion: completion,
                   answer: AnswerExtractor.extract(completion.text, mode: .boxed), error: nil)
        }
    }

    func auxiliary(_ call: AuxiliaryCall, for item: TaskItem) async throws -> Sample {
        log.append(call)
        let answering = call.model.map { others[$0]! } ?? model
        let seed = StableHasher("strategy-test-aux", answering.name, item.id, seedIndex, call.callID).finalize()
        let request = GenerationRequest(messages: call.messages, temperature: call.temperature, maxTokens: call.maxTokens,
                                        stop: call.stop, seed: seed,
                                        context: ItemContext(item: item, sampleSeeds: [seed], purpose: call.purpose))
        let completion = try await answering.generate(request)[0]
        return Sample(sampleIndex: -1, temperature: call.temperature, completion: completion,
                      answer: AnswerExtractor.extract(completion.text, mode: .boxed), error: nil)
    }
}

final class AuxCallLog: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [AuxiliaryCall] = []
    func append(_ call: AuxiliaryCall) { lock.withLock { storage.append(call) } }
    var calls: [AuxiliaryCall] { lock.withLock { storage } }
}

/// One scripted sample: its answer (nil: none), completion tokens and latency.
struct ScriptedSample: Sendable {
    var answer: String?
    var tokens: Int = 200
    var latency: Double = 1000
}

/// Samples written by hand, per temperature; asking beyond the script is an error.
struct StrategyScriptedSource: SampleSource {
    var script: [Double: [ScriptedSample]]
    let asked = AuxCallLog()

    func samples(for item: TaskItem, temperature: Double, indices: Range<Int>) async throws -> [Sample] {
        let list = script[temperature] ?? []
        return try indices.map { i in
            guard i < list.count else { throw StrategyError(message: "sample \(i) at T=\(temperature) is not scripted") }
            let s = list[i]
            let text = s.answer.map { "Some reasoning.\n\nThe answer is $\\boxed{\($0)}$." } ?? "Some reasoning, then nothing."
            return Sample(sampleIndex: i, temperature: temperature,
                          completion: Completion(text: text, finishReason: s.answer == nil ? "length" : "stop", promptTokens: 30,
                                                 completionTokens: s.tokens, latencyMs: s.latency),
                          answer: s.answer, error: nil)
        }
    }
}

/// A reward scorer that gives each answer a fixed reward.
struct FixedRewardScorer: Verifier {
    var rewards: [String: Double]
    func verify(_ candidate: Candidate, item: TaskItem) async throws -> Verdict {
        Verdict(correct: nil, reward: candidate.answer.flatMap { rewards[$0] } ?? 0, detail: "fixed reward")
    }
}

let strategyScriptedItem = TaskItem(id: "scripted-1", question: "Compute $2 + 2$.", answer: "4")

func strategyContext(_ item: TaskItem, _ source: any SampleSource, seedIndex: Int = 0, scorers: [String: any Verifier] = [:],
             suiteSeed: UInt64 = 1) -> StrategyContext {
    StrategyContext(item: item, seedIndex: seedIndex, source: source, verifier: MathVerifier(), scorers: scorers, suiteSeed: suiteSeed)
}

/// Outcomes of a strategy over items with a source built per item (seed index 0).
func strategyOutcomes(_ strategy: any Strategy, _ source: any SampleSource, items: [TaskItem] = strategyItems,
              scorers: [String: any Verifier] = [:]) async throws -> [Outcome] {
    var out: [Outcome] = []
    for item in items { out.append(try await strategy.solve(strategyContext(item, source, scorers: scorers))) }
    return out
}

func accuracy(of outcomes: [Outcome]) -> Double {
    Double(outcomes.filter(\.correct).count) / Double(max(1, outcomes.count))
}

@Suite struct StrategyFixturesTests {
    @Test func theSimSourceIsDeterministic() async throws {
        let source = StrategySimSource(model: strategyModel("mid", ability: 0.5))
        let item = strategyItems[0]
        let a = try await source.samples(for: item, temperature: 0.8, indices: 0..<4)
        let b = try await source.samples(for: item, temperature: 0.8, indices: 0..<4)
        #expect(a == b)
    }
}
