@testable import TTSRuntime
@testable import TTSSuite
@testable import TTSCore
import Foundation
import Testing
@testable import TTSSeams
@testable import TTSStrategies

@Suite struct StrategyMultiTemperatureTests {
    func parameters(_ temps: [Double], n: Int, minPer: Int = 2, tauIntra: Double = 0.6, tauCross: Double = 1.0,
                    rule: MultiTemperatureParameters.FinalRule = .pooled) -> MultiTemperatureParameters {
        MultiTemperatureParameters(temperatures: temps, n: n, minPerTemperature: minPer, tauIntra: tauIntra, tauCross: tauCross, finalRule: rule)
    }

    @Test func theBudgetIsSplitEvenlyWithTheRemainderToTheLowest() {
        #expect(parameters([0.4, 0.8, 1.2], n: 12).allocation == [4, 4, 4])
        #expect(parameters([0.4, 0.8, 1.2], n: 10).allocation == [4, 3, 3])
        #expect(parameters([0.4, 0.8, 1.2], n: 11).allocation == [5, 3, 3])
        // The strategy sorts its temperatures, so "lowest" is the lowest, whatever the order given.
        #expect(MultiTemperatureStrategy(parameters: parameters([1.2, 0.4, 0.8], n: 10)).parameters.temperatures == [0.4, 0.8, 1.2])
    }

    /// Every temperature agrees from the start: the item stops after min_per_temp samples per
    /// temperature, and only those are counted. A relabelled majority would spend all 12.
    @Test func unanimityExitsEarlyAndCountsOnlyTheSamplesUsed() async throws {
        let all = [ScriptedSample](repeating: .init(answer: "4", tokens: 100), count: 4)
        let source = StrategyScriptedSource(script: [0.4: all, 0.8: all, 1.2: all])
        let outcome = try await MultiTemperatureStrategy(parameters: parameters([0.4, 0.8, 1.2], n: 12))
            .solve(strategyContext(strategyScriptedItem, source))
        #expect(outcome.earlyExit == true)
        #expect(outcome.samplesUsed == 6)
        #expect(outcome.calls == 6)
        #expect(outcome.completionTokens == 600)
        #expect(outcome.answer == "4")
        #expect(outcome.detail.contains("early exit after 6/12"))
    }

    /// Disagreement across temperatures: no early exit, the whole budget is drawn one round at a time.
    @Test func disagreementSpendsTheWholeBudget() async throws {
        let source = StrategyScriptedSource(script: [0.4: .init(repeating: .init(answer: "4"), count: 4),
                                                     0.8: .init(repeating: .init(answer: "5"), count: 4),
                                                     1.2: .init(repeating: .init(answer: "4"), count: 4)])
        let outcome = try await MultiTemperatureStrategy(parameters: parameters([0.4, 0.8, 1.2], n: 12))
            .solve(strategyContext(strategyScriptedItem, source))
        #expect(outcome.earlyExit == false)
        #expect(outcome.samplesUsed == 12)
        #expect(outcome.answer == "4")
        // With tau_cross 2/3 the same item stops early after 6.
        let lenient = try await MultiTemperatureStrategy(parameters: parameters([0.4, 0.8, 1.2], n: 12, tauCross: 0.66))
            .solve(strategyContext(strategyScriptedItem, source))
        #expect(lenient.earlyExit == true && lenient.samplesUsed == 6 && lenient.answer == "4")
    }

    /// The within-temperature share must reach tau_intra: a split 1-1 at some temperature keeps drawing.
    @Test func aSplitTemperatureKeepsDrawing() async throws {
        let source = StrategyScriptedSource(script: [0.4: [.init(answer: "4"), .init(answer: "4"), .init(answer: "4")],
                                                     0.8: [.init(answer: "4"), .init(answer: "7"), .init(answer: "4")],
                                                     1.2: [.init(answer: "4"), .init(answer: "4"), .init(answer: "4")]])
        let outcome = try await MultiTemperatureStrategy(parameters: parameters([0.4, 0.8, 1.2], n: 12, tauIntra: 0.6))
            .solve(strategyContext(strategyScriptedItem, source))
        // After 2 each, T=0.8 is split 1/2 < 0.6; after 3 each it holds 2/3: exit with 9 samples.
        #expect(outcome.earlyExit == true)
        #expect(outcome.samplesUsed == 9)
    }

