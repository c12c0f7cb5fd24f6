import TTSCore
import TTSStore
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
            let kind = try v.required("kind", expected: "exact, numeric, math, code, judge, reward, oracle or simulated")
                .oneOf(["exact", "numeric", "math", "code", "judge", "reward", "oracle", "simulated"])
            switch kind {
            case "reward":
                return VerifierSpec(name: name, kind: .reward(try parseRewardEndpoint(v)))
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
                var limits = SandboxLimits()
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

    // MARK: reward endpoints

    static let rewardKeys = ["kind", "api", "base_url", "path", "model", "input", "chat", "class_index", "extra_body",
                             "body", "score", "api_key_env", "extra_headers", "timeout", "max_retries", "retry_base_delay",
                             "max_concurrency"]

    /// `kind: reward`: a reward-model endpoint (see `RewardEndpointParameters`).
    func parseRewardEndpoint(_ v: YAMLCursor) throws -> RewardEndpointParameters {
        let entries = try v.mapping(allowed: Self.rewardKeys)
        let api = try v.optional("api").map { RewardEndpointParameters.API(rawValue: try $0.oneOf(["classify", "pooling", "json"]))! } ?? .classify
        // Keys that belong to the other shape are refused where they are written.
        let only: [String: RewardEndpointParameters.API?] = [
            "model": nil, "input": nil, "chat": nil, "class_index": nil, "extra_body": nil, "body": .json, "score": .json,
        ]
        for entry in entries {
            guard let owner = only[entry.key] else { continue }
            let fits = owner == .json ? api == .json : api != .json
            if !fits {
                let which = owner == .json ? "api: json" : "api: classify or pooling"
                throw entry.keyCursor.error("'\(v.pathString).\(entry.key)' applies to \(which) only; this verifier has api: \(api.rawValue)")
            }
        }
        let baseCursor = try v.required("base_url", expected: "the reward server's URL, e.g. http://127.0.0.1:8000")
        let base = try baseCursor.string()
        guard let u = URL(string: base), let scheme = u.scheme?.lowercased(), ["http", "https"].contains(scheme), u.host != nil else {
            throw baseCursor.error("'\(baseCursor.pathString)' must be an http(s) URL such as http://127.0.0.1:8000, found '\(base.prefix(80))'")
        }
        var path: String?
        if let c = v.optional("path") {
            let text = try c.string(nonEmpty: false)
            guard text.isEmpty || text.hasPrefix("/") else { throw c.error("'\(c.pathString)' must start with '/', found '\(text.prefix(80))'") }
            path = text
        }
        var p = RewardEndpointParameters(api: api, baseURL: base, path: path)
        func showsCandidate(_ text: String) -> Bool { text.contains("{response}") || text.contains("{answer}") }
        switch api {
        case .classify, .pooling:
            p.model = try v.required("model", expected: "the model name the server serves, e.g. Skywork/Skywork-Reward-V2-Qwen3-0.6B").string()
            if let c = v.optional("chat") { p.chat = try c.bool() }
            if let c = v.optional("input") {
                if p.chat { throw c.error("'\(c.pathString)' cannot be combined with 'chat: true' (the chat form sends the question and the response as messages)") }
                let text = try c.string()
                guard showsCandidate(text) else {
                    throw c.error("'\(c.pathString)' must show the candidate: include {response} (the completion) or {answer} (the extracted answer)")
                }
                p.input = text
            }
            if let c = v.optional("class_index") { p.classIndex = try c.int(min: -1024, max: 1024) }
            if let c = v.optional("extra_body") {
                guard case .object(let o) = try json(c) else { throw c.error("'\(c.pathString)' must be a mapping") }
                for entry in try c.mapping() where ["model", "input", "messages"].contains(entry.key) {
                    throw entry.keyCursor.error("'\(c.pathString).\(entry.key)' is set by ttsbench and cannot be overridden in extra_body")
                }
                p.extraBody = o
            }
        case .json:
            let bodyCursor = try v.required("body", expected: "the request body, a mapping whose strings may use {question}, {response}, {answer}, {reference}")
            let body = try json(bodyCursor)
            guard case .object = body else { throw bodyCursor.error("'\(bodyCursor.pathString)' must be a mapping (the JSON request body), found \(bodyCursor.kindName)") }
            guard showsCandidate(body.canonicalString) else {
                throw bodyCursor.error("'\(bodyCursor.pathString)' must show the candidate: use {response} (the completion) or {answer} (the extracted answer) in one of its strings")
            }
            p.body = body
            let scoreCursor = try v.required("score", expected: "the path to the score in the reply, e.g. result.scores[0]")
            let score = try scoreCursor.string()
            if case .failure(let why) = JSONPathStep.parse(score) {
                throw scoreCursor.error("'\(scoreCursor.pathString)' is not a score path (\(why.message)); write it like result.scores[0] or $.reward")
            }
            p.score = score
        }
        if let k = v.optional("api_key_env") {
            let name = try k.string()
            guard name.unicodeScalars.allSatisfy({ $0 == "_" || ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) }),
                  !(name.first?.isNumber ?? true) else {
                throw k.error("'\(k.pathString)' must name an environment variable (letters, digits, '_'), found '\(name.prefix(40))'; put the key itself in that variable, never in the suite")
            }
            p.apiKeyEnv = name
        }
        if let h = v.optional("extra_headers") {
            var headers: [String: String] = [:]
            for entry in try h.mapping(what: "a mapping of header names to values") {
                if entry.key.lowercased() == "authorization" {
                    throw entry.keyCursor.error("'\(h.pathString).\(entry.key)': pass the API key through 'api_key_env', not in the suite")
                }
                headers[entry.key] = try entry.value.string(nonEmpty: false)
            }
            p.extraHeaders = headers
        }
        if let c = v.optional("timeout") { p.timeout = try c.double(min: 0.01, max: 86_400) }
        if let c = v.optional("max_retries") { p.maxRetries = try c.int(min: 0, max: 100) }
        if let c = v.optional("retry_base_delay") { p.retryBaseDelay = try c.double(min: 0, max: 60) }
        if let c = v.optional("max_concurrency") { p.maxConcurrency = try c.int(min: 1, max: 4096) }
        return p
    }
}
