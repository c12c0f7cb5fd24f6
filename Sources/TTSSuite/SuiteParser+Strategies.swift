import TTSCore
import TTSStore
import Foundation
import Yams

extension SuiteParser {
    // MARK: strategies

    static let strategyKinds = ["single", "majority", "best_of_n", "weighted_majority", "multi_temperature", "fusion",
                                "first_finish", "refine", "budget_forcing"]

    func parseStrategies(_ c: YAMLCursor, verifiers: [VerifierSpec], models: [ModelSpec]) throws -> [StrategySpec] {
        let entries = try c.mapping(what: "a mapping of strategy names to strategies")
        guard !entries.isEmpty else { throw c.error("'strategies' must define at least one strategy") }
        return try entries.map { entry in
            let name = try entry.keyCursor.identifier()
            let s = entry.value
            let kind = try s.required("kind", expected: Self.strategyKinds.joined(separator: ", ")).oneOf(Self.strategyKinds)
            var common = ["kind", "temperature", "top_p", "max_tokens"]
            if kind == "multi_temperature" { common.removeAll { $0 == "temperature" } }  // it has `temperatures`
            if kind == "budget_forcing" { common.removeAll { $0 == "max_tokens" } }      // it has `budget`
            var temperature = try s.optional("temperature").map { try $0.double(min: 0, max: 5) } ?? (kind == "single" ? 0 : 0.8)
            let topP = try s.optional("top_p").map { try $0.double(min: 0, max: 1, exclusiveMin: true) } ?? 1
            var maxTokens = try s.optional("max_tokens").map { try $0.int(min: 1, max: 1_000_000) } ?? 2048
            func samples() throws -> Int {
                try s.required("n", expected: "the number of samples, at least 1").int(min: 1, max: 4096)
            }
            let strategyKind: StrategySpec.Kind
            switch kind {
            case "single":
                _ = try s.mapping(allowed: common)
                strategyKind = .single
            case "majority":
                _ = try s.mapping(allowed: common + ["n"])
                strategyKind = .majority(n: try samples())
            case "best_of_n":
                _ = try s.mapping(allowed: common + ["n", "scorer"])
                let n = try samples()
                strategyKind = .bestOfN(n: n, scorer: try scorer(s, kind: kind, verifiers: verifiers))
            case "weighted_majority":
                _ = try s.mapping(allowed: common + ["n", "scorer", "weighting"])
                let n = try samples()
                let scorerName = try scorer(s, kind: kind, verifiers: verifiers)
                let weighting = try s.optional("weighting").map { VoteWeighting(rawValue: try $0.oneOf(VoteWeighting.allCases.map(\.rawValue)))! } ?? .sigmoid
                strategyKind = .weightedMajority(n: n, scorer: scorerName, weighting: weighting)
            case "multi_temperature":
                _ = try s.mapping(allowed: common + ["temperatures", "n", "min_per_temp", "tau_intra", "tau_cross", "final_rule"])
                let p = try parseMultiTemperature(s)
                temperature = p.temperatures[0]
                strategyKind = .multiTemperature(p)
            case "fusion":
                _ = try s.mapping(allowed: common + ["n", "fuser", "fuser_temperature", "prompt", "max_candidate_chars"])
                strategyKind = .fusion(try parseFusion(s, n: try samples(), models: models))
            case "first_finish":
                _ = try s.mapping(allowed: common + ["n"])
                strategyKind = .firstFinish(n: try samples())
            case "refine":
                _ = try s.mapping(allowed: common + ["mode", "rounds", "drafts", "workspace"])
                strategyKind = .refine(try parseRefine(s))
            default:
                _ = try s.mapping(allowed: common + ["budget", "min_tokens", "max_waits", "cue", "answer_tokens"])
                let p = try parseBudgetForcing(s)
                maxTokens = p.budget - p.answerTokens
                strategyKind = .budgetForcing(p)
            }
            return StrategySpec(name: name, kind: strategyKind, temperature: temperature, topP: topP, maxTokens: maxTokens)
        }
    }

    /// The `scorer` of a strategy: it must name a reward verifier.
    private func scorer(_ s: YAMLCursor, kind: String, verifiers: [VerifierSpec]) throws -> String {
        let scorerCursor = try s.required("scorer", expected: "the name of a reward verifier")
        let scorer = try scorerCursor.string()
        guard let v = verifiers.first(where: { $0.name == scorer }) else {
            let suggestion = closest(scorer, in: verifiers.map(\.name)).map { " (did you mean '\($0)'?)" } ?? ""
            throw scorerCursor.error("'\(scorerCursor.pathString)' names verifier '\(scorer)', which is not defined in 'verifiers'\(suggestion) (defined: \(verifiers.map(\.name).joined(separator: ", ")))")
        }
        guard v.givesReward else {
            throw scorerCursor.error("'\(scorerCursor.pathString)' names verifier '\(scorer)', which gives no reward; a \(kind) scorer must be a reward verifier (kind: reward, simulated or oracle)")
        }
        return scorer
    }

