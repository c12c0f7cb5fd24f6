@testable import TTSBench
@testable import TTSSuite
@testable import TTSCore
import Foundation
import Testing
@testable import TTSStrategies

/// A suite whose `strategies` section starts at line 12 (its first strategy on line 13).
private func suite(_ strategies: String, systems: String = "systems:\n  matrix: {model: [mid], strategy: [s], verifier: [math]}\n") -> String {
    """
    suite: t
    seed: 7
    task:
      generate: {kind: arithmetic, items: 20}
    models:
      mid: {kind: simulated, ability: 0.5}
      strong: {kind: simulated, ability: 1.5}
    verifiers:
      math: {kind: math}
      rm: {kind: simulated, auc: 0.8}
    # strategies follow
    strategies:

    """ + strategies + systems
}

struct StrategyParseCase: Sendable, CustomTestStringConvertible {
    var name: String
    var strategy: String  // line 13
    var column: Int
    var mentions: [String]
    var line = 13
    var testDescription: String { name }
}

private let cases: [StrategyParseCase] = [
    .init(name: "unknown kind with a suggestion", strategy: "  s: {kind: fusoin, n: 4}\n", column: 13,
          mentions: ["'strategies.s.kind'", "did you mean 'fusion'", "budget_forcing"]),
    .init(name: "misspelt fusion key", strategy: "  s: {kind: fusion, n: 4, fusr: strong}\n", column: 27,
          mentions: ["unknown key 'fusr'", "did you mean 'fuser'"]),
    .init(name: "fuser names no model", strategy: "  s: {kind: fusion, n: 4, fuser: stronk}\n", column: 34,
          mentions: ["'strategies.s.fuser'", "model 'stronk'", "did you mean 'strong'"]),
    .init(name: "fusion prompt without candidates", strategy: "  s: {kind: fusion, n: 4, prompt: \"Q: {question}\"}\n", column: 35,
          mentions: ["'strategies.s.prompt'", "{candidates}"]),
    .init(name: "fusion without n", strategy: "  s: {kind: fusion}\n", column: 6, mentions: ["missing the required key 'n'"]),
    .init(name: "multi_temperature takes temperatures, not temperature",
          strategy: "  s: {kind: multi_temperature, n: 6, temperatures: [0.4, 0.8], temperature: 0.7}\n", column: 64,
          mentions: ["unknown key 'temperature'", "did you mean 'temperatures'"]),
    .init(name: "multi_temperature repeated temperature",
          strategy: "  s: {kind: multi_temperature, n: 6, temperatures: [0.4, 0.8, 0.4]}\n", column: 63,
          mentions: ["'strategies.s.temperatures[2]'", "distinct"]),
    .init(name: "multi_temperature temperatures not a list",
          strategy: "  s: {kind: multi_temperature, n: 6, temperatures: 0.4}\n", column: 52, mentions: ["a list of sampling temperatures"]),
    .init(name: "multi_temperature n below the number of temperatures",
          strategy: "  s: {kind: multi_temperature, n: 2, temperatures: [0.4, 0.8, 1.2]}\n", column: 35,
          mentions: ["'strategies.s.n'", "at least the number of temperatures (3)"]),
    .init(name: "multi_temperature min_per_temp above a temperature's share",
          strategy: "  s: {kind: multi_temperature, n: 7, temperatures: [0.4, 0.8, 1.2], min_per_temp: 3}\n", column: 83,
          mentions: ["'strategies.s.min_per_temp'", "only 2 samples"]),
    .init(name: "multi_temperature tau out of range",
          strategy: "  s: {kind: multi_temperature, n: 6, temperatures: [0.4, 0.8], tau_intra: 1.5}\n", column: 75,
          mentions: ["'strategies.s.tau_intra' must be at most 1"]),
    .init(name: "multi_temperature unknown final rule",
          strategy: "  s: {kind: multi_temperature, n: 6, temperatures: [0.4, 0.8], final_rule: twostage}\n", column: 76,
          mentions: ["'strategies.s.final_rule'", "did you mean 'two_stage'"]),
    .init(name: "weighted_majority scorer is not a reward verifier",
          strategy: "  s: {kind: weighted_majority, n: 4, scorer: math}\n", column: 46,
          mentions: ["'strategies.s.scorer'", "gives no reward", "weighted_majority scorer"]),
    .init(name: "weighted_majority unknown weighting",
          strategy: "  s: {kind: weighted_majority, n: 4, scorer: rm, weighting: softmax}\n", column: 61,
          mentions: ["'strategies.s.weighting'", "sigmoid, raw"]),
    .init(name: "refine drafts in sequential mode", strategy: "  s: {kind: refine, rounds: 2, drafts: 4}\n", column: 40,
          mentions: ["'strategies.s.drafts'", "mode: parallel"]),
    .init(name: "refine unknown mode", strategy: "  s: {kind: refine, mode: paralel}\n", column: 27,
          mentions: ["'strategies.s.mode'", "did you mean 'parallel'"]),
    .init(name: "refine zero rounds", strategy: "  s: {kind: refine, rounds: 0}\n", column: 29, mentions: ["'strategies.s.rounds' must be at least 1"]),
    .init(name: "refine tiny workspace", strategy: "  s: {kind: refine, mode: parallel, workspace: 10}\n", column: 48,
          mentions: ["'strategies.s.workspace' must be at least 100"]),
    .init(name: "budget_forcing without a budget", strategy: "  s: {kind: budget_forcing, min_tokens: 100}\n", column: 6,
          mentions: ["missing the required key 'budget'"]),
    .init(name: "budget_forcing answer_tokens not below budget",
          strategy: "  s: {kind: budget_forcing, budget: 100, answer_tokens: 100}\n", column: 57,
          mentions: ["'strategies.s.answer_tokens' must be less than 'budget' (100)"]),
    .init(name: "budget_forcing takes budget, not max_tokens",
          strategy: "  s: {kind: budget_forcing, budget: 500, max_tokens: 100}\n", column: 42,
          mentions: ["unknown key 'max_tokens'"]),
    .init(name: "budget_forcing min_tokens above budget",
          strategy: "  s: {kind: budget_forcing, budget: 500, min_tokens: 600}\n", column: 54,
          mentions: ["'strategies.s.min_tokens' must be at most 500"]),
    .init(name: "first_finish n out of range", strategy: "  s: {kind: first_finish, n: 0}\n", column: 30,
          mentions: ["'strategies.s.n' must be at least 1"]),
]

