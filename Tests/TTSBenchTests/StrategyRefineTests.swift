@testable import TTSSuite
@testable import TTSCore
import Testing
@testable import TTSStrategies
@testable import TTSVerifiers

@Suite struct StrategyRefineTests {
    func sequential(rounds: Int) -> RefineStrategy {
        RefineStrategy(parameters: RefineParameters(mode: .sequential, rounds: rounds, drafts: 1, workspace: 2000), temperature: 0.8)
    }

    func pdr(drafts: Int, rounds: Int, workspace: Int = 1200) -> RefineStrategy {
        RefineStrategy(parameters: RefineParameters(mode: .parallel, rounds: rounds, drafts: drafts, workspace: workspace), temperature: 0.8)
    }

    /// Each round sees the task and the previous completion as its own turn, then the
    /// instruction; the draft is pooled sample 0; cost is 1 + rounds calls.
    @Test func eachRoundSeesThePreviousCompletion() async throws {
        let source = StrategySimSource(model: strategyModel("mid", ability: 0.5))
        let item = strategyItems[11]
        let outcome = try await sequential(rounds: 3).solve(strategyContext(item, source))
        #expect(outcome.calls == 4)
        #expect(outcome.samplesUsed == 1)
        let calls = source.log.calls
        #expect(calls.map(\.tag) == ["refine-1", "refine-2", "refine-3"])
        let draft = try await source.samples(for: item, temperature: 0.8, indices: 0..<1)[0]
        #expect(calls[0].messages.map(\.role) == ["user", "assistant", "user"])
        #expect(calls[0].messages[1].content == draft.completion!.text)
        #expect(calls[0].messages[2].content == RefineParameters.refineInstruction)
        #expect(calls[0].purpose == .refine(previous: [draft.answer]))
        #expect(outcome.detail.hasPrefix("rounds: \(draft.answer!) → "))
    }

    /// Refinement changes answers across rounds, both ways (fixes and breaks), and helps a mid
    /// model on balance: a relabelled majority vote never changes its answer between rounds.
    @Test func refinementChangesAnswersAndHelpsOnBalance() async throws {
        let source = StrategySimSource(model: strategyModel("mid", ability: 0.5))
        let refined = try await strategyOutcomes(sequential(rounds: 2), source)
        let drafts = try await strategyOutcomes(SingleStrategy(temperature: 0.8), source)
        let fixed = zip(drafts, refined).filter { !$0.correct && $1.correct }.count
        let broken = zip(drafts, refined).filter { $0.correct && !$1.correct }.count
        #expect(fixed > 0 && broken > 0)
        #expect(fixed > broken)
        #expect(accuracy(of: refined) > accuracy(of: drafts) + 0.03, "refined \(accuracy(of: refined)) drafts \(accuracy(of: drafts))")
        #expect(refined.contains { o in
            let trail = o.detail.prefix { $0 != ";" }.dropFirst("rounds: ".count).components(separatedBy: " → ")
            return Set(trail).count > 1
        })
    }

    /// A more able model fixes more of its wrong drafts.
    @Test func abilityDecidesHowOftenAWrongDraftIsFixed() async throws {
        func fixRate(_ ability: Double) async throws -> Double {
            let source = StrategySimSource(model: strategyModel("m", ability: ability))
            let drafts = try await strategyOutcomes(SingleStrategy(temperature: 0.8), source)
            let refined = try await strategyOutcomes(sequential(rounds: 1), source)
            let wrong = zip(drafts, refined).filter { !$0.0.correct }
            return Double(wrong.filter { $0.1.correct }.count) / Double(max(1, wrong.count))
        }
        let weak = try await fixRate(-0.5)
        let strong = try await fixRate(1.5)
        #expect(strong > weak + 0.1, "strong \(strong) weak \(weak)")
    }

    /// The distilled workspace never exceeds its bound and shows the tally, most votes first.
    @Test func theWorkspaceIsBounded() async throws {
        let source = StrategySimSource(model: strategyModel("mid", ability: 0.5))
        for item in strategyItems.prefix(40) {
            let drafts = try await source.samples(for: item, temperature: 0.8, indices: 0..<8)
            for limit in [100, 300, 1200] {
                let (text, visible) = RefineStrategy.distill(drafts, limit: limit, key: MathVerifier().votingKey)
                #expect(text.count <= limit)
                #expect(visible.count <= drafts.count)
                for case let answer? in visible { #expect(text.contains("\\boxed{\(answer)}")) }
            }
        }
        let scripted = try await StrategyScriptedSource(script: [0.8: [.init(answer: "5"), .init(answer: "4"), .init(answer: "4")]])
            .samples(for: strategyScriptedItem, temperature: 0.8, indices: 0..<3)
        let (text, visible) = RefineStrategy.distill(scripted, limit: 2000, key: MathVerifier().votingKey)
        #expect(text.hasPrefix("Answers reached by 3 attempts:\n- \\boxed{4}: 2 of 3 attempts\n- \\boxed{5}: 1 of 3 attempts"))
        #expect(visible == ["4", "4", "5"])
    }

    /// Parallel-Distill-Refine: k drafts, k refinements per intermediate round, one final
    /// refinement; every refinement sees the workspace, not the drafts.
    @Test func parallelDistillRefineCostAndRequests() async throws {
        let source = StrategySimSource(model: strategyModel("mid", ability: 0.5))
        let item = strategyItems[2]
        let outcome = try await pdr(drafts: 4, rounds: 2, workspace: 600).solve(strategyContext(item, source))
        #expect(outcome.samplesUsed == 4)
        #expect(outcome.calls == 4 + 4 + 1)
        let calls = source.log.calls
        #expect(calls.map(\.tag) == ["pdr-1-0", "pdr-1-1", "pdr-1-2", "pdr-1-3", "pdr-2-final"])
        let prompt = calls[0].messages.last!.content
        #expect(prompt.contains(RefineParameters.distillInstruction))
        let workspace = prompt.components(separatedBy: RefineParameters.distillInstruction + "\n\n")[1]
        #expect(workspace.count <= 600)
        // Replicas of the same workspace are distinct calls (distinct ids, distinct draws).
        #expect(Set(calls.prefix(4).map(\.callID)).count == 4)
    }

    @Test func parallelDistillRefineHelpsOverItsDrafts() async throws {
        let source = StrategySimSource(model: strategyModel("mid", ability: 0.5))
        let items = Array(strategyItems.prefix(200))
        let refined = try await strategyOutcomes(pdr(drafts: 4, rounds: 1), source, items: items)
        let single = try await strategyOutcomes(SingleStrategy(temperature: 0.8), source, items: items)
        let majority = try await strategyOutcomes(MajorityStrategy(n: 4, temperature: 0.8), source, items: items)
        #expect(accuracy(of: refined) > accuracy(of: single) + 0.05)
        #expect(zip(refined, majority).contains { $0.answer != $1.answer })
    }
}
