import Foundation

/// LaTeX-aware final-answer equivalence for math benchmarks (MATH-500, AIME, AMC, GSM8K).
///
/// Pipeline: take the last `\boxed{}` if present → tokenize (hand-written scanner: `\dfrac`/`\tfrac`
/// → `\frac`, `\left`/`\right`/spacing dropped, `\text{}`/`\mbox{}` kept as text, degrees,
/// `\$`, `\%`) → parse the answer's structure (interval unions, intervals/tuples, sets and
/// unordered lists, matrices, equations, base-subscripted numbers, text, percent) → compare
/// structurally; leaf expressions are compared by numeric evaluation at relative tolerance 1e-9
/// (expressions with free variables at fixed sample points).
///
/// Conventions (they match HuggingFace math-verify where it is right; see
/// `Tests/TTSBenchTests/MathVerifyAgreementTests.swift` for the measured agreement):
/// - A bare comma list (`1,-2`) or `\{...\}` is an unordered set; parenthesized/bracketed groups
///   are ordered (tuples, intervals), and open/closed ends must match. A bare list equals a
///   parenthesized tuple with the same elements in the same order.
/// - `1,000` and `10,\!080` are one number (a comma directly followed by a digit or `\!`, with
///   groups of exactly three digits); `1, 000` with a space is a list.
/// - `x = 3` ≡ `3` (a single-variable left side is an assignment); two equations are equivalent
///   when `lhs - rhs` agree up to a non-zero constant factor. A labelled reference (`(p,q)=(3,2)`,
///   `|AB|=1`, `p=5,q=2;p=7,q=2`) is answered by its values (`MathEquivalence+Labels.swift`).
/// - Relations match their reversed and negated forms (`-x > -1` ≡ `x < 1`); a reference
///   inequality on one variable equals the interval it describes (`-793 < a < 10` ≡ `(-793, 10)`).
/// - Sets ignore repeated elements. Notation math-verify reads (doubled backslashes, `\approx`,
///   `\quad` glued to a name, percent words) is rewritten first (`MathEquivalence+Notation.swift`).
/// - Degrees markers and trailing unit words/`\text{units}` are dropped; `50\%` ≡ `50` ≡ `0.5`.
/// - `2516_8` keeps its base: equal to `2516_{8}` and to the bare digits `2516`, not to `2516_7`.
/// - A decimal literal with at least 6 decimals equals a value it correctly rounds (`0.333333`
///   ≡ `\frac13`); otherwise decimals must match to 1e-9.
/// - Text answers compare case-insensitively, ignoring spaces and parentheses (`\text{(C)}` ≡ `C`).
/// - Inputs longer than `maxInputLength` characters are never equivalent; parsing depth is bounded.
public enum MathEquivalence {
    /// Inputs longer than this are rejected (not equivalent, no parsing).
    public static let maxInputLength = 10_000

    /// Result of `check`: the verdict and a short human-readable reason.
    public struct Verdict: Sendable, Equatable {
        public var equivalent: Bool
        public var reason: String
    }

    // MARK: - Public API

