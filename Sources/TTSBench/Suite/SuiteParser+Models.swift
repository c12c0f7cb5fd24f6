import Foundation
import Yams

extension SuiteParser {
    // MARK: models

    func parseModels(_ c: YAMLCursor) throws -> [ModelSpec] {
        let entries = try c.mapping(what: "a mapping of model names to models")
        guard !entries.isEmpty else { throw c.error("'models' must define at least one model") }
        return try entries.map { entry in
            let name = try entry.keyCursor.identifier()
            let m = entry.value
            let kind = try m.required("kind", expected: "simulated").oneOf(["simulated"])
            switch kind {
            default:
                _ = try m.mapping(allowed: ["kind", "ability", "mean_tokens", "ms_per_token", "distractors", "label"])
                let p = SimulatedModelParameters(
                    ability: try m.required("ability", expected: "a number on the logit scale, e.g. -1 (weak) to 2 (strong)").double(min: -10, max: 10),
                    meanTokens: try m.optional("mean_tokens").map { try $0.double(min: 1, max: 100_000) } ?? 220,
                    msPerToken: try m.optional("ms_per_token").map { try $0.double(min: 0, max: 10_000) } ?? 20,
                    distractors: try m.optional("distractors").map { try $0.int(min: 1, max: 50) } ?? 4)
                // The name is part of a simulated model: two models of equal ability are two populations
                // with the same expected accuracy and independent samples.
                let fp = SHA256.hex("simulated-v1|name=\(name)|ability=\(p.ability)|tokens=\(p.meanTokens)|ms=\(p.msPerToken)|distractors=\(p.distractors)")
                let label = try m.optional("label").map { try $0.string() } ?? "simulated, ability \(p.ability)"
                return ModelSpec(name: name, kind: .simulated(p), fingerprint: fp, label: label)
            }
        }
    }

}
