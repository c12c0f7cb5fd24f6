import ArgumentParser
import Foundation
import TTSBench
import TTSCore
import TTSSuite
import TTSRuntime

/// `ttsbench verify`: check answers against references with an answer verifier, to debug a
/// verifier on one's own answers. Bad arguments exit 2, like every usage error of the tool.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a candidate answer against a reference with the math, numeric or exact verifier.",
        usage: """
            ttsbench verify --kind math|numeric|exact --reference R --candidate C [--detail]
            ttsbench verify --kind math|numeric|exact --pairs FILE.jsonl
            """,
        discussion: "Prints `correct` or `incorrect` and exits 0 either way; with --pairs, prints one "
            + "{\"line\": n, \"correct\": bool, \"reason\": ...} per pair. Exits 2 on bad arguments or a "
            + "malformed pairs line (the error names the line).")

    @Option(help: "The verifier: math (LaTeX-aware equivalence), numeric, exact.") var kind: VerifierChoice
    // Unconditional: a value may start with a dash (`--reference -5`).
    @Option(parsing: .unconditional, help: ArgumentHelp("The reference answer.", valueName: "R")) var reference: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("The candidate answer.", valueName: "C")) var candidate: String?
    @Flag(help: "Also print the verifier's reason (one pair).") var detail = false
    @Option(help: ArgumentHelp("A JSONL file of {\"reference\": ..., \"candidate\": ...} lines.", valueName: "FILE"))
    var pairs: String?
    @Option(help: ArgumentHelp("Treat candidates as completions and extract the answer: auto, boxed, last_number, gsm8k, choice or raw "
                               + "(default: auto for --kind math, else the candidate is the answer; raw: the whole candidate).",
                               valueName: "MODE"))
    var extract: ExtractionChoice?
    @Option(help: ArgumentHelp("math: compare numbers rounded to this many decimals (math-verify's precision).", valueName: "N"))
    var precision: Int?
    @Option(parsing: .unconditional, help: ArgumentHelp("numeric: relative tolerance above 1, absolute below (default 1e-6).", valueName: "X"))
    var tolerance: Double?
    @Flag(help: "exact: compare case-sensitively.") var caseSensitive = false

    func validate() throws {
        if let tolerance {
            guard kind == .numeric else { throw ValidationError("--tolerance applies to --kind numeric only") }
            guard tolerance >= 0, tolerance.isFinite else {
                throw ValidationError("--tolerance must be a number at least 0, found '\(tolerance)'")
            }
        }
        if caseSensitive, kind != .exact { throw ValidationError("--case-sensitive applies to --kind exact only") }
        if let precision {
            guard kind == .math else { throw ValidationError("--precision applies to --kind math only") }
            guard (0...15).contains(precision) else { throw ValidationError("--precision must be between 0 and 15, found \(precision)") }
        }
        if pairs != nil {
            guard reference == nil, candidate == nil else {
                throw ValidationError("--pairs cannot be combined with --reference or --candidate")
            }
        } else {
            guard reference != nil else { throw ValidationError("--reference is required (or --pairs FILE)") }
            guard candidate != nil else { throw ValidationError("--candidate is required (or --pairs FILE)") }
        }
    }

    var options: AnswerCheck.Options {
        var options = AnswerCheck.Options(kind: kind.kind)
        if let tolerance { options.tolerance = tolerance }
        options.caseSensitive = caseSensitive
        options.extract = extract?.mode ?? (kind == .math ? .auto : nil)
        options.precision = precision
        return options
    }

    func run() async throws {
        let options = self.options
        if let path = pairs {
            let pairs: [AnswerCheck.Pair]
            do {
                pairs = try AnswerCheck.readPairs(path: path)
            } catch let error as AnswerCheck.InputError {
                throw Exit.fail("ttsbench verify: \(error.description)", code: 2)
            }
            var out = ""
            for pair in pairs {
                let result = try await AnswerCheck.checkExtracting(reference: pair.reference, candidate: pair.candidate, options: options)
                out += AnswerCheck.jsonLine(line: pair.line, result: result) + "\n"
            }
            FileHandle.standardOutput.write(Data(out.utf8))
            return
        }
        guard let reference, let candidate else { return }  // validate() requires both without --pairs
        let result = try await AnswerCheck.checkExtracting(reference: reference, candidate: candidate, options: options)
        print(result.verdict.correct == true ? "correct" : "incorrect")
        if detail {
            print(result.verdict.detail)
            if let rule = result.rule { print("extracted: \(result.answer ?? "nothing") (rule: \(rule))") }
        }
    }
}
