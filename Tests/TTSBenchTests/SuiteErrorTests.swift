@testable import TTSBench
@testable import TTSSuite
@testable import TTSCore
import Foundation
import Testing

/// One malformed suite and where (and how) the loader must report it.
struct MalformedSuite: Sendable, CustomTestStringConvertible {
    var name: String
    var yaml: String
    var line: Int
    var column: Int
    /// Every one of these must appear in the message (the key, what was expected, ...).
    var mentions: [String]
    var testDescription: String { name }
}

// Common parts. `models`, `verifiers` and `strategies` below always start at the line noted.
private let head = """
    suite: t
    seed: 7
    task:
      generate: {kind: arithmetic, items: 20}

    """  // lines 1-4
private let modelsAndVerifiers = """
    models:
      weak: {kind: simulated, ability: -0.5}
      mid: {kind: simulated, ability: 0.5}
    verifiers:
      math: {kind: math}
      rm: {kind: simulated, auc: 0.8}

    """  // lines 5-10

private let malformedSuites: [MalformedSuite] = [
    MalformedSuite(
        name: "YAML syntax: unclosed flow sequence",
        yaml: "suite: t\nseed: [1, 2\ntask: {}\n",
        // libyaml notices the missing ']' at the next key, line 3 column 5 (the ':').
        line: 3, column: 5, mentions: ["YAML syntax error", "flow sequence"]),
    MalformedSuite(
        name: "YAML syntax: tab indentation",
        yaml: "suite: t\ntask:\n\tname: x\n",
        line: 3, column: 1, mentions: ["YAML syntax error", "cannot start any token"]),
    MalformedSuite(
        name: "YAML syntax: a mapping value where none is allowed",
        yaml: "suite: t\nseed: 7\n  bad: indent\n",
        line: 3, column: 6, mentions: ["YAML syntax error", "mapping values are not allowed"]),
    MalformedSuite(
        name: "unknown top-level key with a suggestion",
        yaml: "suite: t\nsede: 1\n",
        line: 2, column: 1, mentions: ["unknown key 'sede'", "did you mean 'seed'", "expected one of: suite, seed"]),
    MalformedSuite(
        name: "extract: an unknown mode",
        yaml: "suite: t\ntask:\n  generate: {kind: arithmetic, items: 3}\n  extract: boxd\n",
        line: 4, column: 12, mentions: ["'task.extract' must be one of auto, boxed", "did you mean 'boxed'"]),
    MalformedSuite(
        name: "extract: a regex that does not compile",
        yaml: "suite: t\ntask:\n  generate: {kind: arithmetic, items: 3}\n  extract: {regex: '(', group: 1}\n",
        line: 4, column: 20, mentions: ["'task.extract'", "'(' is not a valid regular expression"]),
    MalformedSuite(
        name: "extract: a regex group that does not exist",
        yaml: "suite: t\ntask:\n  generate: {kind: arithmetic, items: 3}\n  extract: {regex: 'a(b)', group: 3}\n",
        line: 4, column: 35, mentions: ["group 3 does not exist", "1 capture group"]),
    MalformedSuite(
        name: "unknown nested key with a suggestion",
        yaml: "suite: t\ntask:\n  name: a\n  generate: {kind: arithmetic, itmes: 3}\n",
        line: 4, column: 32, mentions: ["unknown key 'itmes'", "'task.generate'", "did you mean 'items'"]),
    MalformedSuite(
        name: "unknown key in a model",
        yaml: head + "models:\n  weak: {kind: simulated, abilty: 1}\n",
        line: 6, column: 27, mentions: ["unknown key 'abilty'", "'models.weak'", "did you mean 'ability'"]),
    MalformedSuite(
        name: "wrong type: a string for n",
        yaml: head + modelsAndVerifiers + "strategies:\n  m: {kind: majority, n: \"four\"}\n",
        line: 12, column: 26, mentions: ["'strategies.m.n'", "must be an integer", "four"]),
    MalformedSuite(
        name: "wrong type: a list for the suite name",
        yaml: "suite: [a, b]\n",
        line: 1, column: 8, mentions: ["'suite'", "must be a string", "found a list"]),
    MalformedSuite(
        name: "wrong type: models is a list",
        yaml: head + "models:\n  - weak\n",
        line: 6, column: 3, mentions: ["'models'", "a mapping of model names to models", "found a list"]),
    MalformedSuite(
        name: "n < 1",
        yaml: head + modelsAndVerifiers + "strategies:\n  maj: {kind: majority, n: 0}\n",
        line: 12, column: 28, mentions: ["'strategies.maj.n'", "at least 1", "found 0"]),
    MalformedSuite(
        name: "first_finish k > n",
        yaml: head + modelsAndVerifiers + "strategies:\n  f: {kind: first_finish, n: 4, k: 5}\n",
        line: 12, column: 36, mentions: ["'strategies.f.k'", "at most 4", "found 5"]),
    MalformedSuite(
        name: "temperature < 0",
        yaml: head + modelsAndVerifiers + "strategies:\n  s: {kind: single, temperature: -0.1}\n",
        line: 12, column: 34, mentions: ["'strategies.s.temperature'", "at least 0", "-0.1"]),
    MalformedSuite(
        name: "top_p = 0 (must be > 0)",
        yaml: head + modelsAndVerifiers + "strategies:\n  s: {kind: single, top_p: 0}\n",
        line: 12, column: 28, mentions: ["'strategies.s.top_p'", "greater than 0"]),
    MalformedSuite(
        name: "AUC above 1",
        yaml: head + "models:\n  weak: {kind: simulated, ability: 0}\nverifiers:\n  rm: {kind: simulated, auc: 1.5}\n",
        line: 8, column: 30, mentions: ["'verifiers.rm.auc'", "at most"]),
    MalformedSuite(
        name: "negative seed",
        yaml: "suite: t\nseed: -3\n",
        line: 2, column: 7, mentions: ["'seed'", "non-negative integer", "-3"]),
    MalformedSuite(
        name: "unknown model kind with a suggestion",
        yaml: head + "models:\n  weak: {kind: simulate, ability: 1}\n",
        line: 6, column: 16, mentions: ["'models.weak.kind'", "simulated", "did you mean 'simulated'"]),
    MalformedSuite(
        name: "missing required key: models",
        yaml: head + "verifiers:\n  math: {kind: math}\n",
        line: 1, column: 1, mentions: ["missing the required key 'models'", "a mapping of model names"]),
    MalformedSuite(
        name: "missing required key: ability",
        yaml: head + "models:\n  weak: {kind: simulated}\n",
        line: 6, column: 9, mentions: ["'models.weak'", "missing the required key 'ability'"]),
    MalformedSuite(
        name: "system names a missing model",
        yaml: head + modelsAndVerifiers + """
            strategies:
              s: {kind: single}
            systems:
              matrix: {model: [weak, mdi], strategy: s, verifier: math}

            """,
        line: 14, column: 26, mentions: ["'systems.matrix.model[1]'", "model 'mdi'", "did you mean 'mid'", "defined: weak, mid"]),
    MalformedSuite(
        name: "system names a missing strategy",
        yaml: head + modelsAndVerifiers + """
            strategies:
              s: {kind: single}
            systems:
              list:
                - {model: weak, strategy: majority, verifier: math}

            """,
        line: 15, column: 31, mentions: ["'systems.list[0].strategy'", "strategy 'majority'", "'strategies'"]),
    MalformedSuite(
        name: "system names a missing verifier (block style)",
        yaml: head + modelsAndVerifiers + """
            strategies:
              s: {kind: single}
            systems:
              list:
                - model: weak
                  strategy: s
                  verifier: exact

            """,
        line: 17, column: 17, mentions: ["'systems.list[0].verifier'", "verifier 'exact'", "defined: math, rm"]),
    MalformedSuite(
        name: "a reward verifier as a system's verifier",
        yaml: head + modelsAndVerifiers + """
            strategies:
              s: {kind: single}
            systems:
              matrix: {model: weak, strategy: s, verifier: rm}

            """,
        line: 14, column: 48, mentions: ["verifier 'rm'", "must decide correctness"]),
    MalformedSuite(
        name: "best_of_n scorer names a missing verifier",
        yaml: head + modelsAndVerifiers + "strategies:\n  b: {kind: best_of_n, n: 4, scorer: judge}\n",
        line: 12, column: 38, mentions: ["'strategies.b.scorer'", "verifier 'judge'", "not defined"]),
    MalformedSuite(
        name: "best_of_n scorer is not a reward verifier",
        yaml: head + modelsAndVerifiers + "strategies:\n  b: {kind: best_of_n, n: 4, scorer: math}\n",
        line: 12, column: 38, mentions: ["'strategies.b.scorer'", "'math'", "must be a reward verifier"]),
    MalformedSuite(
        name: "best_of_n without a scorer",
        yaml: head + modelsAndVerifiers + "strategies:\n  b: {kind: best_of_n, n: 4}\n",
        line: 12, column: 6, mentions: ["'strategies.b'", "missing the required key 'scorer'", "reward verifier"]),
    MalformedSuite(
        name: "comparison names a missing system",
        yaml: head + modelsAndVerifiers + """
            strategies:
              s: {kind: single}
              m: {kind: majority, n: 4}
            systems:
              matrix: {model: weak, strategy: [s, m], verifier: math}
            compare:
              comparisons:
                - [weak/s, weak/mm]

            """,
        line: 18, column: 16, mentions: ["'compare.comparisons[0][1]'", "system 'weak/mm'", "did you mean 'weak/m'"]),
    MalformedSuite(
        name: "joint permutation with the reference's rule",
        yaml: head + modelsAndVerifiers + """
            strategies:
              s: {kind: single}
            systems:
              matrix: {model: [weak, mid], strategy: s, verifier: math}
            compare:
              rule: adastop-0.1.3
              permutation: joint

            """,
        line: 17, column: 16, mentions: ["'compare.permutation: joint'", "needs 'rule: absolute'"]),
    MalformedSuite(
        name: "unknown permutation scheme",
        yaml: head + modelsAndVerifiers + """
            strategies:
              s: {kind: single}
            systems:
              matrix: {model: [weak, mid], strategy: s, verifier: math}
            compare:
              permutation: exact

            """,
        line: 16, column: 16, mentions: ["'compare.permutation'", "'exact'", "pairwise", "joint"]),
    MalformedSuite(
        name: "comparison reference names a missing system",
        yaml: head + modelsAndVerifiers + """
            strategies:
              s: {kind: single}
            systems:
              matrix: {model: weak, strategy: s, verifier: math}
            compare:
              comparisons: {reference: strong/s}

            """,
        line: 16, column: 28, mentions: ["system 'strong/s'", "does not define"]),
    MalformedSuite(
        name: "two systems with the same name",
        yaml: head + modelsAndVerifiers + """
            strategies:
              s: {kind: single}
            systems:
              list:
                - {name: a, model: weak, strategy: s, verifier: math}
                - {name: a, model: mid, strategy: s, verifier: math}

            """,
        line: 16, column: 7, mentions: ["system name 'a'", "defined twice"]),
    MalformedSuite(
        name: "duplicate key",
        yaml: head + modelsAndVerifiers + """
            strategies:
              s: {kind: single}
              s: {kind: majority, n: 4}

            """,
        // At the repeated key (the second `s`), as the other located errors point at the mistake.
        line: 13, column: 3, mentions: ["duplicate key 's'"]),
    MalformedSuite(
        name: "task with both file and generate",
        yaml: "suite: t\ntask:\n  generate: {kind: arithmetic}\n  file: data.jsonl\n",
        line: 3, column: 3, mentions: ["'task'", "either 'file' or 'generate', not both"]),
    MalformedSuite(
        name: "task with neither file nor generate",
        yaml: "suite: t\ntask:\n  name: x\n",
        line: 3, column: 3, mentions: ["'task' needs either 'file'", "'generate'"]),
    MalformedSuite(
        name: "prompt without the {question} placeholder",
        yaml: "suite: t\ntask:\n  generate: {kind: arithmetic}\n  prompt: \"Solve it.\"\n",
        line: 4, column: 11, mentions: ["'task.prompt'", "{question}"]),
    MalformedSuite(
        name: "data file missing",
        yaml: "suite: t\ntask:\n  file: nope.jsonl\n",
        line: 3, column: 9, mentions: ["'task.file'", "'nope.jsonl'", "does not exist"]),
    MalformedSuite(
        name: "empty file",
        yaml: "",
        line: 1, column: 1, mentions: ["empty"]),
    MalformedSuite(
        name: "only a comment",
        yaml: "# nothing here\n\n",
        line: 1, column: 1, mentions: ["empty"]),
    MalformedSuite(
        name: "the document is a list",
        yaml: "- suite\n- t\n",
        line: 1, column: 1, mentions: ["'document' must be a mapping", "found a list"]),
]

