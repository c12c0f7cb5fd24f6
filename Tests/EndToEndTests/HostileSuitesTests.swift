import TTSBench
import TTSSuite
import TTSCore
import Foundation
import Testing

/// Malformed and adversarial suites: each must give a located `FILE:LINE:COL:` error, exit 2,
/// and write nothing (no database is created).
@Suite struct HostileSuitesTests {
    static let base = suiteYAML(
        name: "hostile", seed: 1, task: ["generate: {kind: arithmetic, items: 5, digits: 2}"],
        models: ["m: {kind: simulated, ability: 0.5}"], verifiers: ["v: {kind: math}", "rm: {kind: simulated, auc: 0.8}"],
        strategies: ["s: {kind: single}", "maj: {kind: majority, n: 4, temperature: 0.8}"],
        systems: ["matrix: {model: [m], strategy: [s, maj], verifier: [v]}"])

    /// (name, suite bytes, expected line, a fragment the message must contain)
    static var cases: [(String, [UInt8], Int, String)] {
        func text(_ s: String) -> [UInt8] { Array(s.utf8) }
        func replacing(_ old: String, _ new: String) -> [UInt8] {
            precondition(base.contains(old), old)
            return text(base.replacingOccurrences(of: old, with: new))
        }
        var c: [(String, [UInt8], Int, String)] = [
            ("empty file", [], 1, "empty"),
            ("only a comment", text("# nothing\n"), 1, "empty"),
            ("a scalar document", text("hello\n"), 1, "must be a mapping"),
            ("a list document", text("- a\n- b\n"), 1, "must be a mapping"),
            ("tab indentation", text("suite: x\ntask:\n\tgenerate: 1\n"), 3, "YAML syntax error"),
            ("unclosed flow mapping", replacing("  m: {kind: simulated, ability: 0.5}", "  m: {kind: simulated, ability: 0.5"), 7, "YAML syntax error"),
            ("unclosed quote", replacing("suite: hostile", "suite: \"hostile"), 1, "YAML syntax error"),
            ("bad indentation", replacing("  v: {kind: math}", "   v: {kind: math}\n  w: 1"), 9, "YAML syntax error"),
            ("undefined alias", replacing("seed: 1", "seed: *nothing"), 2, "YAML syntax error"),
            ("unknown top key", text(base + "extra: 1\n"), 15, "unknown key 'extra'"),
            ("misspelt top key", replacing("verifiers:", "verifier:"), 7, "did you mean"),
            ("unknown model key", replacing("ability: 0.5}", "ability: 0.5, speed: 3}"), 6, "unknown key 'speed'"),
            ("unknown strategy key", replacing("{kind: single}", "{kind: single, temprature: 0.2}"), 11, "temperature"),
            ("unknown strategy kind", replacing("{kind: single}", "{kind: tree_search}"), 11, "must be one of"),
            ("unknown model kind", replacing("{kind: simulated, ability: 0.5}", "{kind: magic, ability: 0.5}"), 6, "must be one of"),
            ("unknown verifier kind", replacing("v: {kind: math}", "v: {kind: vibes}"), 8, "must be one of"),
            ("suite name with a slash", replacing("suite: hostile", "suite: ../../etc"), 1, "must be a name"),
            ("suite name dot-dot", replacing("suite: hostile", "suite: .."), 1, "must be a name"),
            ("seed negative", replacing("seed: 1", "seed: -5"), 2, "non-negative integer"),
            ("seed huge", replacing("seed: 1", "seed: 123456789012345678901234567890"), 2, "below 2^64"),
            ("seed a string", replacing("seed: 1", "seed: tomorrow"), 2, "non-negative integer"),
            ("items zero", replacing("items: 5", "items: 0"), 4, "at least 1"),
            ("items huge", replacing("items: 5", "items: 99999999999"), 4, "at most"),
            ("digits huge", replacing("digits: 2", "digits: 400"), 4, "at most 9"),
            ("n zero", replacing("n: 4,", "n: 0,"), 12, "at least 1"),
            ("n negative", replacing("n: 4,", "n: -4,"), 12, "at least 1"),
            ("n a string", replacing("n: 4,", "n: four,"), 12, "must be an integer"),
            ("n a float", replacing("n: 4,", "n: 4.5,"), 12, "must be an integer"),
            ("n a list", replacing("n: 4,", "n: [4],"), 12, "must be an integer"),
            ("temperature negative", replacing("temperature: 0.8}", "temperature: -0.1}"), 12, "at least 0"),
            ("temperature NaN", replacing("temperature: 0.8}", "temperature: .nan}"), 12, "finite number"),
            ("temperature infinite", replacing("temperature: 0.8}", "temperature: .inf}"), 12, "finite number"),
            ("ability huge", replacing("ability: 0.5}", "ability: 1e308}"), 6, "at most 10"),
            ("auc below half", replacing("auc: 0.8", "auc: 0.2"), 9, "at least 0.5"),
            ("missing models", replacing("models:\n  m: {kind: simulated, ability: 0.5}\n", ""), 1, "models"),
            ("missing ability", replacing("{kind: simulated, ability: 0.5}", "{kind: simulated}"), 6, "ability"),
            ("empty models", replacing("models:\n  m: {kind: simulated, ability: 0.5}", "models: {}"), 5, "at least one model"),
            ("dangling model", replacing("model: [m]", "model: [m, ghost]"), 14, "'ghost'"),
            ("dangling strategy", replacing("strategy: [s, maj]", "strategy: [s, mja]"), 14, "did you mean 'maj'"),
            ("dangling verifier", replacing("verifier: [v]", "verifier: [x]"), 14, "not defined in 'verifiers'"),
            ("reward verifier as system verifier", replacing("verifier: [v]", "verifier: [rm]"), 14, "decide correctness"),
            ("best_of_n without scorer", replacing("{kind: single}", "{kind: best_of_n, n: 4}"), 11, "scorer"),
            ("best_of_n scorer not a reward", replacing("{kind: single}", "{kind: best_of_n, n: 4, scorer: v}"), 11, "gives no reward"),
            ("duplicate key", replacing("seed: 1", "seed: 1\nseed: 2"), 3, "duplicate key"),
            ("both file and generate", replacing("  generate: {kind: arithmetic, items: 5, digits: 2}", "  generate: {kind: arithmetic}\n  file: x.jsonl"), 4, "not both"),
            ("missing data file", replacing("  generate: {kind: arithmetic, items: 5, digits: 2}", "  file: nowhere.jsonl"), 4, "does not exist"),
            ("comparison with a missing system", text(base + "compare: {comparisons: [[m/s, m/zz]]}\n"), 15, "m/zz"),
            ("comparison with itself", text(base + "compare: {comparisons: [[m/s, m/s]]}\n"), 15, "with itself"),
            ("comparison repeated reversed", text(base + "compare: {comparisons: [[m/s, m/maj], [m/maj, m/s]]}\n"), 15, "repeats"),
            ("alpha above half", text(base + "compare: {alpha: 0.9}\n"), 15, "at most 0.5"),
            ("group size zero", text(base + "compare: {group_size: 0}\n"), 15, "at least 1"),
            ("prompt without placeholder", replacing("task:\n", "task:\n  prompt: \"no placeholder\"\n"), 4, "{question}"),
            ("deep flow nesting", text("suite: x\nseed: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "\n"), 2, "nested more than"),
            ("deep block nesting", text("suite: x\nmodels:\n" + (1...700).map { String(repeating: " ", count: $0) + "k\($0):\n" }.joined()), 515, "indentation deeper"),
            ("invalid UTF-8", text("suite: x\nseed: 1\n") + [0xC3, 0x28] + text("\n"), 3, "not valid UTF-8"),
            ("NUL byte", text("suite: x\n") + [0] + text("\n"), 2, "NUL"),
        ]
        // Billion laughs: nine levels of aliases, each ten times the one before.
        var bomb = "suite: bomb\nseed: 1\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for i in 1...9 { bomb += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        c.append(("alias bomb (billion laughs)", text(bomb), 3, "unknown key 'a0'"))
        // The alias is *x0, the anchor's name (a `*x` here made it an undefined-alias case instead).
        var bombInside = base.replacingOccurrences(of: "  v: {kind: math}", with: "  v: {kind: math}\n  w: {kind: math, extra: *x0}")
        bombInside = "x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol]\n" + bombInside
        c.append(("alias bomb in a value", text(bombInside), 1, "unknown key 'x0'"))
        return c
    }

    @Test func atLeastFiftyCases() {
        #expect(Self.cases.count >= 50)
        #expect(Set(Self.cases.map(\.0)).count == Self.cases.count, "names must be unique: they select the case")
        #expect(Self.caseNames.count == Self.cases.count)
    }

    /// Every case, by name: derived from `cases` itself, so a case added there always runs.
    static let caseNames: [String] = cases.map(\.0)

    @Test(arguments: caseNames)
    func locatedErrorInProcess(_ name: String) throws {
        let (_, bytes, line, fragment) = try #require(Self.cases.first { $0.0 == name }, "no hostile case named \(name)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ttsbench-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("suite.yaml").path
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        do {
            _ = try SuiteLoader.load(path: path)
            Issue.record("\(name): loaded without error")
        } catch let error as SuiteError {
            #expect(error.file == path, "\(name)")
            #expect(error.line == line, "\(name): \(error)")
            #expect(error.column >= 1, "\(name)")
            #expect(error.message.contains(fragment), "\(name): \(error)")
            #expect(error.description.hasPrefix("\(path):\(line):\(error.column): "), "\(name)")
        }
    }
}
