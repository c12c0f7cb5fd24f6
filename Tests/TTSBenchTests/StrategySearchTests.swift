@testable import TTSSuite
@testable import TTSCore
import Foundation
import Testing
@testable import TTSModels
@testable import TTSSeams
@testable import TTSStrategies
@testable import TTSVerifiers

/// Step-level search (beam search, DVTS, particle filtering) on the simulated backend's
/// step-level model, guided by simulated PRMs of known quality.
@Suite struct StrategySearchTests {
    static let weak = strategyModel("weak", ability: -0.5)
    static let items = Array(strategyItems.prefix(120))

    static func prm(_ auc: Double) -> [String: any Verifier] {
        ["prm": SimulatedPRMVerifier(name: "prm", auc: auc, suiteSeed: 1)]
    }
    static func search(_ n: Int) -> StepSearchParameters { StepSearchParameters(n: n, prm: "prm") }
    static func beam(_ n: Int, _ width: Int) -> BeamSearchStrategy {
        BeamSearchStrategy(kind: BeamSearchKind(search: search(n), beamWidth: width), temperature: 0.8)
    }
    static func dvts(_ n: Int, _ width: Int) -> DVTSStrategy {
        DVTSStrategy(kind: DVTSKind(search: search(n), beamWidth: width), temperature: 0.8)
    }
    static func particles(_ n: Int) -> ParticleFilteringStrategy {
        ParticleFilteringStrategy(kind: ParticleFilteringKind(search: search(n)), temperature: 0.8)
    }

    /// Items on which all `n` independent samples (pooled samples 0..<n at T = 0.8) are wrong:
    /// no majority vote and no best-of-N, whatever its scorer, can answer them.
    static func hopeless(_ source: StrategySimSource, n: Int) async throws -> [TaskItem] {
        var out: [TaskItem] = []
        for item in items {
            let samples = try await source.samples(for: item, temperature: 0.8, indices: 0..<n)
            if samples.allSatisfy({ $0.answer.map { AnswerNormalizer.basic($0) } != AnswerNormalizer.basic(item.answer) }) { out.append(item) }
        }
        return out
    }

    @Test func stepBySolutionsAreRightAsOftenAsSamples() async throws {
        // A solution written step by step (each step on track with p^(1/L)) is right with
        // probability p, like a pooled sample: compare over 300 items x 8 draws.
        let model = Self.weak
        var right = 0, expected = 0.0
        for item in strategyItems {
            expected += 8 * model.correctProbability(item: item, temperature: 0.8)
            for k in 0..<8 {
                var prefix: [String] = []
                for depth in 0..<10 {
                    let c = model.step(prefix: prefix, toEnd: false, item: item, temperature: 0.8, maxTokens: 2048, stop: ["\n\n"],
                                       seed: StableHasher("steps", item.id, k, depth).finalize(), promptTokens: 10)
                    prefix.append(c.text)
                    if c.text.contains("\\boxed") { break }
                }
                #expect(prefix.count == SimulatedSteps.count(item))
                if SimulatedSteps.onTrack(prefix, item: item).last! { right += 1 }
                #expect(AnswerExtractor.extract(prefix.last!, mode: .boxed).map { $0 == item.answer } == SimulatedSteps.onTrack(prefix, item: item).last!)
            }
        }
        let n = Double(strategyItems.count * 8)
        #expect(abs(Double(right) / n - expected / n) < 0.03, "step-by-step \(Double(right) / n), samples \(expected / n)")
    }

    @Test func theSimulatedPRMHasTheAUCItIsGiven() async throws {
        // Scores of on-track steps against broken ones: the empirical AUC is the one asked for.
        let model = Self.weak
        for auc in [0.6, 0.9] {
            let prm = SimulatedPRMVerifier(name: "prm", auc: auc, suiteSeed: 3)
            var good: [Double] = [], bad: [Double] = []
            for item in strategyItems.prefix(200) {
                for k in 0..<4 {
                    let c = model.step(prefix: [], toEnd: true, item: item, temperature: 0.8, maxTokens: 4096, stop: [],
                                       seed: StableHasher("auc", item.id, k).finalize(), promptTokens: 10)
                    let steps = c.text.components(separatedBy: "\n\n")
                    let truth = SimulatedSteps.onTrack(steps, item: item)
                    let scores = try await prm.stepScores(steps, item: item)
                    // A step's score does not change when later steps are added.
                    #expect(try await prm.stepScores(Array(steps.prefix(1)), item: item)[0] == scores[0])
                    for (t, s) in zip(truth, scores) { if t { good.append(s) } else { bad.append(s) } }
                }
            }
            var wins = 0.0
            for g in good { for b in bad { wins += g > b ? 1 : g == b ? 0.5 : 0 } }
            let measured = wins / Double(good.count * bad.count)
            #expect(abs(measured - auc) < 0.03, "AUC \(auc): measured \(measured) over \(good.count)+\(bad.count) steps")
        }
    }

