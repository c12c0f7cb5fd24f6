import ArgumentParser
import Foundation
import TTSBench
import TTSCore
import TTSStore
import TTSSuite
import TTSRuntime
import TTSReport

/// `ttsbench verify`: check answers against references with an answer verifier, to debug a
/// verifier on one's own answers. Arguments are parsed here rather than by ArgumentParser so
/// that every bad argument exits with status 2 (ArgumentParser's usage errors exit with 64).
struct VerifyCommand: AsyncParsableCommand {
    static let usage = """
        ttsbench verify --kind math|numeric|exact --reference R --candidate C [--detail]
        ttsbench verify --kind math|numeric|exact --pairs FILE.jsonl

        Options:
          --kind KIND          the verifier: math (LaTeX-aware equivalence), numeric, exact
          --reference R        the reference answer
          --candidate C        the candidate answer
          --detail             also print the verifier's reason (one pair)
          --pairs FILE         a JSONL file of {"reference": ..., "candidate": ...} lines; prints one
                               {"line": n, "correct": bool, "reason": ...} per line
          --extract MODE       treat candidates as completions and extract the answer: boxed,
                               last_number or raw (default: the candidate is the answer)
          --tolerance X        numeric: relative tolerance above 1, absolute below (default 1e-6)
          --case-sensitive     exact: compare case-sensitively

        Prints `correct` or `incorrect` and exits 0 either way; exits 2 on bad arguments or a
        malformed pairs line (the error names the line).
        """

    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a candidate answer against a reference with the math, numeric or exact verifier.",
        discussion: usage)

    @Argument(parsing: .allUnrecognized, help: "See the usage above.")
    var arguments: [String] = []

    struct Parsed {
        var options: AnswerCheck.Options
        var reference: String?
        var candidate: String?
        var pairs: String?
        var detail = false
    }

    static func parse(_ args: [String]) throws(AnswerCheck.InputError) -> Parsed {
        func bad(_ message: String) -> AnswerCheck.InputError {
            AnswerCheck.InputError(description: "ttsbench verify: \(message)\nusage: ttsbench verify --kind math|numeric|exact --reference R --candidate C [--detail] | --pairs FILE.jsonl")
        }
        var values: [String: String] = [:]
        var flags = Set<String>()
        let valued = ["--kind", "--reference", "--candidate", "--pairs", "--extract", "--tolerance"]
        let boolean = ["--detail", "--case-sensitive"]
        var i = 0
        while i < args.count {
            var arg = args[i]
            var inline: String? = nil
            if arg.hasPrefix("--"), let eq = arg.firstIndex(of: "=") {
                inline = String(arg[arg.index(after: eq)...])
                arg = String(arg[..<eq])
            }
            if valued.contains(arg) {
                let value: String
                if let inline {
                    value = inline
                } else {
                    guard i + 1 < args.count else { throw bad("\(arg) needs a value") }
                    value = args[i + 1]
                    i += 1
                }
                guard values[arg] == nil else { throw bad("\(arg) is given twice") }
                values[arg] = value
            } else if boolean.contains(arg) {
                guard inline == nil else { throw bad("\(arg) takes no value") }
                flags.insert(arg)
            } else {
                throw bad(arg.hasPrefix("-") ? "unknown option '\(arg)'" : "unexpected argument '\(arg)'")
            }
            i += 1
        }
        guard let kindText = values["--kind"] else { throw bad("--kind is required (math, numeric or exact)") }
        guard let kind = AnswerCheck.Kind(rawValue: kindText) else {
            throw bad("--kind must be math, numeric or exact, found '\(kindText)'")
        }
        var options = AnswerCheck.Options(kind: kind)
        if let t = values["--tolerance"] {
            guard kind == .numeric else { throw bad("--tolerance applies to --kind numeric only") }
            guard let x = Double(t), x >= 0, x.isFinite else { throw bad("--tolerance must be a number at least 0, found '\(t)'") }
            options.tolerance = x
        }
        if flags.contains("--case-sensitive") {
            guard kind == .exact else { throw bad("--case-sensitive applies to --kind exact only") }
            options.caseSensitive = true
        }
        if let e = values["--extract"] {
            guard let mode = AnswerExtraction(rawValue: e) else {
                throw bad("--extract must be \(AnswerExtraction.allCases.map(\.rawValue).joined(separator: ", ")), found '\(e)'")
            }
            options.extract = mode
        }
        let parsed = Parsed(options: options, reference: values["--reference"], candidate: values["--candidate"],
                            pairs: values["--pairs"], detail: flags.contains("--detail"))
        if parsed.pairs != nil {
            guard parsed.reference == nil, parsed.candidate == nil else {
                throw bad("--pairs cannot be combined with --reference or --candidate")
            }
        } else {
            guard parsed.reference != nil else { throw bad("--reference is required (or --pairs FILE)") }
            guard parsed.candidate != nil else { throw bad("--candidate is required (or --pairs FILE)") }
        }
        return parsed
    }

    func run() async throws {
        let parsed: Parsed
        do {
            parsed = try Self.parse(arguments)
        } catch {
            throw Exit.fail(error.description, code: 2)
        }
        if let path = parsed.pairs {
            let pairs: [AnswerCheck.Pair]
            do {
                pairs = try AnswerCheck.readPairs(path: path)
            } catch let error as AnswerCheck.InputError {
                throw Exit.fail("ttsbench verify: \(error.description)", code: 2)
            }
            var out = ""
            for pair in pairs {
                let verdict = try await AnswerCheck.check(reference: pair.reference, candidate: pair.candidate, options: parsed.options)
                out += AnswerCheck.jsonLine(line: pair.line, verdict: verdict) + "\n"
            }
            FileHandle.standardOutput.write(Data(out.utf8))
            return
        }
        let verdict = try await AnswerCheck.check(reference: parsed.reference!, candidate: parsed.candidate!, options: parsed.options)
        print(verdict.correct == true ? "correct" : "incorrect")
        if parsed.detail { print(verdict.detail) }
    }
}