@Suite struct StrategyParsingTests {
    func load(_ yaml: String) throws -> Suite {
        try SuiteLoader.load(data: Data(yaml.utf8), path: "suite.yaml")
    }

    @Test("new strategy keys are checked and located", arguments: cases)
    func malformed(_ c: StrategyParseCase) throws {
        do {
            _ = try load(suite(c.strategy))
            Issue.record("loaded without error")
        } catch let error as SuiteError {
            #expect(error.line == c.line, "\(error)")
            #expect(error.column == c.column, "\(error)")
            for m in c.mentions { #expect(error.message.contains(m), "message lacks \(m): \(error.message)") }
        }
    }

    @Test func everyKindParsesWithItsDefaults() throws {
        let s = try load(suite("""
              wm: {kind: weighted_majority, n: 8, scorer: rm}
              mt: {kind: multi_temperature, n: 10, temperatures: [1.2, 0.4, 0.8]}
              fu: {kind: fusion, n: 8}
              fs: {kind: fusion, n: 8, fuser: strong, fuser_temperature: 0.3}
              ff: {kind: first_finish, n: 8}
              rs: {kind: refine}
              rp: {kind: refine, mode: parallel}
              bf: {kind: budget_forcing, budget: 1000}

            """, systems: "systems:\n  matrix: {model: [mid], strategy: [wm, mt, fu, fs, ff, rs, rp, bf], verifier: [math]}\n"))
        func kind(_ name: String) -> any StrategyKind { s.strategy(name)!.kind }
        #expect(kind("wm") == WeightedMajorityKind(n: 8, scorer: "rm", weighting: .sigmoid))
        guard let mt = (kind("mt") as? MultiTemperatureKind)?.parameters else { Issue.record("mt"); return }
        #expect(mt.temperatures == [0.4, 0.8, 1.2])
        #expect(mt.allocation == [4, 3, 3])
        #expect(mt.minPerTemperature == 2 && mt.tauIntra == 0.6 && mt.tauCross == 1.0 && mt.finalRule == .pooled)
        #expect(s.strategy("mt")!.temperature == 0.4)
        guard let fu = (kind("fu") as? FusionKind)?.parameters, let fs = (kind("fs") as? FusionKind)?.parameters else { Issue.record("fusion"); return }
        #expect(fu.fuser == nil && fu.fuserTemperature == 0 && fu.prompt == FusionParameters.defaultPrompt)
        #expect(fs.fuser == "strong" && fs.fuserTemperature == 0.3)
        #expect(kind("ff") == FirstFinishKind(n: 8))
        #expect(kind("rs") == RefineKind(RefineParameters(mode: .sequential, rounds: 2, drafts: 4, workspace: 2000)))
        #expect(kind("rp") == RefineKind(RefineParameters(mode: .parallel, rounds: 1, drafts: 4, workspace: 2000)))
        #expect(kind("bf") == BudgetForcingKind(BudgetForcingParameters(budget: 1000, minTokens: 500, maxWaits: 2, cue: "Wait", answerTokens: 16)))
        #expect(s.strategy("bf")!.maxTokens == 1000 - 16)
        #expect(s.strategies.map(\.label) == ["weighted_majority@8", "multi_temperature@10[0.4,0.8,1.2]", "fusion@8",
                                             "fusion@8 (fuser strong)", "first_finish@8", "refine@2r", "pdr@4x1r", "budget_forcing@1000"])
        // Every kind runs through the factory.
        for spec in s.strategies { _ = StrategyFactory.make(spec) }
    }

    /// A fusion system's fingerprint follows its fuser model, and weighted majority's follows its scorer.
    @Test func fingerprintsFollowTheFuserAndTheScorer() throws {
        let strategies = "  s: {kind: fusion, n: 4, fuser: strong}\n"
        let a = try load(suite(strategies))
        let b = try load(suite(strategies).replacingOccurrences(of: "strong: {kind: simulated, ability: 1.5}",
                                                                 with: "strong: {kind: simulated, ability: 2.5}"))
        #expect(a.systems[0].fingerprint != b.systems[0].fingerprint)
        let w = "  s: {kind: weighted_majority, n: 4, scorer: rm}\n"
        let c = try load(suite(w))
        let d = try load(suite(w).replacingOccurrences(of: "auc: 0.8", with: "auc: 0.9"))
        #expect(c.systems[0].fingerprint != d.systems[0].fingerprint)
    }

    @Test func theStrategiesSuiteLoadsWithEveryKind() throws {
        let s = try SuiteLoader.load(path: packageRoot + "/suites/strategies.yaml")
        let kinds = Set(s.systems.map { system -> String in
            let kind = s.strategy(system.strategy)!.kind
            if let refine = kind as? RefineKind { return "refine-\(refine.parameters.mode.rawValue)" }
            return type(of: kind).name
        })
        #expect(kinds == ["single", "majority", "best_of_n", "weighted_majority", "multi_temperature", "fusion", "first_finish",
                          "last_finish", "refine-sequential", "refine-parallel", "budget_forcing", "beam_search", "dvts", "particle_filtering"])
    }
}
