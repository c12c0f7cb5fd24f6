import TTSCore
/// One item of a task: a question with its reference answer.
public struct TaskItem: Sendable, Hashable {
    public var id: String
    public var question: String
    public var answer: String
    /// Difficulty on the logit scale when the data gives one (the simulated backend reads it;
    /// otherwise it derives one from the id).
    public var difficulty: Double?
    /// Code tasks (HumanEval fields): the function the tests call, and the tests, a Python
    /// source defining `check(candidate)`. Nil for answer tasks.
    public var entryPoint: String?
    public var tests: String?
    /// Multiple-choice items: the options in order (letters A, B, ... name them); nil otherwise.
    public var choices: [String]?

    public init(id: String, question: String, answer: String, difficulty: Double? = nil,
                entryPoint: String? = nil, tests: String? = nil, choices: [String]? = nil) {
        self.id = id
        self.question = question
        self.answer = answer
        self.difficulty = difficulty
        self.entryPoint = entryPoint
        self.tests = tests
        self.choices = choices
    }
}

/// The items of a task, ready to run: loaded once per run, in file or generator order.
public struct LoadedTask: Sendable {
    public var spec: TaskSpec
    public var items: [TaskItem]
    /// SHA-256 of the data file, or of the generator's parameters.
    public var digest: String

    public func prompt(for item: TaskItem) -> String {
        spec.prompt.replacingOccurrences(of: "{question}", with: item.question)
    }
}

public enum TaskLoader {
    public static func load(_ spec: TaskSpec, suiteSeed: UInt64) throws -> LoadedTask {
        var items: [TaskItem]
        let digest: String
        switch spec.source {
        case .file(let path, let shown):
            let result = try JSONLDataset.load(path: path, shownAs: shown)
            items = result.items
            digest = result.digest
        case .arithmetic(let a):
            items = ArithmeticGenerator(spec: a, seed: suiteSeed).items()
            digest = SHA256.hex("arithmetic|\(a.items)|\(a.digits)|\(a.operations.joined())|\(suiteSeed)")
        }
        if let limit = spec.limit { items = Array(items.prefix(limit)) }
        return LoadedTask(spec: spec, items: items, digest: digest)
    }
}

import Foundation
