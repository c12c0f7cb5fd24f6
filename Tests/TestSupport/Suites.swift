/// Builds the YAML of a test suite from its sections, so tests state only what differs from the
/// usual shape (two verifiers, single / majority-of-4 / best-of-4 strategies). Each section is
/// given without its key, as lines indented by two spaces; `tail` is appended as is (compare,
/// leaderboard, ...). The text is exactly what the tests used to write by hand.
public func suiteYAML(name: String, seed: Int, task: [String], models: [String],
                      verifiers: [String] = standardVerifiers, strategies: [String] = standardStrategies,
                      systems: [String], tail: [String] = []) -> String {
    var lines = ["suite: \(name)", "seed: \(seed)"]
    lines += task.count == 1 && task[0].hasPrefix("{") ? ["task: " + task[0]] : ["task:"] + task.map { "  " + $0 }
    lines += ["models:"] + models.map { "  " + $0 }
    lines += ["verifiers:"] + verifiers.map { "  " + $0 }
    lines += ["strategies:"] + strategies.map { "  " + $0 }
    lines += ["systems:"] + systems.map { "  " + $0 }
    lines += tail
    return lines.joined(separator: "\n") + "\n"
}

/// The exact-answer verifier and a simulated reward model of AUC 0.8.
public let standardVerifiers = ["math: {kind: math}", "rm: {kind: simulated, auc: 0.8}"]

/// Greedy single, majority of 4 and best of 4 (scored by `rm`) at temperature 0.8.
public let standardStrategies = [
    "single: {kind: single, temperature: 0.0}",
    "maj4: {kind: majority, n: 4, temperature: 0.8}",
    "bon4: {kind: best_of_n, n: 4, temperature: 0.8, scorer: rm}",
]

/// Three simulated models of abilities -0.5, 0.5 and 1.5.
public let standardModels = [
    "weak: {kind: simulated, ability: -0.5}",
    "mid: {kind: simulated, ability: 0.5}",
    "strong: {kind: simulated, ability: 1.5}",
]

/// The small valid suite most tests start from: 3 simulated models x 3 strategies over generated
/// arithmetic. Line numbers matter: tests that edit it say where their error is expected.
/// `taskName: nil` leaves the task unnamed (the end-to-end suites).
public func smallSuiteYAML(name: String = "small", seed: Int = 7, taskName: String? = "arith", items: Int = 40) -> String {
    suiteYAML(name: name, seed: seed,
              task: (taskName.map { ["name: \($0)"] } ?? []) + ["generate: {kind: arithmetic, items: \(items), digits: 2}"],
              models: standardModels,
              systems: ["matrix: {model: [weak, mid, strong], strategy: [single, maj4, bon4], verifier: [math]}"])
}

/// The base suite as the in-process tests use it (suite `small`, seed 7, 40 items).
public let baseSuite = smallSuiteYAML()

/// The exact-answer verifier alone.
public let mathVerifier = ["math: {kind: math}"]

/// Greedy single and majority of 4 at temperature 0.8.
public let singleAndMajority4 = Array(standardStrategies.prefix(2))

/// The task line asking for a `\boxed{}` answer (as the YAML reads it: `\\boxed{}` and `\n`).
public let boxedPrompt = #"prompt: "Put the final answer in \\boxed{}.\n\n{question}""#