    private func parseMultiTemperature(_ s: YAMLCursor) throws -> MultiTemperatureParameters {
        let listCursor = try s.required("temperatures", expected: "a list of sampling temperatures")
        let list = try listCursor.list(what: "a list of sampling temperatures, e.g. [0.4, 0.8, 1.2]")
        guard !list.isEmpty else { throw listCursor.error("'\(listCursor.pathString)' must not be empty") }
        var temperatures: [Double] = []
        for t in list {
            let value = try t.double(min: 0, max: 5)
            if temperatures.contains(value) { throw t.error("'\(t.pathString)' repeats temperature \(shortNumber(value)); temperatures must be distinct") }
            temperatures.append(value)
        }
        temperatures.sort()
        let nCursor = try s.required("n", expected: "the total number of samples, spread over the temperatures")
        let n = try nCursor.int(min: 1, max: 4096)
        guard n >= temperatures.count else {
            throw nCursor.error("'\(nCursor.pathString)' must be at least the number of temperatures (\(temperatures.count)), found \(n)")
        }
        var p = MultiTemperatureParameters(temperatures: temperatures, n: n, minPerTemperature: 2, tauIntra: 0.6, tauCross: 1.0, finalRule: .pooled)
        if let m = s.optional("min_per_temp") {
            p.minPerTemperature = try m.int(min: 1, max: 4096)
            let smallest = p.allocation.min()!
            guard p.minPerTemperature <= smallest else {
                throw m.error("'\(m.pathString)' is \(p.minPerTemperature), but n = \(n) over \(temperatures.count) temperatures gives some temperature only \(smallest) samples, so the early exit could never happen")
            }
        } else {
            p.minPerTemperature = min(2, p.allocation.min()!)
        }
        if let t = s.optional("tau_intra") { p.tauIntra = try t.double(min: 0, max: 1) }
        if let t = s.optional("tau_cross") { p.tauCross = try t.double(min: 0, max: 1) }
        if let r = s.optional("final_rule") {
            p.finalRule = MultiTemperatureParameters.FinalRule(rawValue: try r.oneOf(MultiTemperatureParameters.FinalRule.allCases.map(\.rawValue)))!
        }
        return p
    }

    private func parseFusion(_ s: YAMLCursor, n: Int, models: [ModelSpec]) throws -> FusionParameters {
        var p = FusionParameters(n: n, fuser: nil, fuserTemperature: 0, prompt: FusionParameters.defaultPrompt, maxCandidateChars: 4000)
        if let f = s.optional("fuser") {
            let fuser = try f.string()
            guard models.contains(where: { $0.name == fuser }) else {
                let suggestion = closest(fuser, in: models.map(\.name)).map { " (did you mean '\($0)'?)" } ?? ""
                throw f.error("'\(f.pathString)' names model '\(fuser)', which is not defined in 'models'\(suggestion) (defined: \(models.map(\.name).joined(separator: ", ")))")
            }
            p.fuser = fuser
        }
        if let t = s.optional("fuser_temperature") { p.fuserTemperature = try t.double(min: 0, max: 5) }
        if let prompt = s.optional("prompt") {
            p.prompt = try prompt.string()
            for placeholder in ["{question}", "{candidates}"] where !p.prompt.contains(placeholder) {
                throw prompt.error("'\(prompt.pathString)' must contain the placeholder \(placeholder)")
            }
        }
        if let m = s.optional("max_candidate_chars") { p.maxCandidateChars = try m.int(min: 100, max: 1_000_000) }
        return p
    }

    private func parseRefine(_ s: YAMLCursor) throws -> RefineParameters {
        let mode = try s.optional("mode").map { RefineParameters.Mode(rawValue: try $0.oneOf(RefineParameters.Mode.allCases.map(\.rawValue)))! } ?? .sequential
        var p = RefineParameters(mode: mode, rounds: mode == .sequential ? 2 : 1, drafts: 4, workspace: 2000)
        if let r = s.optional("rounds") { p.rounds = try r.int(min: 1, max: 32) }
        for key in ["drafts", "workspace"] {
            if mode == .sequential, let c = s.optional(key) {
                throw c.error("'\(c.pathString)' applies only to 'mode: parallel' (Parallel-Distill-Refine); this strategy is sequential")
            }
        }
        if let d = s.optional("drafts") { p.drafts = try d.int(min: 1, max: 256) }
        if let w = s.optional("workspace") { p.workspace = try w.int(min: 100, max: 1_000_000) }
        return p
    }

    private func parseBudgetForcing(_ s: YAMLCursor) throws -> BudgetForcingParameters {
        let budgetCursor = try s.required("budget", expected: "the completion-token budget per item")
        let budget = try budgetCursor.int(min: 16, max: 1_000_000)
        var p = BudgetForcingParameters(budget: budget, minTokens: budget / 2, maxWaits: 2, cue: "Wait", answerTokens: 16)
        if let a = s.optional("answer_tokens") {
            p.answerTokens = try a.int(min: 1, max: 4096)
            guard p.answerTokens < budget else {
                throw a.error("'\(a.pathString)' must be less than 'budget' (\(budget)), found \(p.answerTokens)")
            }
        }
        if p.answerTokens >= budget { p.answerTokens = max(1, budget / 4) }
        if let m = s.optional("min_tokens") { p.minTokens = try m.int(min: 0, max: budget) }
        if let w = s.optional("max_waits") { p.maxWaits = try w.int(min: 0, max: 64) }
        if let c = s.optional("cue") { p.cue = try c.string() }
        return p
    }
}
