import TTSCore
import Foundation
import Yams

extension SuiteParser {
    // MARK: models

    static let modelKinds = ["simulated", "openai", "replay"]
    static let openAIKeys = ["kind", "base_url", "base_urls", "model", "api", "api_key_env", "max_concurrency", "timeout",
                             "max_retries", "retry_base_delay", "extra_body", "extra_headers", "price_per_million",
                             "supports_n", "logprobs", "sampling", "stop", "cache", "routing", "continuation", "deterministic", "label",
                             "reasoning", "reasoning_effort", "enable_thinking", "thinking_budget", "ca_file"]

    func parseModels(_ c: YAMLCursor) throws -> [ModelSpec] {
        let entries = try c.mapping(what: "a mapping of model names to models")
        guard !entries.isEmpty else { throw c.error("'models' must define at least one model") }
        return try entries.map { entry in
            let name = try entry.keyCursor.identifier()
            let m = entry.value
            let kind = try m.required("kind", expected: "simulated, openai or replay").oneOf(Self.modelKinds)
            switch kind {
            case "openai":
                return try parseOpenAIModel(name: name, m)
            case "replay":
                return try parseReplayModel(name: name, m)
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

    // MARK: openai

    func parseOpenAIModel(name: String, _ m: YAMLCursor) throws -> ModelSpec {
        let entries = try m.mapping(allowed: Self.openAIKeys)
        var urls: [String]
        switch try m.exactlyOne("base_url", "base_urls", entries: entries, name: m.pathString,
                                needs: "'\(m.pathString)' needs 'base_url' (e.g. http://127.0.0.1:8000/v1) or 'base_urls' (a list of replicas)") {
        case .first(let one):
            urls = [try url(one)]
        case .second(let many):
            let list = try many.list(what: "a list of base URLs")
            guard !list.isEmpty else { throw many.error("'\(many.pathString)' must list at least one URL") }
            urls = try list.map { try url($0) }
            if let dup = urls.firstIndex(where: { u in urls.filter { $0 == u }.count > 1 }) {
                throw list[dup].error("'\(list[dup].pathString)' repeats the URL \(urls[dup])")
            }
        }
        let model = try m.required("model", expected: "the model name the server serves, e.g. Qwen2.5-Math-1.5B-Instruct").string()
        let api = try m.optional("api").map { OpenAIModelParameters.API(rawValue: try $0.oneOf(["chat", "completions"]))! } ?? .chat
        let apiKeyEnv = try m.optional("api_key_env").map { try $0.environmentVariableName() }
        var p = OpenAIModelParameters(baseURLs: urls, model: model, api: api, apiKeyEnv: apiKeyEnv)
        if let v = m.optional("max_concurrency") { p.maxConcurrency = try v.int(min: 1, max: 4096) }
        if let v = m.optional("timeout") { p.timeout = try v.double(min: 0.01, max: 86_400) }
        if let v = m.optional("max_retries") { p.maxRetries = try v.int(min: 0, max: 100) }
        if let v = m.optional("retry_base_delay") { p.retryBaseDelay = try v.double(min: 0, max: 60) }
        if let v = m.optional("extra_body") {
            guard case .object(let o) = try json(v), true else { throw v.error("'\(v.pathString)' must be a mapping") }
            let reserved = ["model", "messages", "prompt", "n", "seed", "stream"]
            for entry in try v.mapping() where reserved.contains(entry.key) {
                throw entry.keyCursor.error("'\(v.pathString).\(entry.key)' is set by ttsbench and cannot be overridden in extra_body")
            }
            p.extraBody = o
        }
        if let v = m.optional("extra_headers") { p.extraHeaders = try v.extraHeaders() }
        if let v = m.optional("price_per_million") {
            (p.pricePerMillionInput, p.pricePerMillionOutput) = try v.pricePerMillion()
        }
        if let v = m.optional("supports_n") {
            if case .scalar(let s) = v.node, ["true", "false", "auto"].contains(s.string.lowercased()) {
                p.supportsN = OpenAIModelParameters.SupportsN(rawValue: s.string.lowercased())!
            } else {
                _ = try v.oneOf(["auto", "true", "false"])
            }
        }
        if let v = m.optional("logprobs") {
            if case .scalar(let s) = v.node, ["true", "false"].contains(s.string.lowercased()) {
                p.logprobs = s.string.lowercased() == "true" ? 0 : nil
            } else {
                p.logprobs = try v.int(min: 0, max: 20)
            }
        }
        if let v = m.optional("sampling") {
            p.sampling = OpenAIModelParameters.Sampling(rawValue: try v.oneOf(["plain", "server"]))!
        }
        if let v = m.optional("stop") {
            p.stop = try v.list(what: "a list of stop strings", allowScalar: true).map { try $0.string(nonEmpty: false) }
            if p.stop.contains("") { throw v.error("'\(v.pathString)' must not contain an empty string") }
        }
        if let v = m.optional("cache") { p.cache = try v.bool() }
        if let v = m.optional("deterministic") { p.deterministic = try v.bool() }
        if let v = m.optional("routing") {
            p.routing = OpenAIModelParameters.Routing(rawValue: try v.oneOf(OpenAIModelParameters.Routing.allCases.map(\.rawValue)))!
        }
        if let v = m.optional("continuation") {
            let c = OpenAIModelParameters.Continuation(rawValue: try v.oneOf(OpenAIModelParameters.Continuation.allCases.map(\.rawValue)))!
            switch (c, api) {
            case (.completions, .chat):
                throw v.error("'\(v.pathString)': completions continuation needs 'api: completions'; with the chat API use 'continuation: chat_prefix'")
            case (.chatPrefix, .completions):
                throw v.error("'\(v.pathString)': chat_prefix continuation needs 'api: chat'; the completions API continues a prefix by itself ('continuation: completions')")
            default: break
            }
            p.continuation = c
        }
        if let v = m.optional("ca_file") { p.caFile = try caFile(v, urls: urls) }
        try parseReasoningKeys(m, into: &p)
        let label = try m.optional("label").map { try $0.string() } ?? "\(model) (\(api.rawValue) API)"
        return ModelSpec(name: name, kind: .openai(p), fingerprint: SHA256.hex(p.fingerprintText), label: label)
    }

    /// `ca_file`: a readable PEM file of certificates, for https endpoints only.
    private func caFile(_ c: YAMLCursor, urls: [String]) throws -> String {
        let shown = try c.string()
        if let plain = urls.first(where: { !$0.lowercased().hasPrefix("https://") }) {
            throw c.error("'\(c.pathString)' applies to https:// endpoints; \(plain) is not one")
        }
        let path = resolvePath(shown)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw c.error("'\(c.pathString)' names '\(shown)', which cannot be read (looked for \(path))")
        }
        guard String(decoding: data.prefix(1 << 20), as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
            throw c.error("'\(c.pathString)': '\(shown)' holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
        }
        return path
    }

    private func url(_ c: YAMLCursor) throws -> String {
        let s = try c.string()
        guard let u = URL(string: s), let scheme = u.scheme?.lowercased(), ["http", "https"].contains(scheme), u.host != nil else {
            throw c.error("'\(c.pathString)' must be an http(s) URL such as http://127.0.0.1:8000/v1, found '\(s.prefix(80))'")
        }
        return s.hasSuffix("/") ? String(s.dropLast()) : s
    }

    /// A YAML value as JSON (for `extra_body`): plain scalars are typed like YAML 1.2 core.
    func json(_ c: YAMLCursor) throws -> JSONValue {
        switch c.node {
        case .scalar(let s):
            if s.style != .plain { return .string(s.string) }
            if c.isNull { return .null }
            switch s.string {
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default: break
            }
            if let i = Int64(s.string) { return .int(i) }
            if let d = Double(s.string), d.isFinite { return .double(d) }
            return .string(s.string)
        case .mapping:
            var o: [String: JSONValue] = [:]
            for entry in try c.mapping() { o[entry.key] = try json(entry.value) }
            return .object(o)
        case .sequence:
            return .array(try c.list().map { try json($0) })
        case .alias:
            throw c.error("'\(c.pathString)': aliases are not supported here")
        }
    }

    // MARK: replay

    func parseReplayModel(name: String, _ m: YAMLCursor) throws -> ModelSpec {
        let entries = try m.mapping(allowed: ["kind", "database", "suite", "model", "file", "fingerprint", "label",
                                              "repeats_per_seed", "reuse_repeats", "format"])
        switch try m.exactlyOne("database", "file", entries: entries, name: m.pathString,
                                needs: "'\(m.pathString)' needs 'database' (a ttsbench database, with 'suite' and 'model') or 'file' (a JSONL file of samples)") {
        case .first(let dbCursor):
            for key in ["format", "repeats_per_seed", "reuse_repeats"] {
                if let c = m.optional(key) { throw c.error("'\(c.pathString)' applies to a replay 'file', not a 'database'") }
            }
            let shown = try dbCursor.string()
            let path = resolvePath(shown)
            let suiteCursor = try m.required("suite", expected: "the recorded suite's name")
            let modelCursor = try m.required("model", expected: "the recorded model's name in that suite")
            let suite = try suiteCursor.string()
            let model = try modelCursor.string()
            guard FileManager.default.fileExists(atPath: path) else {
                throw dbCursor.error("'\(dbCursor.pathString)' names '\(shown)', which does not exist (looked for \(path))")
            }
            guard let recordedModels else {
                throw dbCursor.error("'\(dbCursor.pathString)' names the ttsbench database '\(shown)', which this program cannot read (suites replaying a database are read by ttsbench run, plan, validate and compare)")
            }
            let found: (model: (fingerprint: String, label: String)?, known: [String])
            do {
                found = try recordedModels.recordedModel(databasePath: path, suite: suite, name: model)
            } catch {
                throw dbCursor.error("'\(dbCursor.pathString)': cannot read the ttsbench database '\(shown)': \(error)")
            }
            guard let row = found.model else {
                let known = found.known
                throw modelCursor.error("the database '\(shown)' records no model '\(model)' of suite '\(suite)'"
                    + (known.isEmpty ? " (it records no models; run the suite with this version first)" : "; recorded: \(known.joined(separator: ", "))"))
            }
            let fp = row.fingerprint
            let recordedLabel = row.label
            let label = try m.optional("label").map { try $0.string() } ?? "replay of \(recordedLabel)"
            return ModelSpec(name: name, kind: .replay(ReplayModelParameters(source: .database(path: path, suite: suite, model: model), shownPath: shown)),
                             fingerprint: fp, label: label)
        case .second(let fileCursor):
            let shown = try fileCursor.string()
            let path = resolvePath(shown)
            let formatCursor = m.optional("format")
            let format = try formatCursor.map { c in
                let name = try c.string()
                guard let f = ReplayFile.Format(rawValue: name) else {
                    throw c.error("'\(c.pathString)' is '\(name)'; expected one of: \(ReplayFile.Format.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return f
            } ?? .replay
            let records: ReplayFile
            do { records = try ReplayFile.load(path: path, shownAs: shown, format: format) } catch {
                throw fileCursor.error("'\(fileCursor.pathString)': \(error)")
            }
            guard var fp = try m.optional("fingerprint").map({ try $0.string() }) ?? records.fingerprint else {
                throw m.error("'\(m.pathString)' needs 'fingerprint' (the replayed model's fingerprint) when the lines of '\(shown)' name no single model_fingerprint")
            }
            let perSeedCursor = m.optional("repeats_per_seed")
            let perSeed = try perSeedCursor.map { try $0.int(min: 1) }
            let reuse = try m.optional("reuse_repeats").map { try $0.bool() } ?? false
            if let fewest = records.fewestRepeats {
                guard let perSeed else {
                    throw m.error("'\(m.pathString)' needs 'repeats_per_seed' (how many of an item's imported repeats each seed takes; "
                        + "sample i of seed s is repeat s*repeats_per_seed+i): '\(shown)' holds imported repeats (\(fewest) or more an item)")
                }
                // Another mapping serves other samples: the pool must not reuse what this one recorded.
                fp += "|repeats_per_seed=\(perSeed)" + (reuse ? "|reuse_repeats" : "")
            } else if let perSeedCursor {
                throw perSeedCursor.error("'\(perSeedCursor.pathString)' applies to imported repeats (lines with sample_index); '\(shown)' has none")
            }
            let label = try m.optional("label").map { try $0.string() } ?? "replay of \(shown)"
            return ModelSpec(name: name, kind: .replay(ReplayModelParameters(source: .jsonl(path: path), shownPath: shown,
                                                                             repeatsPerSeed: perSeed, reuseRepeats: reuse, format: format)),
                             fingerprint: fp, label: label)
        }
    }
}