    @Test func withAnAccuratePRMEachSearchSolvesItemsNoIndependentSampleSolves() async throws {
        let source = StrategySimSource(model: Self.weak)
        let hopeless = try await Self.hopeless(source, n: 8)
        #expect(hopeless.count >= 25, "only \(hopeless.count) items where all 8 samples fail")
        let strategies: [(String, any Strategy)] = [("beam", Self.beam(8, 2)), ("dvts", Self.dvts(8, 2)), ("particles", Self.particles(8))]
        for (name, strategy) in strategies {
            let accurate = try await strategyOutcomes(strategy, source, items: hopeless, scorers: Self.prm(0.99))
            let blind = try await strategyOutcomes(strategy, source, items: hopeless, scorers: Self.prm(0.5))
            // A relabelled majority or best-of-N of 8 samples would solve none of these items.
            #expect(accuracy(of: accurate) > 0.5, "\(name) with an accurate PRM: \(accuracy(of: accurate)) of \(hopeless.count)")
            // The PRM is what finds them: a PRM that cannot tell steps apart finds few.
            #expect(accuracy(of: blind) < accuracy(of: accurate) - 0.3, "\(name) blind \(accuracy(of: blind)) accurate \(accuracy(of: accurate))")
            #expect(accurate.allSatisfy { $0.samplesUsed == 0 && $0.calls > 8 && $0.failures == 0 })
            #expect(accurate.allSatisfy { $0.completions >= 1 && $0.reward != nil })
        }
    }

    /// The calls of a search in a canonical order: by step, then by the text continued, then by
    /// replica. The calls of one step run side by side, so the log has them in the order they
    /// finished, which the scheduling decides.
    static func stepOrder(_ calls: [AuxiliaryCall]) -> [AuxiliaryCall] {
        func key(_ c: AuxiliaryCall) -> (Int, String, Int) {
            let parts = c.tag.dropFirst(4).split(separator: "-")
            return (Int(parts.first ?? "") ?? 0, c.messages.last?.content ?? "", Int(parts.last ?? "") ?? 0)
        }
        return calls.enumerated().sorted { a, b in
            let (x, y) = (key(a.element), key(b.element))
            return x != y ? x < y : a.offset < b.offset
        }.map(\.element)
    }

    @Test func beamSearchContinuesTheBestBeamsByThePRM() async throws {
        let source = StrategySimSource(model: Self.weak)
        let prm = SimulatedPRMVerifier(name: "prm", auc: 0.8, suiteSeed: 1)
        let item = Self.items[3]
        _ = try await Self.beam(8, 2).solve(strategyContext(item, source, scorers: ["prm": prm]))
        let calls = Self.stepOrder(source.log.calls)
        // Step 1: n = 8 continuations of the empty solution, replicas 0..7, stopping at the delimiter.
        let first = calls.prefix(8)
        #expect(first.map(\.tag) == (0..<8).map { "step1-\($0)" })
        #expect(first.allSatisfy { $0.messages.count == 1 && $0.stop == ["\n\n"] })
        // Step 2: the 4 (= n / beam_width) best first steps by the PRM, each continued twice.
        let second = Array(calls.dropFirst(8).prefix(8))
        #expect(second.map(\.tag) == ["step2-0", "step2-1", "step2-0", "step2-1", "step2-0", "step2-1", "step2-0", "step2-1"])
        #expect(second.allSatisfy { $0.messages.count == 2 && $0.messages[1].role == "assistant" && $0.messages[1].content.hasSuffix("\n\n") })
        var firstSteps: [(String, Double)] = []
        for k in 0..<8 {
            let s = try await source.auxiliary(first[k], for: item)
            firstSteps.append((s.completion!.text, try await prm.stepScores([s.completion!.text], item: item)[0]))
        }
        let open = firstSteps.filter { !$0.0.contains("\\boxed") }
        let best = open.indices.sorted { open[$0].1 != open[$1].1 ? open[$0].1 > open[$1].1 : $0 < $1 }.prefix(4).map { open[$0].0 + "\n\n" }
        #expect(Set(second.map { $0.messages[1].content }) == Set(best))
        // The same search again makes the same calls (seeded by the text so far and the replica).
        let again = StrategySimSource(model: Self.weak)
        _ = try await Self.beam(8, 2).solve(strategyContext(item, again, scorers: ["prm": prm]))
        #expect(Self.stepOrder(again.log.calls).map(\.callID) == calls.map(\.callID))
    }

