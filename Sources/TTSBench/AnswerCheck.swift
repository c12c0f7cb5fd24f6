import TTSCore
import TTSSuite
import Foundation
import TTSSeams
import TTSVerifiers

/// What `ttsbench verify` does: check candidate answers against references with one of the
/// answer verifiers, one pair at a time or a JSONL file of pairs.
public enum AnswerCheck {
    public enum Kind: String, CaseIterable, Sendable {
        case math, numeric, exact
    }

    public struct Options: Sendable {
        public var kind: Kind
        public var tolerance: Double = 1e-6
        public var caseSensitive = false
        /// When set, the candidate is a whole completion and the answer is extracted from it
        /// (`ttsbench verify` sets `auto` for `--kind math` unless told otherwise).
        public var extract: AnswerExtraction?
        /// `--kind math`: round numbers to this many decimals before comparing (math-verify's `precision`).
        public var precision: Int?
        public init(kind: Kind) { self.kind = kind }
    }

    public struct Pair: Sendable {
        public var line: Int
        public var reference: String
        public var candidate: String
    }

    public struct InputError: Error, CustomStringConvertible, Sendable {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// A verdict with what extraction read (nil answer: no rule matched; nil rule: no extraction).
    public struct Result: Sendable {
        public var verdict: Verdict
        public var answer: String?
        public var rule: String?
    }

    public static func verifier(_ options: Options) -> any Verifier {
        switch options.kind {
        case .math: MathVerifier(precision: options.precision)
        case .numeric: NumericVerifier(tolerance: options.tolerance)
        case .exact: ExactVerifier(caseSensitive: options.caseSensitive)
        }
    }

    /// The verdict for one pair.
    public static func check(reference: String, candidate: String, options: Options) async throws -> Verdict {
        try await checkExtracting(reference: reference, candidate: candidate, options: options).verdict
    }

    /// The verdict for one pair, with the answer extraction read and the rule that matched.
    public static func checkExtracting(reference: String, candidate: String, options: Options) async throws -> Result {
        let item = TaskItem(id: "verify", question: "", answer: reference)
        var answer: String? = candidate
        var rule: String?
        if let mode = options.extract {
            let found = AnswerExtractor.extraction(candidate, mode: mode, item: item)
            answer = found?.answer
            rule = found?.rule.rawValue ?? "none"
        }
        let verdict = try await verifier(options).verify(Candidate(text: candidate, answer: answer), item: item)
        return Result(verdict: verdict, answer: answer, rule: rule)
    }

    /// Reads a JSONL file of `{"reference": ..., "candidate": ...}` lines (strings or numbers;
    /// blank lines are skipped). Throws naming the first malformed line.
    public static func readPairs(path: String) throws -> [Pair] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(description: "\(path): cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError(description: "\(path): the file is not valid UTF-8")
        }
        return try parsePairs(text, shownAs: path)
    }

    public static func parsePairs(_ text: String, shownAs path: String) throws -> [Pair] {
        var pairs: [Pair] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = index + 1
            let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            func fail(_ why: String) -> InputError {
                InputError(description: "\(path):\(line): \(why); expected {\"reference\": ..., \"candidate\": ...}")
            }
            let object: Any
            do {
                object = try JSONSerialization.jsonObject(with: Data(trimmed.utf8), options: [.fragmentsAllowed])
            } catch {
                throw fail("malformed JSON")
            }
            guard let dict = object as? [String: Any] else { throw fail("not a JSON object") }
            func field(_ key: String) throws -> String {
                switch dict[key] {
                case let s as String: return s
                case let n as NSNumber: return n.stringValue
                case nil: throw fail("missing \"\(key)\"")
                default: throw fail("\"\(key)\" must be a string or a number")
                }
            }
            pairs.append(Pair(line: line, reference: try field("reference"), candidate: try field("candidate")))
        }
        return pairs
    }

    /// The published key order of a line (it predates sorted keys).
    static let lineOrder: [[String]: [String]] = [[]: ["line", "correct", "reason", "rule", "answer"]]

    /// One output line: `{"line": n, "correct": bool, "reason": "..."}`.
    public static func jsonLine(line: Int, verdict: Verdict) -> String {
        JSONWriter(layout: .line).string(.object([
            "correct": .bool(verdict.correct ?? false), "line": .integer(line), "reason": .string(verdict.detail),
        ]), order: lineOrder)
    }

    /// One output line with the extraction: `{"line": n, "correct": bool, "reason": "...", "rule": "...", "answer": "..."}`
    /// (`rule` "none" and `answer` null when nothing was found).
    public static func jsonLine(line: Int, result: Result) -> String {
        guard let rule = result.rule else { return jsonLine(line: line, verdict: result.verdict) }
        return JSONWriter(layout: .line).string(.object([
            "answer": result.answer.map(JSONValue.string) ?? .null, "correct": .bool(result.verdict.correct ?? false),
            "line": .integer(line), "reason": .string(result.verdict.detail), "rule": .string(rule),
        ]), order: lineOrder)
    }
}
