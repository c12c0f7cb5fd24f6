import CodeSandbox
import TTSCore
import TTSSuite
import Foundation
import TTSSeams

/// Correct when the candidate's code passes the item's tests (HumanEval style: the tests define
/// `check(candidate)`, which is called with the item's entry point), run in a `Sandbox`.
///
/// The code is the last fenced ```python block of the completion (or the last unlabelled fenced
/// block), else the raw completion. When the item has an entry point and the code does not
/// define it at top level, the code is taken as the function's body and appended to the prompt
/// (HumanEval completions); otherwise it follows the prompt, so helpers and imports the prompt
/// defines are in scope and the candidate's definition replaces the prompt's stub.
///
/// Verdicts are cached per (item, program): the same code for the same item is run once.
public struct CodeVerifier: Verifier {
    public var limits: Sandbox.Limits
    let cache: CodeVerdictCache

    public init(limits: Sandbox.Limits = Sandbox.Limits()) {
        self.limits = limits
        cache = CodeVerdictCache()
    }

    public func verify(_ candidate: Candidate, item: TaskItem) async throws -> Verdict {
        guard let tests = item.tests, !tests.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return Verdict(correct: false, detail: "the item has no tests (a code task needs the HumanEval field \"test\")")
        }
        let text = candidate.text.isEmpty ? (candidate.answer ?? "") : candidate.text
        let code = Self.extractCode(text)
        guard !code.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return Verdict(correct: false, detail: "no code in the completion")
        }
        let program = Self.program(code: code, item: item)
        let key = SHA256.hex("\(item.id)\n\(program)\n\(tests)\n\(item.entryPoint ?? "")")
        if let cached = await cache.get(key) { return cached }
        let result = await Sandbox(limits: limits).run(solution: program, tests: tests, entryPoint: item.entryPoint)
        let verdict = Self.verdict(result)
        await cache.put(key, verdict)
        return verdict
    }

    /// Code answers are compared as code, with trailing spaces and blank lines removed.
    public func votingKey(_ answer: String) -> String {
        Self.extractCode(answer).split(separator: "\n", omittingEmptySubsequences: true)
            .map { line -> Substring in
                var l = line[...]
                while let last = l.last, last.isWhitespace { l = l.dropLast() }
                return l
            }
            .filter { !$0.isEmpty }
            .joined(separator: "\n")
    }

    static func verdict(_ r: Sandbox.Result) -> Verdict {
        let detail: String
        switch r.status {
        case .passed: detail = "passed"
        case .network, .filesystem: detail = r.message  // "forbidden: ..."
        case .crashed, .timeout, .failed: detail = r.message
        case .memory: detail = r.message
        case .syntax: detail = r.message
        case .processes: detail = "forbidden: " + r.message
        case .filesize: detail = "forbidden: " + r.message
        case .missing: detail = "failed: " + r.message
        case .exit: detail = "crashed: " + r.message
        case .error: detail = "crashed: " + r.message
        case .setup: detail = r.message
        }
        return Verdict(correct: r.status == .passed, detail: String(detail.prefix(500)))
    }

    // MARK: extracting and assembling the program

    /// The last ```python (or ```py, ```python3) fenced block; else the last unlabelled fenced
    /// block; else the whole text.
    public static func extractCode(_ text: String) -> String {
        var blocks: [(lang: String, body: String)] = []
        var current: (lang: String, lines: [Substring])? = nil
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") {
                if let c = current {
                    blocks.append((c.lang, c.lines.joined(separator: "\n")))
                    current = nil
                } else {
                    current = (String(trimmed.dropFirst(3)).trimmingCharacters(in: .whitespaces).lowercased(), [])
                }
                continue
            }
            current?.lines.append(line)
        }
        // An unclosed final block (a truncated completion) still counts.
        if let c = current { blocks.append((c.lang, c.lines.joined(separator: "\n"))) }
        func tidy(_ body: String) -> String {
            var b = body[...]
            while let last = b.last, last.isNewline { b = b.dropLast() }
            return b + "\n"
        }
        if let python = blocks.last(where: { ["python", "py", "python3"].contains($0.lang) }) { return tidy(python.body) }
        if let plain = blocks.last(where: { $0.lang.isEmpty }) { return tidy(plain.body) }
        return text
    }

    /// Whether `code` defines `name` at top level (`def name(` or `async def name(`).
    static func defines(_ code: String, _ name: String) -> Bool {
        for line in code.split(separator: "\n") {
            for prefix in ["def ", "async def "] where line.hasPrefix(prefix) {
                let rest = line.dropFirst(prefix.count).drop { $0 == " " }
                if rest.hasPrefix(name) {
                    let after = rest.dropFirst(name.count).drop { $0 == " " }
                    if after.hasPrefix("(") { return true }
                }
            }
        }
        return false
    }

    /// The program to run: the prompt followed by the completion (as the function's body when
    /// the completion does not define the entry point itself).
    public static func program(code: String, item: TaskItem) -> String {
        guard let entry = item.entryPoint else { return code }
        let prompt = item.question
        if defines(code, entry) {
            return prompt + (prompt.hasSuffix("\n") ? "\n" : "\n\n") + code
        }
        return prompt + code
    }
}

/// Verdicts already computed, bounded.
actor CodeVerdictCache {
    private var entries: [String: Verdict] = [:]
    private var order: [String] = []
    let capacity = 8192

    func get(_ key: String) -> Verdict? { entries[key] }

    func put(_ key: String, _ verdict: Verdict) {
        if entries[key] == nil {
            order.append(key)
            if order.count > capacity { entries[order.removeFirst()] = nil }
        }
        entries[key] = verdict
    }
}

extension CodeVerifier: VerifierMaker {
    public static func make(_ kind: CodeKind, spec: VerifierSpec, suiteSeed: UInt64, resources: VerifierResources) -> Self {
        CodeVerifier(limits: kind.limits)
    }
}