    /// Content of the last `\boxed{...}` / `\fbox{...}` (nested braces), or nil.
    /// Also accepts the unbraced form `\boxed 5` (up to the next space or `$`).
    public static func lastBoxed(in text: String) -> String? {
        // Scanned as UTF-8 bytes (the markers are ASCII): building an array of Characters for a
        // whole completion was the costliest step of reading answers. Only the chosen box's
        // content is turned into Characters for brace matching, so the call stays linear.
        let bytes = Array(text.utf8)
        let n = bytes.count
        let backslash = UInt8(ascii: "\\"), space = UInt8(ascii: " "), open = UInt8(ascii: "{")
        func isLetter(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) }
        var starts: [Int] = []  // index just after the command name
        var i = 0
        while i < n {
            if bytes[i] == backslash {
                var j = i + 1
                while j < n && isLetter(bytes[j]) { j += 1 }
                let name = bytes[(i + 1)..<j]
                if name.elementsEqual("boxed".utf8) || name.elementsEqual("fbox".utf8) { starts.append(j) }
                i = max(j, i + 1)
                continue
            }
            i += 1
        }
        for j in starts.reversed() {
            var k = j
            while k < n && bytes[k] == space { k += 1 }
            if k < n && bytes[k] == open {
                let c = Array(String(decoding: bytes[k...], as: UTF8.self))
                if let close = MathLatexTokenizer.matchBrace(c, 0) {
                    return String(c[1..<close]).trimmingCharacters(in: .whitespacesAndNewlines)
                }
                // Unclosed brace: take the rest.
                return String(c[1...]).trimmingCharacters(in: .whitespacesAndNewlines)
            } else if j < n && bytes[j] == space {
                var e = k
                while e < n && bytes[e] != space && bytes[e] != UInt8(ascii: "$") && bytes[e] != UInt8(ascii: "\n") { e += 1 }
                if e > k { return String(decoding: bytes[k..<e], as: UTF8.self) }
            }
        }
        return nil
    }

    /// Extract the final answer from a completion: last `\boxed{}`, else "answer is X" /
    /// "Answer: X" (rest of that line), else the last number; nil if none.
    public static func extractAnswer(from completion: String) -> String? {
        if let b = lastBoxed(in: completion), !b.isEmpty { return b }
        let lower = completion.lowercased()
        // Last "answer is" / "answer:" occurrence.
        var bestStart: String.Index? = nil
        for marker in ["answer is", "answer:"] {
            var searchRange = lower.startIndex..<lower.endIndex
            while let r = lower.range(of: marker, range: searchRange) {
                if bestStart == nil || r.upperBound > bestStart! { bestStart = r.upperBound }
                searchRange = r.upperBound..<lower.endIndex
            }
        }
        if let start = bestStart {
            // Same offsets in the original (lowercasing ASCII keeps indices for ASCII text).
            let offset = lower.distance(from: lower.startIndex, to: start)
            let orig = Array(completion)
            if offset <= orig.count {
                var rest = String(orig[offset...])
                if let nl = rest.firstIndex(of: "\n") { rest = String(rest[..<nl]) }
                var s = rest.trimmingCharacters(in: .whitespaces)
                if s.hasPrefix(":") { s = String(s.dropFirst()).trimmingCharacters(in: .whitespaces) }
                s = stripMathDelimiters(s)
                while s.hasSuffix(".") && !s.hasSuffix("..") { s.removeLast() }
                s = s.trimmingCharacters(in: .whitespaces)
                if s.hasPrefix("**") && s.hasSuffix("**") && s.count > 4 { s = String(s.dropFirst(2).dropLast(2)) }
                s = stripMathDelimiters(s).trimmingCharacters(in: .whitespaces)
                if !s.isEmpty { return s }
            }
        }
        return lastNumber(in: completion)
    }

    /// Canonical normal form for voting (equal strings ⇔ the same answer for majority vote).
    /// Numbers become a rounded decimal (`\frac12`, `0.5`, `\dfrac{1}{2}` → `0.5`), expressions
    /// with variables a signature of their values at sample points, sets are sorted.
    public static func normalize(_ answer: String) -> String {
        if answer.count > maxInputLength { return answer }
        let src = preprocess(answer)
        guard let tokens = MathLatexTokenizer.tokenize(src) else { return fallbackKey(src) }
        guard let a = MathAnswerParser.parse(tokens) else { return fallbackKey(src) }
        return a.canonical()
    }

    /// Full equivalence of two final answers (candidate vs reference).
    public static func equivalent(_ candidate: String, _ reference: String) -> Bool {
        check(candidate, reference).equivalent
    }

    /// Equivalence with a reason (for `ttsbench verify` and debugging).
    /// With `precision`, a number written as a decimal also equals a value it matches rounded to
    /// that many decimals, wherever it stands (alone, in a tuple, an interval, a matrix).
    public static func check(_ candidate: String, _ reference: String, precision: Int?) -> Verdict {
        let exact = check(candidate, reference)
        guard let precision, !exact.equivalent else { return exact }
        if let c = numericValue(candidate), let r = numericValue(reference) {
            let scale = pow(10.0, Double(precision))
            if (c * scale).rounded() == (r * scale).rounded() {
                return Verdict(equivalent: true, reason: "equal rounded to \(precision) decimals")
            }
        }
        let rounded = MathAnswer.$roundingDecimals.withValue(precision) { check(candidate, reference) }
        if rounded.equivalent { return Verdict(equivalent: true, reason: "equivalent with decimals rounded to \(precision) places") }
        return exact
    }

    /// The value of an answer that is one number-valued expression (no free variable), else nil.
    public static func numericValue(_ answer: String) -> Double? {
        let src = preprocess(answer)
        guard let tokens = MathLatexTokenizer.tokenize(src), let parsed = MathAnswerParser.parse(tokens) else { return nil }
        guard case .expr(let e, let percent) = parsed, e.variables().isEmpty else { return nil }
        let v = e.evaluate([:])
        guard v.isFinite else { return nil }
        return percent ? v / 100 : v
    }

    public static func check(_ candidate: String, _ reference: String) -> Verdict {
        if candidate.count > maxInputLength || reference.count > maxInputLength {
            return Verdict(equivalent: false, reason: "input longer than \(maxInputLength) characters")
        }
        var c = preprocess(candidate)
        var r = preprocess(reference)
        if c.isEmpty || r.isEmpty { return Verdict(equivalent: false, reason: "empty answer") }
        // A labelled answer (`(p,q)=(3,2)`, `|AB|=1`, `AB=4, CD=5`) against a bare reference: its values.
        if !r.contains("="), let values = labelledValues(c) { c = values }
        // A labelled reference against a bare answer: the reference's values (math-verify's
        // assignment rule: the gold `(p,q)=(3,2)` is answered by `(3,2)`).
        if r.contains("="), !c.contains("="), MathRelation.operatorCount(c) == 0, let values = referenceValues(r) { r = values }
        // Relations (`5 \geq x` vs `x \leq 5`, `-x > -1` vs `x < 1`): the same relation.
        if let cr = MathRelation(c), let rr = MathRelation(r) {
            let same = cr.isSame(as: rr, equivalent: { equivalent($0, $1) })
            return Verdict(equivalent: same, reason: same ? "the same relation" : "different relations: \(cr) vs \(rr)")
        }
        // A reference inequality (`-793 < a < 10`, `x \geq 2`) against an interval: the set it describes.
        if MathRelation.mayHaveRelation(r), c.first == "(" || c.first == "[" || c.contains("\\in") || c.contains("\\cup"),
           MathRelation.operatorCount(c) == 0, let interval = MathRelation.interval(r) {
            let same = check(c, interval).equivalent
            return Verdict(equivalent: same, reason: same ? "the interval the inequality describes" : "not the interval \(interval)")
        }
        if compact(c) == compact(r) { return Verdict(equivalent: true, reason: "identical after cleanup") }
        guard let ct = MathLatexTokenizer.tokenize(c), let rt = MathLatexTokenizer.tokenize(r),
              let ca = MathAnswerParser.parse(ct), let ra = MathAnswerParser.parse(rt) else {
            let same = fallbackKey(c) == fallbackKey(r)
            return Verdict(equivalent: same, reason: same ? "equal as text" : "unparsed and different as text")
        }
        if let reason = MathAnswer.difference(ca, ra) {
            // Last resort: identical canonical text (e.g. both unparseable the same way).
            return Verdict(equivalent: false, reason: reason)
        }
        return Verdict(equivalent: true, reason: "equivalent")
    }

    // MARK: - Helpers

    /// Takes the last \boxed content when present and strips math-mode delimiters; reads
    /// `\text{e}` as Euler's number, "percent" as `\%`, and " and " / " or " between answers as a list.
    static func preprocess(_ s: String) -> String {
        var t = s.trimmingCharacters(in: .whitespacesAndNewlines)
        if t.contains("\\boxed") || t.contains("\\fbox"), let b = lastBoxed(in: t) { t = b }
        t = stripMathDelimiters(t)
        t = normalizeNotation(t)
        if t.contains("\\text{e}") || t.contains("\\mathrm{e}") {
            t = t.replacingOccurrences(of: "\\text{e}", with: "e").replacingOccurrences(of: "\\mathrm{e}", with: "e")
        }
        if t.contains("percent") || t.contains("per cent") || t.contains("pct") {
            t = t.replacingOccurrences(of: "\\s*(\\\\text\\{\\s*)?(percentage|percent|per cent|pct)\\b(\\s*\\})?", with: "\\\\%",
                                       options: .regularExpression)
        }
        if !t.contains("\\text"), t.contains(" and ") || t.contains(" or ") {
            t = t.replacingOccurrences(of: "\\s+(and|or)\\s+", with: ", ", options: .regularExpression)
        }
        // Trailing sentence period / comma.
        while let last = t.last, last == "." || last == "," || last == ";" || last == " " {
            // keep "\," etc. handled by tokenizer; a lone trailing '.' after digits is removed here
            t.removeLast()
        }
        return t
    }

    static func stripMathDelimiters(_ s: String) -> String {
        var t = s.trimmingCharacters(in: .whitespacesAndNewlines)
        for (open, close) in [("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"), ("$", "$")] {
            if t.hasPrefix(open) && t.hasSuffix(close) && t.count >= open.count + close.count {
                t = String(t.dropFirst(open.count).dropLast(close.count))
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        return t
    }

    /// `(p,q)=(3,2)` → `(3,2)`; `AB=4, CD=5` → `4, 5`; nil unless every top-level part is
    /// `label = value` with a label (a name, `|AB|`, `(p,q)`, `f(2)`) on the left.
    static func labelledValues(_ s: String) -> String? {
        guard s.contains("=") else { return nil }
        var parts: [String] = []
        var depth = 0
        var current = ""
        for ch in s {
            if "([{".contains(ch) { depth += 1 } else if ")]}".contains(ch) { depth -= 1 }
            if ch == ",", depth == 0 { parts.append(current); current = "" } else { current.append(ch) }
        }
        parts.append(current)
        var values: [String] = []
        for part in parts {
            let sides = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard sides.count == 2, !sides[1].contains("="), isLabel(String(sides[0])) else { return nil }
            let value = sides[1].trimmingCharacters(in: .whitespaces)
            guard !value.isEmpty else { return nil }
            values.append(value)
        }
        return values.joined(separator: ", ")
    }

    /// Whitespace- and spacing-command-free text, for the quick identical check.
    static func compact(_ s: String) -> String {
        // Whitespace is dropped, except that ", " stays distinct from "," (`1, 000` is a list).
        var out = ""
        out.reserveCapacity(s.count)
        var prev: Character = " "
        for ch in s {
            if ch.isWhitespace {
                if prev == "," { out.append(" ") }
                prev = " "
                continue
            }
            out.append(ch)
            prev = ch
        }
        for (from, to) in [("\\!", ""), ("\\,", ""), ("\\;", ""), ("\\dfrac", "\\frac"), ("\\tfrac", "\\frac"),
                           ("\\left", ""), ("\\right", "")] {
            out = out.replacingOccurrences(of: from, with: to)
        }
        return out
    }

    /// Key used when parsing fails: lowercased, no spaces, no `\text`, no braces/`$`.
    static func fallbackKey(_ s: String) -> String {
        var t = compact(s)
        for cmd in ["\\text", "\\mbox", "\\mathrm", "\\textbf"] { t = t.replacingOccurrences(of: cmd, with: "") }
        var out = ""
        for ch in t where ch != "{" && ch != "}" && ch != "$" { out.append(ch) }
        return out.lowercased()
    }

    /// Last number in free text ("... so we get 1,234.5 apples" → "1234.5").
    static func lastNumber(in text: String) -> String? {
        let c = Array(text)
        var i = c.count - 1
        while i >= 0 {
            if c[i].isASCII && c[i].isNumber {
                var end = i + 1
                var start = i
                while start > 0 {
                    let p = c[start - 1]
                    if p.isASCII && p.isNumber { start -= 1; continue }
                    if (p == "." || p == ",") && start >= 2 && c[start - 2].isASCII && c[start - 2].isNumber {
                        start -= 1; continue
                    }
                    break
                }
                if start > 0 && c[start - 1] == "-" { start -= 1 }
                if start > 0 && c[start - 1] == "." { start -= 1 }
                while end > start && (c[end - 1] == "." || c[end - 1] == ",") { end -= 1 }
                var s = String(c[start..<end])
                // Thousands separators: "1,234,567" → "1234567"; a decimal comma is left alone.
                if s.contains(",") {
                    let parts = s.split(separator: ",", omittingEmptySubsequences: false)
                    if parts.dropFirst().allSatisfy({ $0.prefix(while: { $0 != "." }).count == 3 }) {
                        s = parts.joined()
                    } else if let last = parts.last {
                        s = String(last)
                    }
                }
                return s
            }
            i -= 1
        }
        return nil
    }

    /// Token → LaTeX-ish text (for keys and subscripts).
    static func render(_ t: MathToken) -> String {
        switch t {
        case .number(let s): return s
        case .ident(let s): return s.count > 1 ? "\\" + s : s
        case .command(let c): return "\\" + c
        case .text(let s): return s
        case .sym(let ch): return String(ch)
        case .comma: return ","
        case .setOpen: return "\\{"
        case .setClose: return "\\}"
        case .rowSep: return "\\\\"
        case .begin(let e): return "\\begin{\(e)}"
        case .end(let e): return "\\end{\(e)}"
        }
    }

    static func renderTokens(_ ts: ArraySlice<MathToken>) -> String {
        ts.map(render).joined()
    }
}
