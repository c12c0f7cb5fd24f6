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
            let kind = try v.required("kind", expected: "exact, numeric, math, code, judge, oracle or simulated")
                .oneOf(["exact", "numeric", "math", "code", "judge", "oracle", "simulated"])
            switch kind {
            case "oracle":
                _ = try v.mapping(allowed: ["kind", "using"])
                let using = try v.optional("using").map { try $0.oneOf(["exact", "numeric", "math"]) } ?? "numeric"
                return VerifierSpec(name: name, kind: .oracle(using: using))
            case "exact":
                _ = try v.mapping(allowed: ["kind", "case_sensitive"])
                return VerifierSpec(name: name, kind: .exact(caseSensitive: try v.optional("case_sensitive").map { try $0.bool() } ?? false))
            case "numeric":
                _ = try v.mapping(allowed: ["kind", "tolerance"])
                return VerifierSpec(name: name, kind: .numeric(tolerance: try v.optional("tolerance").map { try $0.double(min: 0) } ?? 1e-6))
            case "math":
                _ = try v.mapping(allowed: ["kind"])
                return VerifierSpec(name: name, kind: .math)
            case "code":
                _ = try v.mapping(allowed: ["kind", "timeout", "memory_mb", "max_processes", "network"])
                var limits = Sandbox.Limits()
                if let t = v.optional("timeout") { limits.timeout = try t.double(min: 0.1, max: 3600) }
                if let m = v.optional("memory_mb") { limits.memoryMB = try m.int(min: 32, max: 1 << 20) }
                if let p = v.optional("max_processes") { limits.maxProcesses = try p.int(min: 1, max: 4096) }
                if let n = v.optional("network") { limits.allowNetwork = try n.oneOf(["none", "allowed"]) == "allowed" }
                return VerifierSpec(name: name, kind: .code(limits))
            case "judge":
                _ = try v.mapping(allowed: ["kind", "model", "prompt"])
                let modelCursor = try v.required("model", expected: "the name of a model of the suite that judges")
                let model = try modelCursor.identifier()
                // Models are parsed before verifiers; the reference is checked against their names.
                let modelNames = (root.optional("models").flatMap { try? $0.mapping() } ?? []).map(\.key)
                guard modelNames.contains(model) else {
                    let suggestion = closest(model, in: modelNames).map { " (did you mean '\($0)'?)" } ?? ""
                    throw modelCursor.error("'\(modelCursor.pathString)' names an unknown model '\(model)'\(suggestion); the models are: \(modelNames.joined(separator: ", "))")
                }
                var prompt: String? = nil
                if let p = v.optional("prompt") {
                    let text = try p.string()
                    guard text.contains("{response}") || text.contains("{answer}") else {
                        throw p.error("'\(p.pathString)' must show the candidate: include {response} (the completion) or {answer} (the extracted answer)")
                    }
                    prompt = text
                }
                return VerifierSpec(name: name, kind: .judge(model: model, prompt: prompt))
            default:
                _ = try v.mapping(allowed: ["kind", "auc"])
                let auc = try v.required("auc", expected: "the reward model's ROC AUC, between 0.5 and 1").double(min: 0.5, max: 0.9999)
                return VerifierSpec(name: name, kind: .simulatedReward(auc: auc))
            }
        }
    }

}
