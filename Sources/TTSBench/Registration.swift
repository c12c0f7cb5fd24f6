import TTSCore
import TTSStore
import TTSSuite
import BuildInfo
import Foundation

/// What a run records about its suite before generating anything: the suite, its models and
/// systems, and the provenance a report shows. Everything a leaderboard needs is written here
/// or by the runner, so that reports read the database and nothing else.
enum Registration {
    static func record(suite: Suite, task: LoadedTask, in store: Store) async throws {
        let provenance = ProvenanceRecord(
            dataset: dataset(suite.task, task: task), models: suite.models.map(model), suiteSeed: suite.seed,
            ttsbenchVersion: BuildInfo.version, ttsbenchCommit: BuildInfo.commit,
            dependencies: BuildInfo.dependencies.map { ProvenanceRecord.Dependency(name: $0.name, version: $0.version) },
            fingerprintVersion: Fingerprint.version)
        let record = SuiteRecord(name: suite.name, fingerprint: suite.fingerprint, fingerprintVersion: Fingerprint.version,
                                 yaml: Redaction.credentials(in: suite.sourceText), taskDigest: task.digest, compareJSON: suite.compare.canonicalJSON,
                                 provenanceJSON: Fingerprint.canonicalJSON(provenance))
        let models = suite.models.map { ModelRecord(suite: suite.name, name: $0.name, fingerprint: $0.fingerprint, label: $0.label) }
        let systems = suite.systems.enumerated().map { position, s in
            let model = suite.model(s.model)!
            let strategy = suite.strategy(s.strategy)!
            let (variantOf, variant) = Variants.parse(systemName: s.name, strategy: s.strategy)
            var record = SystemRecord(suite: suite.name, name: s.name, fingerprint: s.fingerprint, model: s.model, modelLabel: model.label,
                                      strategy: s.strategy, strategyLabel: strategy.label, verifier: s.verifier,
                                      simulated: model.isSimulated, position: position, variantOf: variantOf, variant: variant,
                                      family: strategy.family, samplesPerItem: strategy.samplesPerItem)
            record.deterministic = suite.isDeterministic(s)
            return record
        }
        try await store.register(suite: record, models: models, systems: systems)
    }

    static func dataset(_ spec: TaskSpec, task: LoadedTask) -> ProvenanceRecord.Dataset {
        var source: String
        var fileHash: String? = nil
        switch spec.source {
        case .arithmetic(let a):
            source = "generated: arithmetic, items \(a.items), digits \(a.digits), operations \(a.operations.joined(separator: " "))"
        case .file(let path, let shown):
            source = "file: \(shown)"
            if let data = FileManager.default.contents(atPath: path) { fileHash = SHA256.hex(bytes: data) }
        }
        return ProvenanceRecord.Dataset(name: spec.name, source: source, fileSHA256: fileHash, limit: spec.limit,
                                        items: task.items.count, taskDigest: task.digest)
    }

    static func model(_ m: ModelSpec) -> ProvenanceRecord.Model {
        ProvenanceRecord.Model(name: m.name, kind: m.kindName, label: m.label, fingerprint: m.fingerprint, endpoint: endpoint(m))
    }

    /// Where a real model is reached, without credentials: URLs lose any user info and query.
    static func endpoint(_ m: ModelSpec) -> ProvenanceRecord.Endpoint? {
        guard case .openai(let p) = m.kind else { return nil }
        let urls = p.baseURLs.map { raw -> String in
            guard var c = URLComponents(string: raw) else { return "(unparseable URL)" }
            c.user = nil
            c.password = nil
            c.query = nil
            c.fragment = nil
            return c.string ?? "(unparseable URL)"
        }
        return ProvenanceRecord.Endpoint(api: p.api.rawValue, apiKeyEnv: p.apiKeyEnv, baseURLs: urls, model: p.model)
    }
}
