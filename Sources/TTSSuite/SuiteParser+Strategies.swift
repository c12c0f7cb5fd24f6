import TTSCore
import Foundation
import Yams

extension SuiteParser {
    // MARK: strategies

    /// Each strategy: its kind (one of `StrategyKinds.all`), the common decoding settings, then
    /// the kind's own keys, read by the kind.
    func parseStrategies(_ c: YAMLCursor, verifiers: [VerifierSpec], models: [ModelSpec]) throws -> [StrategySpec] {
        let entries = try c.mapping(what: "a mapping of strategy names to strategies")
        guard !entries.isEmpty else { throw c.error("'strategies' must define at least one strategy") }
        return try entries.map { entry in
            let name = try entry.keyCursor.identifier()
            let s = entry.value
            let kindName = try s.required("kind", expected: StrategyKinds.names.joined(separator: ", ")).oneOf(StrategyKinds.names)
            let kind = StrategyKinds.named(kindName)!
            let common = ["kind", "temperature", "top_p", "max_tokens"].filter { !kind.replacedKeys.contains($0) }
            let temperature = try s.optional("temperature").map { try $0.double(min: 0, max: 5) } ?? kind.defaultTemperature
            let topP = try s.optional("top_p").map { try $0.double(min: 0, max: 1, exclusiveMin: true) } ?? 1
            let maxTokens = try s.optional("max_tokens").map { try $0.int(min: 1, max: 1_000_000) } ?? 2048
            _ = try s.mapping(allowed: common + kind.keys)
            var context = StrategyParseContext(verifiers: verifiers, models: models, temperature: temperature, topP: topP, maxTokens: maxTokens)
            let parsed = try kind.parse(s, context: &context)
            return StrategySpec(name: name, kind: parsed, temperature: context.temperature, topP: context.topP, maxTokens: context.maxTokens)
        }
    }
}
