@testable import TTSBench
@testable import TTSRuntime
@testable import TTSSuite
@testable import TTSCore
import Foundation
import Testing

/// The search kinds and the PRM kinds as a suite writes them: keys, defaults, located errors,
/// and the canonical JSON their fingerprints hash.
@Suite struct StepSearchParsingTests {
    static let yaml = """
        suite: search-kinds
        seed: 3
        task:
          generate: {kind: arithmetic, items: 10, digits: 2}
        models:
          mid: {kind: simulated, ability: 0.5}
        verifiers:
          math: {kind: math}
          sim: {kind: simulated, auc: 0.8}
          prm: {kind: simulated_prm, auc: 0.9}
          prm_min: {kind: simulated_prm, auc: 0.7, aggregation: min}
          qwen: {kind: prm, base_url: "http://127.0.0.1:9", model: Qwen/Qwen2.5-Math-PRM-7B, system: "Reason."}
        strategies:
          beam: {kind: beam_search, n: 16, beam_width: 4, prm: prm}
          beam2: {kind: beam_search, n: 8, beam_width: 2, prm: qwen, aggregation: prod, max_steps: 12, delimiter: "\\n", final_marker: "Answer:", max_tokens: 256}
          dvts: {kind: dvts, n: 16, beam_width: 4, prm: prm_min, aggregation: min}
          pf: {kind: particle_filtering, n: 8, prm: prm, resample_temperature: 0.5}
          bonp: {kind: best_of_n, n: 8, scorer: prm}
        systems:
          matrix: {model: [mid], strategy: [beam, beam2, dvts, pf, bonp], verifier: [math]}
        """

    func load(_ text: String) throws -> Suite { try SuiteLoader.load(data: Data(text.utf8), path: "search.yaml") }

    @Test func theKindsReadTheirKeysAndDefaults() throws {
        let suite = try load(Self.yaml)
        let beam = try #require(suite.strategy("beam")?.kind as? BeamSearchKind)
        #expect(beam.search == StepSearchParameters(n: 16, prm: "prm", aggregation: .last, maxSteps: 40, delimiter: "\n\n", finalMarker: "\\boxed"))
        #expect(beam.beamWidth == 4 && beam.label == "beam_search@16x4" && beam.samplesPerItem == 0 && beam.scorerName == "prm")
        let beam2 = try #require(suite.strategy("beam2")?.kind as? BeamSearchKind)
        #expect(beam2.search == StepSearchParameters(n: 8, prm: "qwen", aggregation: .prod, maxSteps: 12, delimiter: "\n", finalMarker: "Answer:"))
        #expect(suite.strategy("beam2")?.maxTokens == 256)
        #expect((suite.strategy("dvts")?.kind as? DVTSKind)?.label == "dvts@16x4")
        let pf = try #require(suite.strategy("pf")?.kind as? ParticleFilteringKind)
        #expect(pf.resampleTemperature == 0.5 && pf.label == "particle_filtering@8" && pf.calls(temperature: 0.8, ownModel: "m").auxiliary[0].calls == 8 * 40)
        let qwen = try #require(suite.verifier("qwen")?.kind as? PRMKind)
        #expect(qwen.parameters.endpoint.url == "http://127.0.0.1:9/pooling" && qwen.parameters.endpoint.chat)
        #expect(qwen.parameters.system == "Reason." && qwen.parameters.stepTag == "<extra_0>" && qwen.parameters.aggregation == .last)
        #expect(suite.verifier("prm")?.kind.scoresSteps == true && suite.verifier("sim")?.kind.scoresSteps == false)
        // A search's PRM shapes its numbers: it is part of the system fingerprint.
        let other = try load(Self.yaml.replacingOccurrences(of: "prm: {kind: simulated_prm, auc: 0.9}", with: "prm: {kind: simulated_prm, auc: 0.8}"))
        #expect(suite.systems[0].fingerprint != other.systems[0].fingerprint)
        #expect(suite.systems[2].fingerprint == other.systems[2].fingerprint, "dvts uses prm_min, not prm")
    }

    @Test func mistakesAreLocated() throws {
        func error(_ from: String, _ to: String) -> String {
            do { _ = try load(Self.yaml.replacingOccurrences(of: from, with: to)); return "no error" } catch { return "\(error)" }
        }
        let width = error("beam_width: 4, prm: prm}", "beam_width: 3, prm: prm}")
        #expect(width.contains("search.yaml:") && width.contains("must divide n (16)"), "\(width)")
        let notPRM = error("{kind: beam_search, n: 16, beam_width: 4, prm: prm}", "{kind: beam_search, n: 16, beam_width: 4, prm: sim}")
        #expect(notPRM.contains("does not score steps"), "\(notPRM)")
        let unknown = error("{kind: beam_search, n: 16, beam_width: 4, prm: prm}", "{kind: beam_search, n: 16, beam_width: 4, prm: pmr}")
        #expect(unknown.contains("did you mean 'prm'"), "\(unknown)")
        let missing = error("{kind: particle_filtering, n: 8, prm: prm, resample_temperature: 0.5}", "{kind: particle_filtering, n: 8}")
        #expect(missing.contains("prm"), "\(missing)")
        let aggregation = error("aggregation: min}", "aggregation: mean}")
        #expect(aggregation.contains("mean"), "\(aggregation)")
        let api = error("model: Qwen/Qwen2.5-Math-PRM-7B,", "api: classify, model: Qwen/Qwen2.5-Math-PRM-7B,")
        #expect(api.contains("pooling"), "\(api)")
    }