    /// Two-stage vote and pooled majority disagree here: the pooled count favours 4 (six votes),
    /// while two of three temperatures are won by 9.
    @Test func twoStageVoteDiffersFromPooledMajority() async throws {
        let source = StrategyScriptedSource(script: [
            0.4: [.init(answer: "4"), .init(answer: "4"), .init(answer: "4"), .init(answer: "4")],
            0.8: [.init(answer: "9"), .init(answer: "9"), .init(answer: "4"), .init(answer: "1")],
            1.2: [.init(answer: "9"), .init(answer: "9"), .init(answer: "4"), .init(answer: "2")],
        ])
        let ctx = strategyContext(strategyScriptedItem, source)
        let twoStage = try await MultiTemperatureStrategy(parameters: parameters([0.4, 0.8, 1.2], n: 12, minPer: 4, rule: .twoStage)).solve(ctx)
        let pooled = try await MultiTemperatureStrategy(parameters: parameters([0.4, 0.8, 1.2], n: 12, minPer: 4, rule: .pooled)).solve(ctx)
        #expect(twoStage.answer == "9")
        #expect(pooled.answer == "4")
        #expect(twoStage.earlyExit == false && pooled.earlyExit == false)
    }

    /// A pooled tie goes to the lowest temperature's winner, even when the other answer voted first.
    @Test func pooledTiesGoToTheLowestTemperaturesWinner() async throws {
        let source = StrategyScriptedSource(script: [
            0.4: [.init(answer: "9"), .init(answer: "4"), .init(answer: "4"), .init(answer: nil)],
            0.8: [.init(answer: "9"), .init(answer: nil), .init(answer: nil), .init(answer: nil)],
        ])
        let outcome = try await MultiTemperatureStrategy(parameters: parameters([0.4, 0.8], n: 8, minPer: 4))
            .solve(strategyContext(strategyScriptedItem, source))
        #expect(outcome.answer == "4")
    }

    /// On the simulated backend: a strong model exits early on most items (fewer samples than a
    /// relabelled majority vote would use), and each outcome's calls equal the samples it used.
    @Test func strongModelsStopEarlyOnTheSimulatedBackend() async throws {
        let source = StrategySimSource(model: strategyModel("strong", ability: 2.5))
        let strategy = MultiTemperatureStrategy(parameters: parameters([0.4, 0.8, 1.2], n: 12))
        let results = try await strategyOutcomes(strategy, source)
        let used = results.map(\.samplesUsed)
        let mean = Double(used.reduce(0, +)) / Double(used.count)
        print("multi_temperature, ability 2.5: mean samples used \(mean) of 12")
        #expect(mean < 10, "mean samples used \(mean)")
        #expect(results.filter { $0.earlyExit == true }.count > results.count / 3)
        for r in results { #expect(r.calls == r.samplesUsed) }
        #expect(results.contains { $0.earlyExit == false && $0.samplesUsed == 12 })
        // Early exits are cheaper: the tokens follow the samples used.
        let early = results.filter { $0.earlyExit == true }
        let late = results.filter { $0.earlyExit == false }
        let earlyTokens: Double = Double(early.map(\.completionTokens).reduce(0, +)) / Double(early.count)
        let lateTokens: Double = Double(late.map(\.completionTokens).reduce(0, +)) / Double(late.count)
        #expect(earlyTokens < lateTokens)
    }

    /// Samples come from the pool per temperature, by index from 0: the strategy asks for the
    /// same (temperature, sample index) keys that `majority` at that temperature reads.
    @Test func samplesAreThePooledOnesPerTemperature() async throws {
        let source = RequestRecordingSource(inner: StrategyScriptedSource(script: [
            0.4: .init(repeating: .init(answer: "4"), count: 5), 0.8: .init(repeating: .init(answer: "5"), count: 3),
            1.2: .init(repeating: .init(answer: "4"), count: 3)]))
        let outcome = try await MultiTemperatureStrategy(parameters: parameters([0.4, 0.8, 1.2], n: 11, minPer: 3))
            .solve(strategyContext(strategyItems[7], source))
        #expect(outcome.samplesUsed == 11)
        var seen: [Double: [Int]] = [:]
        for (t, range) in source.log.requests { seen[t, default: []] += Array(range) }
        #expect(seen[0.4] == [0, 1, 2, 3, 4])
        #expect(seen[0.8] == [0, 1, 2])
        #expect(seen[1.2] == [0, 1, 2])
    }
}

/// Wraps a source and records which (temperature, indices) were asked for.
struct RequestRecordingSource: SampleSource {
    let inner: any SampleSource
    let log = RequestLog()
    func samples(for item: TaskItem, temperature: Double, indices: Range<Int>) async throws -> [Sample] {
        log.append(temperature, indices)
        return try await inner.samples(for: item, temperature: temperature, indices: indices)
    }
}

final class RequestLog: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [(Double, Range<Int>)] = []
    func append(_ t: Double, _ r: Range<Int>) { lock.withLock { storage.append((t, r)) } }
    var requests: [(Double, Range<Int>)] { lock.withLock { storage } }
}
