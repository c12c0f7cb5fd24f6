import TTSCore
import TTSStore
import TTSSuite
import BuildInfo
import Foundation

/// What a run records about its suite before generating anything: the suite, its models and
/// systems, and the provenance a report shows. Everything a leaderboard needs is written here
/// or by the runner, so that reports read the database and nothing else.
enum Registration {
    /// Refuses to record `suite` over a suite of the same name recorded with another
    /// fingerprint (unless `replace`), and over a test that began under another design
    /// (always: continuing it would choose the design after seeing results).
    static func checkChanges(suite: Suite, in store: Store, database: String, replace: Bool) throws {
        guard let recorded = try store.reader.recordedSuite(suite.name) else { return }
        if recorded.fingerprint != suite.fingerprint && !replace {
            throw SuiteConflict(message: "\(suite.path): suite '\(suite.name)' is recorded in \(database) with fingerprint "
                + "\(recorded.fingerprint.prefix(12)) (recorded \(recorded.createdAt), last changed \(recorded.updatedAt)); this file has "
                + "fingerprint \(suite.fingerprint.prefix(12)): its task, models, strategies, verifiers or systems differ. Refusing to mix "
                + "them: rename the suite (`suite:`) to keep both boards, or run with --replace to replace the recorded board (samples "
                + "and seeds of unchanged systems are reused).")
        }
        let design = suite.compare.settings.design.canonicalJSON
        let old = try recorded.compareSettings().design.canonicalJSON
        let began = try store.reader.interimCount(scope: suite.name)
        if began > 0 && old != design {
            throw SuiteConflict(message: "\(suite.path): the test of suite '\(suite.name)' began under another design (\(began) "
                + "interim\(began == 1 ? "" : "s") recorded in \(database) with \(old)); this file asks for "
                + "\(design). A sequential test's error guarantee holds only for a design fixed before it starts, so it "
                + "is not continued under a new one. To test under the new design, start a new test on new seeds: give the suite "
                + "another name and another `seed` (reported separately; the old board stays), or use another database.")
        }
    }

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

/// A suite that conflicts with what the database recorded under its name (another fingerprint,
/// or another design after its test began). Bad input: exit 2.
public struct SuiteConflict: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

/// A bad command-line argument that is not located in any file (a system name given to
/// `compare`). Bad input: exit 2.
public struct ArgumentError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
