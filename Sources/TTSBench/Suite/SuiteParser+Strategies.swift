import Foundation
import Yams

extension SuiteParser {
    // MARK: strategies

    func parseStrategies(_ c: YAMLCursor, verifiers: [VerifierSpec]) throws -> [StrategySpec] {
        let entries = try c.mapping(what: "a mapping of strategy names to strategies")
        guard !entries.isEmpty else { throw c.error("'strategies' must define at least one strategy") }
        return try entries.map { entry in
            let name = try entry.keyCursor.identifier()
            let s = entry.value
            let kind = try s.required("kind", expected: "single, majority or best_of_n").oneOf(["single", "majority", "best_of_n"])
            let common = ["kind", "temperature", "top_p", "max_tokens"]
            let temperature = try s.optional("temperature").map { try $0.double(min: 0, max: 5) } ?? (kind == "single" ? 0 : 0.8)
            let topP = try s.optional("top_p").map { try $0.double(min: 0, max: 1, exclusiveMin: true) } ?? 1
            let maxTokens = try s.optional("max_tokens").map { try $0.int(min: 1, max: 1_000_000) } ?? 2048
            let strategyKind: StrategySpec.Kind
            switch kind {
            case "single":
                _ = try s.mapping(allowed: common)
                strategyKind = .single
            case "majority":
                _ = try s.mapping(allowed: common + ["n"])
                strategyKind = .majority(n: try s.required("n", expected: "the number of samples, at least 1").int(min: 1, max: 4096))
            default:
                _ = try s.mapping(allowed: common + ["n", "scorer"])
                let n = try s.required("n", expected: "the number of samples, at least 1").int(min: 1, max: 4096)
                let scorerCursor = try s.required("scorer", expected: "the name of a reward verifier")
                let scorer = try scorerCursor.string()
                guard let v = verifiers.first(where: { $0.name == scorer }) else {
                    throw scorerCursor.error("'\(scorerCursor.pathString)' names verifier '\(scorer)', which is not defined in 'verifiers' (defined: \(verifiers.map(\.name).joined(separator: ", ")))")
                }
                guard v.givesReward else {
                    throw scorerCursor.error("'\(scorerCursor.pathString)' names verifier '\(scorer)', which gives no reward; a best_of_n scorer must be a reward verifier (kind: simulated)")
                }
                strategyKind = .bestOfN(n: n, scorer: scorer)
            }
            return StrategySpec(name: name, kind: strategyKind, temperature: temperature, topP: topP, maxTokens: maxTokens)
        }
    }

}