@Suite struct SuiteErrorTests {
    /// Writes `yaml` as `suite.yaml` in a fresh directory and loads it, expecting a SuiteError.
    static func loadError(_ yaml: String, extraFiles: [(String, String)] = []) throws -> (SuiteError, path: String) {
        let dir = try makeTempDir("suite-error")
        for (name, text) in extraFiles { try writeFile(dir, name, text) }
        let path = try writeFile(dir, "suite.yaml", yaml)
        do {
            let suite = try SuiteLoader.load(path: path)
            _ = try TaskLoader.load(suite.task, suiteSeed: suite.seed)
        } catch let error as SuiteError {
            return (error, path)
        }
        Issue.record("the suite loaded without error")
        throw CancellationError()
    }

    @Test("malformed suites are reported at FILE:LINE:COL naming the key", arguments: malformedSuites)
    func malformed(_ c: MalformedSuite) throws {
        let (error, path) = try Self.loadError(c.yaml)
        #expect(error.file == path)
        #expect(error.line == c.line, "\(error)")
        #expect(error.column == c.column, "\(error)")
        for m in c.mentions { #expect(error.message.contains(m), "message lacks \(m): \(error.message)") }
        // One line, starting with FILE:LINE:COL, as printed by the CLI.
        #expect(error.description.hasPrefix("\(path):\(c.line):\(c.column): "))
        #expect(!error.message.contains("\n"), "the message spans several lines: \(error.message)")
    }

    @Test func jsonlFileWithMalformedLineNamesTheDataFileAndLine() throws {
        let data = """
            {"id": "a", "question": "1+1?", "answer": "2"}

            {"id": "b", "question": "2+2?", "answer": "4"
            {"id": "c", "question": "3+3?", "answer": "6"}

            """
        let yaml = "suite: t\ntask:\n  file: data.jsonl\n" + baseSuite.split(separator: "\n").dropFirst(5).joined(separator: "\n")
        let (error, _) = try Self.loadError(yaml, extraFiles: [("data.jsonl", data)])
        #expect(error.file.hasSuffix("data.jsonl"), "\(error)")
        #expect(error.line == 3, "\(error)")
        #expect(error.column == 1)
        #expect(error.message.contains("malformed JSON"), "\(error)")
    }

    @Test func jsonlLineWithATrailingCommaIsNotJSON() throws {
        let data = "{\"id\": \"a\", \"question\": \"1+1?\", \"answer\": \"2\"}\n{\"id\": \"b\", \"question\": \"2+2?\", \"answer\": \"4\",}\n"
        let yaml = "suite: t\ntask:\n  file: data.jsonl\n" + baseSuite.split(separator: "\n").dropFirst(5).joined(separator: "\n")
        let (error, _) = try Self.loadError(yaml, extraFiles: [("data.jsonl", data)])
        #expect(error.file.hasSuffix("data.jsonl") && error.line == 2, "\(error)")
        #expect(error.message.contains("malformed JSON") && error.message.contains("trailing comma"), "\(error)")
    }

    @Test func jsonlItemsMissingAFieldOrDuplicated() throws {
        let rest = baseSuite.split(separator: "\n").dropFirst(5).joined(separator: "\n")
        let yaml = "suite: t\ntask:\n  file: data.jsonl\n" + rest
        let noAnswer = "{\"id\": \"a\", \"question\": \"q\", \"answer\": \"1\"}\n{\"id\": \"b\", \"question\": \"q\"}\n"
        let (e1, _) = try Self.loadError(yaml, extraFiles: [("data.jsonl", noAnswer)])
        #expect(e1.file.hasSuffix("data.jsonl") && e1.line == 2 && e1.message.contains("\"answer\""), "\(e1)")

        let duplicate = "{\"id\": \"a\", \"question\": \"q\", \"answer\": \"1\"}\n{\"id\": \"a\", \"question\": \"r\", \"answer\": \"2\"}\n"
        let (e2, _) = try Self.loadError(yaml, extraFiles: [("data.jsonl", duplicate)])
        #expect(e2.line == 2 && e2.message.contains("duplicate id 'a'") && e2.message.contains("line 1"), "\(e2)")

        let notObject = "{\"id\": \"a\", \"question\": \"q\", \"answer\": \"1\"}\n[1, 2]\n"
        let (e3, _) = try Self.loadError(yaml, extraFiles: [("data.jsonl", notObject)])
        #expect(e3.line == 2 && e3.message.contains("expected a JSON object"), "\(e3)")
    }

    @Test func invalidUTF8IsLocatedAtItsFirstBadByte() throws {
        let dir = try makeTempDir("suite-utf8")
        // Line 4: `  name: "caf` then a lone Latin-1 é (0xE9): column 13.
        let bytes = Array("suite: t\nseed: 1\ntask:\n  name: \"caf".utf8) + [0xE9] + Array("\"\n".utf8)
        let path = try writeFile(dir, "suite.yaml", bytes: bytes)
        let error = try #require(throws: SuiteError.self) { try SuiteLoader.load(path: path) }
        #expect(error.line == 4 && error.column == 13, "\(error)")
        #expect(error.message.contains("not valid UTF-8") && error.message.contains("0xe9"), "\(error)")
    }

    @Test func aMissingSuiteFileIsReported() throws {
        let dir = try makeTempDir("suite-missing")
        let path = (dir as NSString).appendingPathComponent("absent.yaml")
        let error = try #require(throws: SuiteError.self) { try SuiteLoader.load(path: path) }
        #expect(error.file == path && error.line == 1 && error.column == 1 && error.message.contains("does not exist"))
        let dirError = try #require(throws: SuiteError.self) { try SuiteLoader.load(path: dir) }
        #expect(dirError.message.contains("is a directory"))
    }

    /// Billion laughs: nine levels of nine aliases (9^9 scalars if expanded), used where the
    /// suite is walked. It must fail with a located error at once, not expand.
    @Test func aliasBombFailsFast() throws {
        var lines = ["suite: t", "description:", "  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]"]
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            lines.append("  \(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]")
            previous = name
        }
        let cases = [
            lines + ["task:", "  generate: {kind: arithmetic, operations: *i}"],
            lines + ["task: {generate: {kind: arithmetic}}", "models: *i"],
            lines + ["task: {generate: {kind: arithmetic}}", "models: {m: {kind: simulated, ability: 1}}",
                     "verifiers: {v: {kind: math}}", "strategies: {s: {kind: single}}", "systems: {list: *i}"],
        ]
        for text in cases {
            let start = ContinuousClock.now
            let (error, _) = try Self.loadError(text.joined(separator: "\n") + "\n")
            let elapsed = ContinuousClock.now - start
            #expect(elapsed < .seconds(20), "took \(elapsed)")  // unguarded, the expansion takes far longer
            #expect(error.line >= 1 && error.line <= text.count, "\(error)")
            #expect(error.message.contains("must be"), "\(error)")
        }
    }

    /// The duplicate check inside the walker (Yams' own check usually fires first).
    @Test func duplicateSystemsFromMatrixAndList() throws {
        let yaml = baseSuite + "  list:\n    - {model: weak, strategy: single, verifier: math}\n"
        // `systems` has both matrix (line 18) and list (line 19); weak/single is defined twice.
        let (error, _) = try Self.loadError(yaml)
        #expect(error.line == 20 && error.column == 7, "\(error)")
        #expect(error.message.contains("'weak/single'") && error.message.contains("defined twice"), "\(error)")
    }
}
