@testable import TTSBench
@testable import TTSRuntime
@testable import TTSSuite
import AdaStop
@testable import TTSCore
import Foundation
import Testing

@Suite struct SuiteLoadingTests {
    static func load(_ yaml: String, name: String = "suite.yaml") throws -> Suite {
        let dir = try makeTempDir("suite-load")
        return try SuiteLoader.load(path: try writeFile(dir, name, yaml))
    }

    @Test func aValidSuiteExpandsTheMatrixModelMajorThenTheList() throws {
        let yaml = baseSuite + "  list:\n    - {name: mid-greedy, model: mid, strategy: single, verifier: math}\n"
            + "    - {model: strong, strategy: maj4, verifier: math, name: strong/maj4-again}\n"
        let suite = try Self.load(yaml)
        #expect(suite.name == "small")
        #expect(suite.seed == 7)
        #expect(suite.systems.map(\.name) == [
            "weak/single", "weak/maj4", "weak/bon4",
            "mid/single", "mid/maj4", "mid/bon4",
            "strong/single", "strong/maj4", "strong/bon4",
            "mid-greedy", "strong/maj4-again",
        ])
        let first = try #require(suite.system("weak/bon4"))
        #expect(first.model == "weak" && first.strategy == "bon4" && first.verifier == "math")
        #expect(suite.models.map(\.name) == ["weak", "mid", "strong"])
        #expect(suite.strategy("bon4")?.kind == BestOfNKind(n: 4, scorer: "rm"))
        #expect(suite.strategy("maj4")?.kind == MajorityKind(n: 4))
        #expect(suite.strategy("maj4")?.temperature == 0.8)
        #expect(suite.strategy("single")?.temperature == 0)
        #expect(suite.verifier("rm")?.kind == SimulatedRewardKind(auc: 0.8))
        guard case .arithmetic(let spec) = suite.task.source else { Issue.record("not the generator"); return }
        #expect(spec == ArithmeticSpec(items: 40, digits: 2, operations: ["+", "-", "*"]))
        #expect(suite.task.extract == .boxed)
        // Every system has its own fingerprint, except that fingerprints do not depend on names:
        // `strong/maj4-again` is the same model, strategy and verifier as `strong/maj4`.
        let fps = Dictionary(grouping: suite.systems, by: \.fingerprint)
        #expect(fps.count == 9)
        #expect(suite.system("strong/maj4")?.fingerprint == suite.system("strong/maj4-again")?.fingerprint)
        #expect(suite.system("mid/single")?.fingerprint == suite.system("mid-greedy")?.fingerprint)
    }

    @Test func severalVerifiersNameSystemsWithTheVerifier() throws {
        let yaml = baseSuite.replacingOccurrences(of: "verifier: [math]}", with: "verifier: [math, exact]}")
            .replacingOccurrences(of: "  math: {kind: math}\n", with: "  math: {kind: math}\n  exact: {kind: exact}\n")
        let suite = try Self.load(yaml)
        #expect(suite.systems.count == 18)
        #expect(suite.systems.prefix(3).map(\.name) == ["weak/single/math", "weak/single/exact", "weak/maj4/math"])
    }

    @Test func fingerprintsAreStableAndTrackWhatMatters() throws {
        let a = try Self.load(baseSuite)
        let b = try Self.load(baseSuite + "# a comment changes nothing\n")
        #expect(a.fingerprint == b.fingerprint)
        #expect(a.systems.map(\.fingerprint) == b.systems.map(\.fingerprint))

        let reseeded = try Self.load(baseSuite.replacingOccurrences(of: "seed: 7", with: "seed: 8"))
        #expect(reseeded.fingerprint != a.fingerprint)
        #expect(Set(reseeded.systems.map(\.fingerprint)).isDisjoint(with: a.systems.map(\.fingerprint)))

        // Changing the weak model changes only the weak systems.
        let weaker = try Self.load(baseSuite.replacingOccurrences(of: "ability: -0.5", with: "ability: -0.7"))
        for (x, y) in zip(a.systems, weaker.systems) {
            #expect((x.fingerprint == y.fingerprint) == (x.model != "weak"), "\(x.name)")
        }
        // Changing the reward model's AUC changes only best-of-N systems.
        let rm = try Self.load(baseSuite.replacingOccurrences(of: "auc: 0.8", with: "auc: 0.9"))
        for (x, y) in zip(a.systems, rm.systems) {
            #expect((x.fingerprint == y.fingerprint) == (x.strategy != "bon4"), "\(x.name)")
        }
    }

    @Test func defaultsApply() throws {
        let suite = try Self.load("""
            suite: d
            task: {generate: {kind: arithmetic}}
            models: {m: {kind: simulated, ability: 0}}
            verifiers: {v: {kind: numeric}}
            strategies: {s: {kind: single}, k: {kind: majority, n: 3}}
            systems: {matrix: {model: m, strategy: [s, k], verifier: v}}

            """)
        #expect(suite.seed == 0)
        #expect(suite.task.prompt == TaskSpec.defaultPrompt)
        #expect(suite.strategy("s")?.temperature == 0)
        #expect(suite.strategy("k")?.temperature == 0.8)
        #expect(suite.strategy("k")?.maxTokens == 2048)
        #expect(suite.verifier("v")?.kind == NumericKind(tolerance: 1e-6))
        #expect(suite.compare.groupSize == 5 && suite.compare.alpha == 0.05 && suite.compare.pool == .shared)
        #expect(suite.compare.permutation == .closed && SequentialSchedule.config(for: suite).scheme == .closed)
        #expect(suite.compare.futility == .standard && SequentialSchedule.config(for: suite).futility == .standard)
        guard case .arithmetic(let spec) = suite.task.source else { Issue.record("not the generator"); return }
        #expect(spec.items == 200 && spec.digits == 3)
        #expect(suite.systems.map(\.name) == ["m/s", "m/k"])
    }

    @Test("compare.futility: off, a margin in sd or in score units; the reference's rule has none")
    func futilitySettings() throws {
        func suite(_ compare: String) throws -> Suite {
            try Self.load("""
                suite: f
                task: {generate: {kind: arithmetic}}
                models: {m: {kind: simulated, ability: 0}}
                verifiers: {v: {kind: numeric}}
                strategies: {s: {kind: single}, k: {kind: majority, n: 3}}
                systems: {matrix: {model: m, strategy: [s, k], verifier: v}}
                compare: \(compare)

                """)
        }
        #expect(try suite("{futility: off}").compare.futility == nil)
        #expect(try suite("{futility: {margin_sd: 1.5}}").compare.futility == Futility(margin: .standardDeviations(1.5), beta: 0.25))
        #expect(try suite("{futility: {margin: 0.02, beta: 0.1}}").compare.futility == Futility(margin: .absolute(0.02), beta: 0.1))
        let compat = try suite("{rule: adastop-0.1.3}")
        #expect(compat.compare.futility == nil && compat.compare.permutation == .pairwise)
        // The canonical settings name both, so a changed rule changes the recorded settings.
        #expect(try suite("{futility: off}").compare.canonicalJSON.contains("\"futility\":\"off\""))
        #expect(try suite("{}").compare.canonicalJSON.contains("\"futility\":{\"beta\":0.25,\"margin_sd\":0.9}"))
        for (bad, message) in [("{futility: {margin: 0.1, margin_sd: 1}}", "not both"), ("{futility: maybe}", "off"),
                               ("{rule: adastop-0.1.3, futility: {margin_sd: 1}}", "no early accept"),
                               ("{futility: {beta: 1}}", "beta"), ("{futility: {speed: 1}}", "speed")] {
            let error = #expect(throws: SuiteError.self) { try suite(bad) }
            #expect(error?.description.contains(message) == true, "\(bad): \(error?.description ?? "")")
            #expect(error?.line == 7, "\(bad)")
        }
    }

    @Test func theDemoSuiteLoadsWithAtLeastNineSystems() throws {
        let path = (packageRoot as NSString).appendingPathComponent("suites/demo.yaml")
        let suite = try SuiteLoader.load(path: path)
        #expect(suite.systems.count >= 9)
        #expect(Set(suite.systems.map(\.model)).count >= 3)
        let kinds = Set(suite.systems.compactMap { suite.strategy($0.strategy)?.label.split(separator: "@").first.map(String.init) })
        #expect(kinds.isSuperset(of: ["single", "majority", "best_of_n"]))
        let task = try TaskLoader.load(suite.task, suiteSeed: suite.seed)
        #expect(task.items.count >= 100)
    }

    @Test func jsonlTasksLoadRelativeToTheSuiteWithLimit() throws {
        let dir = try makeTempDir("suite-jsonl")
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        try writeFile(dir, "data/items.jsonl", """
            {"id": "q1", "question": "What is $1+1$?", "answer": "2", "level": 1}
            {"id": 2, "prompt": "What is $\\\\frac{1}{2}+\\\\frac{1}{2}$?", "answer": 1, "difficulty": 0.5}

            {"id": "q3", "question": "x?", "answer": "\\\\frac{3}{4}"}

            """)
        let rest = baseSuite.split(separator: "\n").dropFirst(5).joined(separator: "\n")
        let path = try writeFile(dir, "suite.yaml", "suite: j\ntask:\n  file: data/items.jsonl\n" + rest + "\n")
        let suite = try SuiteLoader.load(path: path)
        let task = try TaskLoader.load(suite.task, suiteSeed: suite.seed)
        #expect(task.items.map(\.id) == ["q1", "2", "q3"])
        #expect(task.items[1].answer == "1" && task.items[1].difficulty == 0.5)
        #expect(task.items[2].answer == "\\frac{3}{4}")
        #expect(task.prompt(for: task.items[0]).hasSuffix("What is $1+1$?"))

        let limited = try SuiteLoader.load(path: try writeFile(dir, "limited.yaml",
            "suite: j\ntask:\n  file: data/items.jsonl\n  limit: 2\n" + rest + "\n"))
        #expect(try TaskLoader.load(limited.task, suiteSeed: 0).items.count == 2)
    }

    static let sharedDatasets = ["math500.jsonl", "aime24.jsonl", "aime25.jsonl", "amc23.jsonl", "gsm8k_test.jsonl", "humaneval.jsonl"]

    @Test(.enabled(if: sharedDatasets.allSatisfy(datasetPresent) || requireInputs,
                   Comment(rawValue: "not all of \(sharedDatasets.joined(separator: ", ")) are in \(datasetsDir): "
                                     + "needs ../shared/datasets beside the repository or TTSBENCH_DATASETS")),
          arguments: sharedDatasets)
    func sharedDatasetsLoad(_ file: String) throws {
        let path = try requireDataset(file)
        let (items, digest) = try JSONLDataset.load(path: path)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").filter { !$0.isEmpty }.count
        #expect(items.count == lines)
        #expect(Set(items.map(\.id)).count == items.count)
        #expect(items.allSatisfy { !$0.question.isEmpty && !$0.answer.isEmpty })
        #expect(digest.count == 64)
    }

    @Test func arithmeticItemsAreDeterministicAndCorrect() throws {
        let spec = ArithmeticSpec(items: 300, digits: 3, operations: ["+", "-", "*"])
        let a = ArithmeticGenerator(spec: spec, seed: 42).items()
        #expect(a == ArithmeticGenerator(spec: spec, seed: 42).items())
        #expect(a != ArithmeticGenerator(spec: spec, seed: 43).items())
        for item in a {
            // "Compute $a op b$." with the right answer.
            let body = item.question.dropFirst("Compute $".count).dropLast("$.".count)
            let parts = body.split(separator: " ")
            try #require(parts.count == 3, "\(item.question)")
            let x = try #require(Int(parts[0])), y = try #require(Int(parts[2]))
            #expect((100...999).contains(x) && (100...999).contains(y))
            let expected = switch parts[1] { case "+": x + y; case "-": x - y; default: x * y }
            #expect(item.answer == String(expected), "\(item.question) = \(item.answer)")
        }
        #expect(Set(a.map { $0.question.split(separator: " ")[2] }).count == 3)
        // Multiplications are harder than additions on average.
        let mult = a.filter { $0.question.contains("times") }.compactMap(\.difficulty)
        let add = a.filter { $0.question.contains(" + ") }.compactMap(\.difficulty)
        let meanMult: Double = mult.reduce(0, +) / Double(mult.count)
        let meanAdd: Double = add.reduce(0, +) / Double(add.count)
        #expect(meanMult > meanAdd)
    }
}
