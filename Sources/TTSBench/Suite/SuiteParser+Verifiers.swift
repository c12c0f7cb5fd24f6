import Foundation
import Yams

extension SuiteParser {
    // MARK: verifiers

    func parseVerifiers(_ c: YAMLCursor) throws -> [VerifierSpec] {
        let entries = try c.mapping(what: "a mapping of verifier names to verifiers")
        guard !entries.isEmpty else { throw c.error("'verifiers' must define at least one verifier") }
        return try entries.map { entry in
            let name = try entry.keyCursor.identifier()
            let v = entry.value
            let kind = try v.required("kind", expected: "exact, numeric, math or simulated").oneOf(["exact", "numeric", "math", "simulated"])
            switch kind {
            case "exact":
                _ = try v.mapping(allowed: ["kind", "case_sensitive"])
                return VerifierSpec(name: name, kind: .exact(caseSensitive: try v.optional("case_sensitive").map { try $0.bool() } ?? false))
            case "numeric":
                _ = try v.mapping(allowed: ["kind", "tolerance"])
                return VerifierSpec(name: name, kind: .numeric(tolerance: try v.optional("tolerance").map { try $0.double(min: 0) } ?? 1e-6))
            case "math":
                _ = try v.mapping(allowed: ["kind"])
                return VerifierSpec(name: name, kind: .math)
            default:
                _ = try v.mapping(allowed: ["kind", "auc"])
                let auc = try v.required("auc", expected: "the reward model's ROC AUC, between 0.5 and 1").double(min: 0.5, max: 0.9999)
                return VerifierSpec(name: name, kind: .simulatedReward(auc: auc))
            }
        }
    }

}
