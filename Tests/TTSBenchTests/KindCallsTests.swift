@testable import TTSBench
@testable import TTSSuite
@testable import TTSStore
@testable import TTSRuntime
import Foundation
import Testing

/// Every strategy and verifier kind declares the calls it makes (`StrategyKind.calls`,
/// `VerifierKind.modelCallsPerVerification`), and what it declares bounds what it does: budgets
/// and `plan` price the declarations, so a kind that made undeclared calls would be under-priced.
@Suite struct KindCallsTests {
    /// suites/strategies.yaml holds every strategy kind but the adaptive votes (suites/adaptive.yaml),
    /// which are added here; 20 items keep one seed quick.
    static func strategiesSuite() throws -> String {
        let text = try String(contentsOfFile: packageRoot + "/suites/strategies.yaml", encoding: .utf8)
        let adaptive = """
              ac8:      {kind: adaptive_consistency, max_n: 8, temperature: 0.8}
              esc8:     {kind: esc, max_n: 8, window: 4, temperature: 0.8}
              cc8:      {kind: confidence_consistency, max_n: 8, scorer: rm, temperature: 0.8}

            """
        return text.replacingOccurrences(of: "generate: {kind: arithmetic, items: 150, digits: 3}",
                                         with: "generate: {kind: arithmetic, items: 20, digits: 3}")
            .replacingOccurrences(of: "systems:\n", with: adaptive + "systems:\n")
            .replacingOccurrences(of: "pf8, pf8w]", with: "pf8, pf8w, ac8, esc8, cc8]")
    }

    @Test func everyStrategyKindDeclaresCallsThatBoundWhatItDoes() async throws {
        let dir = try makeTempDir("kind-calls")
        let path = try writeFile(dir, "strategies.yaml", try Self.strategiesSuite())
        let suite = try SuiteLoader.load(path: path)
        let kinds = Set(suite.strategies.map { type(of: $0.kind).name })
        #expect(kinds == Set(StrategyKinds.names), "suites/strategies.yaml lacks \(Set(StrategyKinds.names).subtracting(kinds).sorted())")

        var options = Session.Options()
        options.databasePath = dir + "/db.sqlite"
        options.outputDirectory = dir + "/out"
        options.workers = 8
        options.showProgress = false
        _ = try await Session.open(suitePath: path, options: options).run(seeds: 1)
        let reader = try StoreReader(path: dir + "/db.sqlite")
        for system in suite.systems {
            let strategy = try #require(suite.strategy(system.strategy))
            let calls = strategy.kind.calls(temperature: strategy.temperature, ownModel: system.model)
            let declared = calls.samples.reduce(0) { $0 + $1.count } + calls.auxiliary.reduce(0) { $0 + $1.calls }
            #expect(declared > 0, "\(strategy.name) declares no call")
            #expect(calls.auxiliary.allSatisfy { suite.model($0.model) != nil })
            let run = try #require(try reader.seedRuns(systemFingerprint: system.fingerprint, seeds: 1).first)
            #expect(run.callsPerItem <= Double(declared) + 1e-9,
                    "\(system.name): \(run.callsPerItem) calls per item, \(declared) declared")
        }
    }

    /// A verifier declares a call on exactly the models it references (a judge on its model), and
    /// a call to its own scoring endpoint exactly when it has one (a reward model, a PRM); what
    /// calls out declares some call. The cost model turns a judge into one priced call per
    /// verification, and a reward scorer into one endpoint call per scored candidate.
    @Test func everyVerifierKindDeclaresItsModelCalls() throws {
        let dir = try makeTempDir("verifier-calls")
        var yaml = try Self.strategiesSuite()
        yaml = yaml.replacingOccurrences(of: "verifiers:\n", with: "verifiers:\n  judge: {kind: judge, model: strong}\n  exact: {kind: exact}\n"
                                            + "  numeric: {kind: numeric}\n  oracle: {kind: oracle, using: math}\n  code: {kind: code}\n"
                                            + "  rm_http: {kind: reward, base_url: \"http://127.0.0.1:9\", model: rm-test}\n"
                                            + "  prm_http: {kind: prm, base_url: \"http://127.0.0.1:9\", model: prm-test}\n")
            .replacingOccurrences(of: "verifier: [math]", with: "verifier: [math, judge]")
            .replacingOccurrences(of: "reference: mid/maj8}", with: "reference: mid/maj8/math}")
        let suite = try SuiteLoader.load(path: try writeFile(dir, "verifiers.yaml", yaml))
        #expect(Set(suite.verifiers.map { type(of: $0.kind).name }) == Set(VerifierKinds.names))
        for v in suite.verifiers {
            #expect(Set(v.kind.modelCallsPerVerification.map(\.model)) == Set(v.kind.referencedModels), "\(v.name)")
            #expect(v.kind.modelCallsPerVerification.allSatisfy { $0.calls > 0 })
            let endpoint = v.kind.endpointCallsPerVerification
            #expect(endpoint.map { $0.calls > 0 && !$0.endpoint.isEmpty } ?? true, "\(v.name)")
            #expect(v.kind.callsOut == (!v.kind.modelCallsPerVerification.isEmpty || endpoint != nil), "\(v.name)")
        }
        #expect(suite.verifier("rm_http")?.kind.endpointCallsPerVerification?.calls == 1)
        #expect(suite.verifier("prm_http")?.kind.endpointCallsPerVerification?.calls == 1)
        let judged = try #require(suite.systems.first { $0.verifier == "judge" && $0.strategy == "maj8" })
        let demand = CostModel(suite: suite, task: try TaskLoader.load(suite.task, suiteSeed: suite.seed), reader: nil).demand(judged)
        #expect(demand.verifier.count == 1 && demand.verifier[0].model == "strong" && demand.verifier[0].calls == 1)
        #expect(demand.endpoints.isEmpty)
    }
}