    @Test func dvtsKeepsItsSubtreesApart() async throws {
        let source = StrategySimSource(model: Self.weak)
        let outcome = try await Self.dvts(8, 2).solve(strategyContext(Self.items[5], source, scorers: Self.prm(0.8)))
        let calls = Self.stepOrder(source.log.calls)
        #expect(calls.prefix(8).map(\.tag) == (0..<8).map { "step1-\($0)" })
        // Every later step continues one path per open subtree (at most 4), beam_width = 2 times
        // each; subtrees that kept the same text continue it as further replicas.
        var k = 8
        while k < calls.count {
            let depth = calls[k].tag.split(separator: "-")[0]
            let batch = calls[k...].prefix { $0.tag.hasPrefix(depth + "-") }
            #expect(batch.count <= 8 && batch.count % 2 == 0)
            let prefixes = Dictionary(grouping: batch, by: { $0.messages.last!.content })
            #expect(prefixes.values.allSatisfy { $0.count % 2 == 0 && $0.map(\.tag) == (0..<$0.count).map { "\(depth)-\($0)" } })
            k += batch.count
        }
        #expect(outcome.calls == calls.count && outcome.completions == 4)
    }

    @Test func sequentialTokensSumTheLongestStepCallOfEachSearchStep() async throws {
        // The calls of one search step run side by side; the next step waits for them.
        let strategies: [(String, any Strategy)] = [("beam", Self.beam(8, 2)), ("dvts", Self.dvts(8, 4)), ("particles", Self.particles(8))]
        for (name, strategy) in strategies {
            for item in Self.items.prefix(6) {
                let source = StrategySimSource(model: Self.weak)
                let outcome = try await strategy.solve(strategyContext(item, source, scorers: Self.prm(0.9)))
                var longest: [Substring: Int] = [:]
                for call in source.log.calls {
                    let tokens = try await source.auxiliary(call, for: item).completion!.completionTokens
                    let depth = call.tag.split(separator: "-")[0]
                    longest[depth] = max(longest[depth] ?? 0, tokens)
                }
                #expect(outcome.sequentialTokens == longest.values.reduce(0, +), "\(name) \(item.id)")
                #expect(outcome.sequentialTokens > 0 && outcome.sequentialTokens < outcome.completionTokens, "\(name) \(item.id)")
            }
        }
    }

    @Test func particleResamplingFollowsTheWeightsAndTheSeed() {
        var a = SplitMix64("pf-test", 1), b = SplitMix64("pf-test", 1)
        let x = ParticleFilteringStrategy.resample(scores: [0.1, 0.9, 0.5, 0.2], temperature: 1, count: 4000, rng: &a)
        #expect(x == ParticleFilteringStrategy.resample(scores: [0.1, 0.9, 0.5, 0.2], temperature: 1, count: 4000, rng: &b))
        // Probabilities weigh by their odds: 1/9, 9, 1, 1/4, so 0.9 is drawn with 9 / 10.36 = 0.869.
        let share = Double(x.filter { $0 == 1 }.count) / 4000
        #expect(abs(share - 0.869) < 0.015)
        // Scores outside [0, 1] are the log-weights themselves: softmax([1, 3]) = 0.119, 0.881.
        var d = SplitMix64("pf-test", 3)
        let raw = ParticleFilteringStrategy.resample(scores: [1, 3], temperature: 1, count: 4000, rng: &d)
        #expect(abs(Double(raw.filter { $0 == 1 }.count) / 4000 - 0.881) < 0.015)
        // A high temperature spreads the draws evenly.
        var c = SplitMix64("pf-test", 2)
        let flat = ParticleFilteringStrategy.resample(scores: [0.1, 0.9], temperature: 1000, count: 4000, rng: &c)
        #expect(abs(Double(flat.filter { $0 == 0 }.count) / 4000 - 0.5) < 0.03)
    }

    @Test func particleFilteringCopiesAndDropsParticles() async throws {
        let source = StrategySimSource(model: Self.weak)
        let outcome = try await Self.particles(8).solve(strategyContext(Self.items[7], source, scorers: Self.prm(0.95)))
        let calls = Self.stepOrder(source.log.calls)
        #expect(calls.prefix(8).map(\.tag) == (0..<8).map { "step1-\($0)" })
        // After resampling, copies of one particle continue as replicas 0, 1, ... of the same text.
        let second = calls.dropFirst(8).prefix { $0.tag.hasPrefix("step2-") }
        #expect(!second.isEmpty && second.contains { $0.tag != "step2-0" })
        #expect(outcome.detail.contains("particle filtering, 8 particles"))
    }
}