    @Test func aBudgetPricesASearchAtItsBoundOfStepCalls() throws {
        let suite = try load(Self.yaml)
        let model = CostModel(suite: suite, task: try TaskLoader.load(suite.task, suiteSeed: suite.seed), reader: nil)
        let beam = model.demand(try #require(suite.systems.first { $0.strategy == "beam" }))
        #expect(beam.samples.isEmpty)
        #expect(beam.auxiliary.map(\.model) == ["mid"] && beam.auxiliary.map(\.calls) == [16 * 40])
        let bon = model.demand(try #require(suite.systems.first { $0.strategy == "bonp" }))
        #expect(bon.samples.map(\.count) == [8] && bon.auxiliary.isEmpty)
    }

    @Test(needsDataset("math500.jsonl")) func theVLLMSearchExampleLoads() throws {
        let data = try requireDataset("math500.jsonl")
        // The example reads suites/data/math500.jsonl, which the repository does not ship.
        let dir = try makeTempDir("prm-example")
        try FileManager.default.createDirectory(atPath: dir + "/examples", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/data", withDestinationPath: (data as NSString).deletingLastPathComponent)
        try FileManager.default.copyItem(atPath: packageRoot + "/suites/examples/vllm-prm-search.yaml", toPath: dir + "/examples/p.yaml")
        let suite = try SuiteLoader.load(path: dir + "/examples/p.yaml")
        #expect(Set(suite.systems.compactMap { suite.strategy($0.strategy).map { type(of: $0.kind).name } })
                == ["majority", "best_of_n", "beam_search", "dvts", "particle_filtering"])
        guard case .openai(let p)? = suite.model("policy")?.kind else { Issue.record("policy is not an endpoint"); return }
        #expect(p.effectiveContinuation == .chatPrefix)
    }

    @Test func theCanonicalJSONOfTheNewKindsIsPinned() throws {
        let suite = try load(Self.yaml)
        var strategies: [String: String] = [:]
        for s in suite.strategies { strategies[s.name] = Fingerprint.canonicalJSON(StrategyFingerprint(s)) }
        var verifiers: [String: String] = [:]
        for v in suite.verifiers { verifiers[v.name] = Fingerprint.canonicalJSON(VerifierFingerprint(v)) }
        #expect(strategies == Self.strategyJSON)
        #expect(verifiers.filter { ["prm", "prm_min", "qwen"].contains($0.key) } == Self.verifierJSON)
    }

    static let strategyJSON: [String: String] = [
        "beam": "{\"kind\":{\"beamSearch\":{\"beamWidth\":4,\"search\":{\"aggregation\":\"last\",\"delimiter\":\"\\n\\n\",\"finalMarker\":\"\\\\boxed\",\"maxSteps\":40,\"n\":16,\"prm\":\"prm\"}}},\"maxTokens\":2048,\"temperature\":0.8,\"topP\":1}",
        "beam2": "{\"kind\":{\"beamSearch\":{\"beamWidth\":2,\"search\":{\"aggregation\":\"prod\",\"delimiter\":\"\\n\",\"finalMarker\":\"Answer:\",\"maxSteps\":12,\"n\":8,\"prm\":\"qwen\"}}},\"maxTokens\":256,\"temperature\":0.8,\"topP\":1}",
        "dvts": "{\"kind\":{\"dvts\":{\"beamWidth\":4,\"search\":{\"aggregation\":\"min\",\"delimiter\":\"\\n\\n\",\"finalMarker\":\"\\\\boxed\",\"maxSteps\":40,\"n\":16,\"prm\":\"prm_min\"}}},\"maxTokens\":2048,\"temperature\":0.8,\"topP\":1}",
        "pf": "{\"kind\":{\"particleFiltering\":{\"resampleTemperature\":0.5,\"search\":{\"aggregation\":\"last\",\"delimiter\":\"\\n\\n\",\"finalMarker\":\"\\\\boxed\",\"maxSteps\":40,\"n\":8,\"prm\":\"prm\"}}},\"maxTokens\":2048,\"temperature\":0.8,\"topP\":1}",
        "bonp": "{\"kind\":{\"bestOfN\":{\"n\":8,\"scorer\":\"prm\"}},\"maxTokens\":2048,\"temperature\":0.8,\"topP\":1}",
    ]
    static let verifierJSON: [String: String] = [
        "prm": "{\"simulatedPRM\":{\"aggregation\":\"last\",\"auc\":0.9}}",
        "prm_min": "{\"simulatedPRM\":{\"aggregation\":\"min\",\"auc\":0.7}}",
        "qwen": "{\"prm\":{\"parameters\":\"prm-endpoint(reward-endpoint(api=pooling,url=http://127.0.0.1:9/pooling,model=Qwen/Qwen2.5-Math-PRM-7B,chat,class_index=last),step_tag=\\\"<extra_0>\\\",system=\\\"Reason.\\\",aggregation=last,split=\\\"\\\\n\\\\n\\\")\"}}",
    ]
}
