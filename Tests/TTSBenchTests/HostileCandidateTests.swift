import CodeSandbox
import MathAnswers
@testable import TTSSuite
@testable import TTSCore
import Foundation
import Testing
@testable import TTSSeams
@testable import TTSVerifiers

/// Model outputs built to break a parser or escape a verifier (issue 7): huge outputs, NUL bytes,
/// LaTeX nested 100,000 deep, inputs that make a backtracking matcher go exponential, and code
/// that attacks its sandbox. Each is contained (no crash, no stack overflow, nothing escapes),
/// finishes, and is scored with a reason. No timing is asserted: a runaway would hang the test run.
@Suite struct HostileCandidateTests {
    static let item = TaskItem(id: "h", question: "What is 6 times 7?", answer: "42")

    /// The whole path a sample takes: extraction (each mode), the vote key, the math verdict.
    static func score(_ text: String) async throws -> (answer: String?, verdict: Verdict, key: String?) {
        // The CPU-heavy part runs on a thread of its own, not the test's cooperative pool (which
        // other tests' runs share on a 2-core machine).
        let (answer, key) = await offPool { () -> (String?, String?) in
            // The boxed answer, else what the looser extraction finds (so the verifier sees it).
            let answer = AnswerExtractor.extract(text, mode: .boxed) ?? MathEquivalence.extractAnswer(from: text)
            _ = AnswerExtractor.extract(text, mode: .lastNumber)
            _ = AnswerExtractor.extract(text, mode: .raw)
            return (answer, answer.map { MathVerifier().votingKey($0) })
        }
        let verdict = try await MathVerifier().verify(Candidate(text: text, answer: answer), item: item)
        return (answer, verdict, key)
    }

    static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            let thread = Thread { continuation.resume(returning: work()) }
            thread.stackSize = 512 << 10  // as small as a secondary thread's: a deep recursion must not fit
            thread.start()
        }
    }

    static func repeated(_ s: String, _ n: Int) -> String { String(repeating: s, count: n) }

    // MARK: huge outputs

    @Test func aFiftyMegabyteOutputIsScoredWithAReason() async throws {
        let filler = Self.repeated("lorem ipsum dolor sit amet ", 50 * 1024 * 1024 / 27)
        let boxed = try await Self.score(filler + "so the answer is \\boxed{42}.")
        #expect(boxed.answer == "42" && boxed.verdict.correct == true, "\(boxed.verdict)")

        // An 8 MB answer: refused by length, with the reason.
        let digits = try await Self.score("\\boxed{" + Self.repeated("7", 8 << 20) + "}")
        #expect(digits.verdict.correct == false)
        #expect(digits.verdict.detail.contains("longer than"), "\(digits.verdict.detail)")
        #expect(digits.key != nil)
        let open = try await Self.score("\\boxed{" + Self.repeated("{", 8 << 20))
        #expect(open.verdict.correct == false && !open.verdict.detail.isEmpty)
    }

    // MARK: NUL bytes and control characters

    @Test func nulBytesAreScoredNotTruncated() async throws {
        let nul = try await Self.score("\u{0}\u{0}The answer is \\boxed{4\u{0}2}\u{0}")
        #expect(nul.answer == "4\u{0}2")
        #expect(nul.verdict.correct == false && !nul.verdict.detail.isEmpty, "\(nul.verdict)")
        let after = try await Self.score("\u{0}\u{1}\u{7f}\u{feff}\\boxed{42}\u{0}")
        #expect(after.verdict.correct == true, "a NUL before the answer must not hide it: \(after.verdict)")
        let only = try await Self.score(Self.repeated("\u{0}", 1 << 20))
        // (no digit, no box, no "answer is": nothing to extract)
        #expect(only.answer == nil && only.verdict.correct == false && only.verdict.detail == "no answer extracted")
    }

    // MARK: deep nesting

    static func nested(_ name: String) -> String {
        let r = HostileCandidateTests.repeated
        switch name {
        case "frac": return r("\\frac{", 100_000) + "1" + r("}{2}", 100_000)
        case "braces": return r("{", 100_000) + "42" + r("}", 100_000)
        case "parens": return r("(", 100_000) + "42" + r(")", 100_000)
        case "left-right": return r("\\left(", 100_000) + "42" + r("\\right)", 100_000)
        case "sqrt": return r("\\sqrt{", 100_000) + "4" + r("}", 100_000)
        case "powers": return r("2^{", 100_000) + "1" + r("}", 100_000)
        case "boxed-in-boxed": return r("\\boxed{", 100_000) + "42" + r("}", 100_000)
        case "text": return r("\\text{", 100_000) + "42" + r("}", 100_000)
        case "unary minus": return r("-", 100_000) + "42"
        case "chain": return "1" + r("+1", 4_990)
        case "power tower": return "2" + r("^2", 4_990)
        case "sets": return r("\\{", 100_000) + "42" + r("\\}", 100_000)
        case "begin": return r("\\begin{pmatrix}", 50_000) + "42" + r("\\end{pmatrix}", 50_000)
        default: return name
        }
    }

    @Test(arguments: ["frac", "braces", "parens", "left-right", "sqrt", "powers", "boxed-in-boxed", "text", "unary minus",
                      "chain", "power tower", "sets", "begin"])
    func deeplyNestedLaTeXIsBounded(_ name: String) async throws {
        let body = Self.nested(name)
        // Bare, boxed, and under the length limit (the part a parser actually recurses into).
        for text in [body, "\\boxed{" + body + "}", String(body.prefix(4_000)) + String(body.suffix(4_000))] {
            let r = try await Self.score(text)
            #expect(!r.verdict.detail.isEmpty, "\(name): no reason")
            await Self.offPool {
                _ = MathEquivalence.check(text, "42")
                _ = MathEquivalence.check("42", text)
                _ = MathEquivalence.normalize(text)
            }
        }
        // A shallow version of the same shape is still understood (the bound is not a blanket refusal).
        let shallow = MathEquivalence.check("\\frac{\\frac{84}{2}}{1}", "42")
        #expect(shallow.equivalent, "\(shallow)")
    }

    // MARK: inputs that are catastrophic for backtracking matchers

    static func catastrophic(_ name: String) -> String {
        let r = HostileCandidateTests.repeated
        switch name {
        case "a+ then !": return r("a", 200_000) + "!"
        case "answer is, many times": return r("the answer is ", 200_000)
        case "answer: with no end of line": return "Answer: " + r("1,", 500_000)
        case "boxed without braces": return r("\\boxed", 500_000)
        case "unclosed boxes": return r("\\boxed{", 300_000)
        case "dots and commas": return r("1.", 500_000) + r(",", 500_000)
        case "signs": return r("-", 1_000_000) + "1"
        case "backslashes": return r("\\", 1_000_000)
        case "dollars": return r("$", 1_000_000) + "41"
        case "nested quantifier bait": return r("(a+)+", 100_000) + "$"
        case "combining marks": return "4" + r("\u{301}", 1_000_000) + "2"
        case "scientific bait": return r("1e", 500_000) + "5"
        case "boxes joined by and": return r("\\boxed{1} papers and ", 100_000)
        case "doubled commands": return "$" + r("\\\\frac", 1_500) + "$"
        case "approximation chain": return "$" + r("x \\approx ", 800) + "$"
        case "inequality chain": return "$" + r("1 < x ", 1_500) + "$"
        case "labels and solutions": return "$" + r("p=5,q=2;", 1_000) + "$"
        case "percent word bait": return "$1" + r(" ", 9_000) + "pctx$"
        default: return name
        }
    }

    @Test(arguments: ["a+ then !", "answer is, many times", "answer: with no end of line", "boxed without braces", "unclosed boxes",
                      "dots and commas", "signs", "backslashes", "dollars", "nested quantifier bait", "combining marks", "scientific bait",
                      "boxes joined by and", "doubled commands", "approximation chain", "inequality chain", "labels and solutions",
                      "percent word bait"])
    func regexCatastrophicInputsFinish(_ name: String) async throws {
        let text = Self.catastrophic(name)
        let r = try await Self.score(text)
        #expect(r.verdict.correct == false, "\(name) scored correct")
        #expect(!r.verdict.detail.isEmpty, "\(name): no reason")
    }

    // MARK: code that attacks the sandbox

    static let addItem = TaskItem(id: "add", question: "def add(a, b):\n    \"\"\"Return a + b.\"\"\"\n", answer: "    return a + b\n",
                                  entryPoint: "add", tests: "def check(candidate):\n    assert candidate(1, 2) == 3\n")
    static let limits = Sandbox.Limits(timeout: 3, memoryMB: 256, maxProcesses: 8)

    static func verifyCode(_ code: String) async throws -> Verdict {
        try await CodeVerifier(limits: limits).verify(Candidate(text: code, answer: nil), item: addItem)
    }

    /// Killing its parent, or this process, does nothing to the harness.
    @Test func codeThatKillsItsParentIsScored() async throws {
        let me = getpid()
        let code = """
            import os, signal
            for pid in (os.getppid(), \(me), 1):
                try:
                    os.kill(pid, signal.SIGKILL)
                except Exception as e:
                    print('refused', pid, e)
            def add(a, b):
                return a - b

            """
        let v = try await Self.verifyCode(code)
        #expect(v.correct == false && !v.detail.isEmpty, "\(v.detail)")
        #expect(kill(me, 0) == 0)  // still here
    }

    /// A daemon that double-forks into its own session to outlive the verdict is gone when the
    /// verdict is in (when the sandbox runs it under its own uid, nothing is left under that uid).
    @Test func codeThatDaemonizesDoesNotOutliveTheVerdict() async throws {
        let marker = "/tmp/ttsbench-daemon-\(UUID().uuidString)"
        let code = """
            import os, time
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    for _ in range(100):
                        time.sleep(0.1)
                        try:
                            open('\(marker)', 'w').write('alive')
                        except Exception:
                            pass
                    os._exit(0)
                os._exit(0)
            def add(a, b):
                return a + b

            """
        let program = CodeVerifier.program(code: code, item: Self.addItem)
        let r = await Sandbox(limits: Self.limits).run(solution: program, tests: Self.addItem.tests!, entryPoint: "add")
        #expect(!r.message.isEmpty)
        if let uid = r.uid {
            #expect(CodeVerifierTests.processes(ofUID: uid) == 0, "a daemon survives under uid \(uid)")
        }
        try await Task.sleep(for: .milliseconds(500))
        #expect(!FileManager.default.fileExists(atPath: marker), "the daemon wrote outside its work dir")
        try? FileManager.default.removeItem(atPath: marker)
    }

    /// The harness's environment (where API keys live) is not readable through /proc.
    @Test func codeCannotReadTheHarnessEnvironment() async throws {
        let me = getpid()
        let code = """
            import os
            leaked = []
            for pid in (\(me), os.getppid()):
                try:
                    leaked.append(open('/proc/%d/environ' % pid, 'rb').read())
                except Exception as e:
                    pass
            assert not any(b'PATH=' in l for l in leaked), 'read the environment of the harness'
            def add(a, b):
                return a + b

            """
        let v = try await Self.verifyCode(code)
        #expect(!v.detail.contains("read the environment of the harness"), "\(v.detail)")
    }

    /// A 4 MB code answer and code with NUL bytes: scored with a reason.
    @Test func hugeAndNulCodeIsScored() async throws {
        let huge = "```python\n" + Self.repeated("# padding padding padding padding\n", (4 << 20) / 34) + "def add(a, b):\n    return a + b\n```"
        let v = try await Self.verifyCode(huge)
        #expect(!v.detail.isEmpty, "no reason for a 4 MB candidate")
        let nul = try await Self.verifyCode("def add(a, b):\n    return a + b\u{0}\n")
        #expect(nul.correct == false && !nul.detail.isEmpty, "\(nul.detail)")
    }
}
