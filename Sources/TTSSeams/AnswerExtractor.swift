import MathAnswers
import TTSCore
import TTSSuite
import Foundation

/// An answer read out of a completion, with the rule that found it.
public struct ExtractedAnswer: Sendable, Hashable {
    public var answer: String
    /// Which rule matched: see `AnswerExtractor.Rule`.
    public var rule: AnswerExtractor.Rule

    public init(answer: String, rule: AnswerExtractor.Rule) {
        self.answer = answer
        self.rule = rule
    }
}

/// Pulls the final answer out of a completion, as the task's `extract` says, and names the rule
/// that matched (recorded with every sample, so a report can show how answers were read and how
/// often none was found).
public enum AnswerExtractor {
    /// The rule that found an answer (the stored name is the raw value).
    public enum Rule: String, Sendable, CaseIterable {
        /// The last `\boxed{}`/`\fbox{}` (several adjacent boxes: one list).
        case boxed
        /// An explicit answer marker ("the answer is", "Final Answer:", `**Answer**`, `####`).
        case marker
        /// The last LaTeX span (`$..$`, `\(..\)`, `\[..\]`).
        case latex
        /// The last number.
        case number
        /// A multiple-choice letter.
        case choice
        /// A `regex` extraction's group.
        case regex
        /// The whole completion.
        case raw
    }

    /// The answer only (nil: no rule matched).
    public static func extract(_ text: String, mode: AnswerExtraction, item: TaskItem? = nil) -> String? {
        extraction(text, mode: mode, item: item)?.answer
    }

    /// The answer and the rule that found it (nil: no rule matched).
    public static func extraction(_ text: String, mode: AnswerExtraction, item: TaskItem? = nil) -> ExtractedAnswer? {
        func found(_ answer: String?, _ rule: Rule) -> ExtractedAnswer? {
            guard let answer, !answer.trimmingSpaces.isEmpty else { return nil }
            return ExtractedAnswer(answer: answer, rule: rule)
        }
        switch mode {
        case .boxed:
            return found(lastBoxed(in: text), .boxed)
        case .lastNumber:
            return found(lastNumber(in: text), .number)
        case .raw:
            return found(String(text.trimmingSpaces), .raw)
        case .auto:
            if let box = found(boxedList(in: text), .boxed) { return box }
            // Markers, spans and numbers are read from the end of the completion, where answers are
            // (and a hostile completion cannot make the scan slow).
            let text = text.count > tailLength ? String(text.suffix(tailLength)) : text
            return found(bareAnswer(text), .raw)
                ?? found(markedAnswer(in: text), .marker)
                ?? found(lastLatexSpan(in: text).map(valueOfSpan), .latex)
                ?? found(lastNumber(in: text), .number)
                ?? found(shortLine(text), .raw)
        case .gsm8k:
            if let marked = gsm8kMarker(in: text) { return found(marked, .marker) }
            return found(lastNumber(in: text), .number)
        case .choice:
            return found(ChoiceExtractor.letter(in: text, choices: item?.choices?.count), .choice)
        case .regex(let pattern, let group):
            return found(regexGroup(pattern, group: group, in: text), .regex)
        }
    }

    /// The extraction rule recorded for a trace that ended inside its thinking: no answer
    /// ("no answer (unfinished thinking)"), never one mined from the thinking.
    public static let unfinishedThinkingRule = "unfinished_thinking"

    /// How much of the end of a completion `auto` reads for markers, spans and numbers.
    static let tailLength = 6000

    // MARK: - boxes

    /// Content of the last `\boxed{...}` or `\fbox{...}`, with nested braces matched.
    public static func lastBoxed(in text: String) -> String? { MathEquivalence.lastBoxed(in: text) }

    /// The last box, or, when the completion ends with several boxes separated only by commas,
    /// "and"/"or" and spacing (`\boxed{1}$ and $\boxed{2}`), their contents as one list `1, 2`.
    static func boxedList(in text: String) -> String? {
        guard let lastContent = lastBoxed(in: text) else { return nil }
        let boxes = self.boxes(in: text)
        guard boxes.count > 1, var last = boxes.last, last.content == lastContent else { return lastContent }
        var contents = [last.content]
        for previous in boxes.dropLast().reversed() {
            let between = text[previous.range.upperBound..<last.range.lowerBound]
            guard isListSeparator(between) else { break }
            contents.insert(previous.content, at: 0)
            last = previous
        }
        return contents.joined(separator: ", ")
    }

    /// Every `\boxed{..}`/`\fbox{..}` with braces, in order: its range in `text` and its content.
    static func boxes(in text: String) -> [(range: Range<String.Index>, content: String)] {
        var out: [(range: Range<String.Index>, content: String)] = []
        var i = text.startIndex
        while i < text.endIndex {
            guard let r = text[i...].firstRange(of: "\\") else { break }
            var j = text.index(after: r.lowerBound)
            var name = ""
            while j < text.endIndex, text[j].isLetter { name.append(text[j]); j = text.index(after: j) }
            if name == "boxed" || name == "fbox" {
                var k = j
                while k < text.endIndex, text[k] == " " { k = text.index(after: k) }
                if k < text.endIndex, text[k] == "{" {
                    var depth = 0
                    var m = k
                    var close: String.Index?
                    while m < text.endIndex {
                        if text[m] == "{" { depth += 1 } else if text[m] == "}" { depth -= 1; if depth == 0 { close = m; break } }
                        m = text.index(after: m)
                    }
                    if let close {
                        let content = String(text[text.index(after: k)..<close]).trimmingCharacters(in: .whitespacesAndNewlines)
                        out.append((r.lowerBound..<text.index(after: close), content))
                        i = text.index(after: close)
                        continue
                    }
                }
            }
            i = j > r.lowerBound ? j : text.index(after: r.lowerBound)
        }
        return out
    }

    /// Text between two boxes that makes them one answer: `$`, commas, "and", "or", spacing.
    static func isListSeparator(_ s: Substring) -> Bool {
        var t = String(s)
        for word in ["\\text{and}", "\\text{ and }", "\\text{or}", "\\text{ or }", "\\quad", "\\qquad", "\\,", "\\;", "and", "or", "$", "\\(", "\\)"] {
            t = t.replacingOccurrences(of: word, with: " ")
        }
        if t.count <= 12 && t.allSatisfy({ $0 == " " || $0 == "," || $0 == ";" || $0 == "\n" }) { return true }
        return isJoiningPhrase(s)
    }

    /// Short text that still joins two boxes, as math-verify reads them: a phrase ending in "and",
    /// "or" or a comma (`\boxed{1} papers and \boxed{2}`, `\text{ for part (a) and }`), also before
    /// a label of the next box (`\) and \( y_2 = \boxed{..}`), or symbols only (`\boxed{a} ++ \boxed{b}`).
    /// Prose that does not end so (`\boxed{1} no no no \boxed{2}`) separates them: the last box is the answer.
    static func isJoiningPhrase(_ s: Substring) -> Bool {
        guard s.count <= 80, !s.contains("\n\n") else { return false }
        var t = String(s).replacingOccurrences(of: "\\\\(text|mbox|mathrm)\\{([^{}]*)\\}", with: " $2 ", options: .regularExpression)
        for word in ["$", "\\(", "\\)", "\\[", "\\]", "\\quad", "\\qquad", "\\,", "\\;", "\n"] {
            t = t.replacingOccurrences(of: word, with: " ")
        }
        var words = t.split(separator: " ").map(String.init)
        // `y_2 =` before the next box names it.
        if words.last == "=" { words.removeLast(); if let label = words.last, MathEquivalence.isLabel(label) { words.removeLast() } else { return false } }
        if let last = words.last, last.hasSuffix("="), MathEquivalence.isLabel(String(last.dropLast())) { words.removeLast() }
        guard let last = words.last?.lowercased(), words.count <= 8 else { return false }
        if ["and", "or", ",and", ",or"].contains(last) || last.hasSuffix(",") { return true }
        return words.allSatisfy { word in word.allSatisfy { !$0.isLetter && !$0.isNumber && $0 != "=" } }
    }

    // MARK: - bare answers

    /// A completion that is only an answer (`\sqrt{3}/2`, `x = 5`, `(1, 2)`): one short line with no
    /// word of prose and no marker. Read whole (the verifier strips `$..$` and a final period).
    static func bareAnswer(_ text: String) -> String? {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !t.isEmpty, t.count <= 120, !t.contains("\n"), !t.contains("#") else { return nil }
        // Words inside `\text{..}` (units, names) are part of an answer, not prose.
        let outsideText = t.replacingOccurrences(of: "\\\\(text|mathrm|textbf|mbox|operatorname)\\{[^{}]*\\}", with: " ",
                                                 options: .regularExpression)
        if containsProse(outsideText) { return nil }
        // Plain text (no LaTeX) `1000,99` / `1,22`: a decimal comma, as `numbers(in:)` reads it.
        if t.range(of: "^-?[0-9]+,([0-9]{1,2}|[0-9]{4,})$", options: .regularExpression) != nil { return t.replacingOccurrences(of: ",", with: ".") }
        return t
    }

    /// Words that answers use: lists ("1 and 2", "3 or 4") and percentages.
    static let answerWords: Set<String> = ["and", "or", "percent"]

    /// Whether `s` holds a word of prose: two or more letters, not a LaTeX command, not all
    /// capitals (segment and point names: `AB`, `CD`), not one of `answerWords`.
    static func containsProse(_ s: String) -> Bool {
        var word = ""
        var command = false
        func isProse() -> Bool {
            word.count >= 2 && !command && word.contains { $0.isLowercase } && !answerWords.contains(word.lowercased())
        }
        for ch in s {
            if ch.isLetter {
                word.append(ch)
                continue
            }
            if isProse() { return true }
            word = ""
            command = ch == "\\"
        }
        return isProse()
    }

    /// The last resort: a completion of one word (`Evelyn`, `Yes`) is its own answer.
    static func shortLine(_ text: String) -> String? {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !t.isEmpty, t.count <= 40, !t.contains(where: \.isWhitespace) else { return nil }
        return t
    }

    // MARK: - answer markers

    /// The answer after the last explicit marker ("final answer is", "the answer is", "answer:",
    /// `**Answer**`, `####`): a LaTeX span or box right after it, else the rest of the sentence.
    static func markedAnswer(in text: String) -> String? {
        let lower = text.lowercased()
        guard lower.count == text.count else { return nil }
        var best: (end: String.Index, marker: String)?
        for marker in ["final answer is", "the answer is", "answer is", "final answer:", "answer:", "**answer**", "####"] {
            var searchRange = lower.startIndex..<lower.endIndex
            while let r = lower.range(of: marker, range: searchRange) {
                if best == nil || r.upperBound > best!.end { best = (r.upperBound, marker) }
                searchRange = r.upperBound..<lower.endIndex
            }
        }
        guard let best else { return nil }
        let offset = lower.distance(from: lower.startIndex, to: best.end)
        var rest = Substring(text.dropFirst(offset))
        // Decorations between the marker and the answer: "**", ":", spaces, "\text{}" closing.
        while let first = rest.first, first == "*" || first == ":" || first == " " || first == "\t" || first == "\n" && rest.dropFirst().first != "\n" {
            rest = rest.dropFirst()
        }
        if rest.isEmpty { return nil }
        if let span = leadingLatexSpan(in: rest) { return valueOfSpan(span) }
        // The rest of the sentence: up to a newline or a period followed by a space or the end.
        var sentence = ""
        var chars = Array(rest)
        if let newline = chars.firstIndex(of: "\n") { chars = Array(chars[..<newline]) }
        var i = 0
        while i < chars.count {
            let ch = chars[i]
            if ch == ".", i + 1 == chars.count || chars[i + 1] == " " || chars[i + 1] == "*" { break }
            sentence.append(ch)
            i += 1
        }
        var s = sentence.trimmingCharacters(in: .whitespaces)
        while s.hasSuffix("*") { s.removeLast() }
        s = s.trimmingCharacters(in: .whitespaces)
        if s.isEmpty { return nil }
        if let box = lastBoxed(in: s) { return box }
        if let span = lastLatexSpan(in: s) {
            // "The largest $n$ is 34": the number the sentence ends with after naming the quantity.
            if let close = s.range(of: "$", options: .backwards) {
                let tail = s[close.upperBound...].trimmingCharacters(in: .whitespaces)
                if tail.count <= 30, tail.hasPrefix("is ") || tail.hasPrefix("are ") || tail.hasPrefix("equals "),
                   let number = lastNumber(in: tail) {
                    return number
                }
            }
            return valueOfSpan(span)
        }
        // Prose after the marker ("42 apples", "$18 a day"): its leading number when it has one.
        if containsWords(s), let number = firstNumber(in: s) { return number }
        return currencyStripped(s)
    }

    /// GSM8K's `#### n`: the first number after the last marker.
    static func gsm8kMarker(in text: String) -> String? {
        guard let r = text.range(of: "####", options: .backwards) else { return nil }
        var rest = text[r.upperBound...]
        if let newline = rest.firstIndex(of: "\n") { rest = rest[..<newline] }
        return firstNumber(in: String(rest))
    }

    // MARK: - LaTeX spans

    /// The content of the last `$..$`, `$$..$$`, `\(..\)` or `\[..\]` span. A `$` followed by a
    /// digit whose "span" would run over prose (`$5 per hour, so $40`) is a currency sign.
    static func lastLatexSpan(in text: String) -> String? {
        latexSpans(in: Array(text)).last
    }

    /// The span that starts `text` (after spaces), if any.
    static func leadingLatexSpan(in text: Substring) -> String? {
        let chars = Array(text.drop { $0 == " " })
        guard let first = chars.first, first == "$" || (first == "\\" && chars.count > 1 && (chars[1] == "(" || chars[1] == "[")) else {
            return nil
        }
        guard let span = nextSpan(chars, from: 0), span.start == 0 else { return nil }
        return span.content
    }

    static func latexSpans(in chars: [Character]) -> [String] {
        var spans: [String] = []
        var i = 0
        var unclosed = Set<Character>()  // openers with no closer after some earlier position: none later either
        while i < chars.count {
            let opener: Character = chars[i] == "\\" && i + 1 < chars.count ? chars[i + 1] : chars[i]
            if (chars[i] == "$" || chars[i] == "\\") && unclosed.contains(opener) { i += 1; continue }
            if chars[i] == "$" || (chars[i] == "\\" && (opener == "(" || opener == "[")) {
                var noClose = false
                if let span = nextSpan(chars, from: i, noClose: &noClose) {
                    spans.append(span.content)
                    i = span.end
                    continue
                }
                if noClose { unclosed.insert(opener) }
            }
            i += 1
        }
        return spans
    }

    static func nextSpan(_ c: [Character], from i: Int) -> (start: Int, end: Int, content: String)? {
        var noClose = false
        return nextSpan(c, from: i, noClose: &noClose)
    }

    /// A span opening exactly at `i`: its content and the index after its end.
    static func nextSpan(_ c: [Character], from i: Int, noClose: inout Bool) -> (start: Int, end: Int, content: String)? {
        func find(_ close: [Character], after j: Int) -> Int? {
            var k = j
            while k + close.count <= c.count {
                if c[k] == "\\" && close[0] != "\\" { k += 2; continue }
                if c[k] == close[0] && (close.count == 1 || c[k + 1] == close[1]) { return k }
                k += 1
            }
            noClose = true
            return nil
        }
        guard i < c.count else { return nil }
        if c[i] == "$" {
            if i > 0 && c[i - 1] == "\\" { return nil }  // an escaped dollar
            let double = i + 1 < c.count && c[i + 1] == "$"
            let open = double ? 2 : 1
            guard let close = find(double ? ["$", "$"] : ["$"], after: i + open) else { return nil }
            let content = String(c[(i + open)..<close])
            if !double, isCurrency(content) { return nil }
            return (i, close + open, content.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        if c[i] == "\\", i + 1 < c.count, c[i + 1] == "(" || c[i + 1] == "[" {
            let closer: [Character] = ["\\", c[i + 1] == "(" ? ")" : "]"]
            guard let close = find(closer, after: i + 2) else { return nil }
            return (i, close + 2, String(c[(i + 2)..<close]).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return nil
    }

    /// Whether the text between two dollars is prose (a currency sign opened it): it starts with a
    /// digit and holds a word, a newline or a sentence end.
    static func isCurrency(_ content: String) -> Bool {
        guard let first = content.first, first.isNumber else { return content.contains("\n") }
        if content.contains("\n") { return true }
        // `$400 + $60 = $460`, `$17/$8.50`: an amount followed by an operator and another amount.
        // (`x` as "times" only after a space: `$0.04x$` ends in a variable.)
        if let last = content.last, last == " " || "=+-*/×".contains(last) || content.hasSuffix(" x") { return true }
        return containsWords(content)
    }

    /// What a span says: the right side of its last `=` (`x = 3`, `6 \cdot 7 = 42`) when there is one
    /// at the top level and the span is not a system of equations, else the whole span.
    static func valueOfSpan(_ span: String) -> String {
        var s = span.trimmingCharacters(in: .whitespacesAndNewlines)
        while s.hasSuffix(".") || s.hasSuffix(",") { s.removeLast() }
        let chars = Array(s)
        var depth = 0
        var lastEquals: Int?
        for (k, ch) in chars.enumerated() {
            switch ch {
            case "(", "[", "{": depth += 1
            case ")", "]", "}": depth -= 1
            case "=" where depth == 0:
                let prev = k > 0 ? chars[k - 1] : " "
                let next = k + 1 < chars.count ? chars[k + 1] : " "
                if prev != "<" && prev != ">" && prev != "!" && next != "=" { lastEquals = k }
            default: break
            }
        }
        guard let eq = lastEquals else { return s }
        let rhs = String(chars[(eq + 1)...]).trimmingCharacters(in: .whitespaces)
        let lhs = String(chars[..<eq]).trimmingCharacters(in: .whitespaces)
        // The value after a computation (`6 \cdot 7 = 42`) or after a label (`x = 3`, `(p, q) = (3, 2)`,
        // `|AB| = 1`, `f(2) = 5`); an equation (`5x - 7y + 4 = 0`, `y = 2x + 1`) and a system of
        // assignments (`x = 1, y = 2`) are kept whole.
        if rhs.isEmpty || lhs.contains("=") { return s }
        if !MathEquivalence.hasVariables(lhs) { return rhs }
        if MathEquivalence.isLabel(lhs) && !(MathEquivalence.hasVariables(rhs) && !rhs.contains("\\")) { return rhs }
        return s
    }

    // MARK: - numbers

    /// The last number (integer, decimal or `a/b`; optional sign). Thousands separators (`1,234`)
    /// are dropped; a comma that cannot be one (`0,111`, `3,5`) is a decimal comma.
    public static func lastNumber(in text: String) -> String? {
        numbers(in: text).last
    }

    static func firstNumber(in text: String) -> String? {
        numbers(in: text).first
    }

    static func numbers(in text: String) -> [String] {
        var found: [String] = []
        var current = ""
        var previous: Character = " "
        func flush() {
            var c = current
            current = ""
            while c.hasSuffix(".") || c.hasSuffix(",") || c.hasSuffix("/") { c.removeLast() }
            guard c.contains(where: \.isNumber) else { return }
            found.append(normalizeSeparators(c))
        }
        let chars = Array(text)
        for (k, ch) in chars.enumerated() {
            let next: Character = k + 1 < chars.count ? chars[k + 1] : " "
            if ch.isASCII && ch.isNumber {
                current.append(ch)
            } else if (ch == "." || ch == ",") && !current.isEmpty && current.last!.isNumber && next.isASCII && next.isNumber {
                current.append(ch)
            } else if ch == "/" && !current.isEmpty && current.last!.isNumber && next.isASCII && next.isNumber && !current.contains("/") {
                current.append(ch)
            } else if ch == "-" && current.isEmpty && !(previous.isLetter || previous.isNumber) && next.isASCII && next.isNumber {
                current.append(ch)
            } else {
                flush()
            }
            previous = ch
        }
        flush()
        return found
    }

    /// `1,234,567` → `1234567`; `0,111` or `3,5` (groups that cannot be thousands) → `0.111`, `3.5`.
    static func normalizeSeparators(_ s: String) -> String {
        guard s.contains(",") else { return s }
        let negative = s.hasPrefix("-")
        let body = negative ? String(s.dropFirst()) : s
        let parts = body.split(separator: ",", omittingEmptySubsequences: false)
        let head = parts[0]
        let thousands = !head.isEmpty && head.count <= 3 && !(head.hasPrefix("0"))
            && parts.dropFirst().enumerated().allSatisfy { index, part in
                let digits = index == parts.count - 2 ? part.prefix { $0 != "." } : part[...]
                return digits.count == 3 && digits.allSatisfy(\.isNumber)
            }
        let out: String
        if thousands {
            out = parts.joined()
        } else if parts.count == 2, !body.contains(".") {
            out = "\(head).\(parts[1])"
        } else {
            out = String(parts.last!)
        }
        return negative ? "-" + out : out
    }

    /// Whether `s` holds a word of prose (two or more letters not part of a LaTeX command).
    static func containsWords(_ s: String, minLetters: Int = 2) -> Bool {
        var run = 0
        var command = false
        for ch in s {
            if ch == "\\" { command = true; run = 0; continue }
            if ch.isLetter {
                if !command { run += 1; if run >= minLetters { return true } }
            } else {
                command = false
                run = 0
            }
        }
        return false
    }

    /// `$18` → `18`, `\$18` → `18`.
    static func currencyStripped(_ s: String) -> String {
        var t = s
        if t.hasPrefix("\\$") { t.removeFirst(2) } else if t.hasPrefix("$"), t.dropFirst().first?.isNumber == true { t.removeFirst() }
        return t
    }

    // MARK: - regex

    /// Group `group` of the last match of `pattern`, or nil (no match, or the group did not take part).
    static func regexGroup(_ pattern: String, group: Int, in text: String) -> String? {
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return nil }
        let ns = text as NSString
        guard let match = expression.matches(in: text, range: NSRange(location: 0, length: ns.length)).last,
              group <= match.numberOfRanges - 1 else { return nil }
        let range = match.range(at: group)
        guard range.location != NSNotFound else { return nil }
        return ns.substring(with: range).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension Sample {
    /// A generated sample whose answer is read from its completion as `mode` says, recording the
    /// rule that matched.
    public init(sampleIndex: Int, temperature: Double, completion: Completion?, extracting mode: AnswerExtraction, item: TaskItem,
                error: String? = nil) {
        // A refusal about the input (context length, content filter) is the system's outcome:
        // kept with its cause, never read for an answer.
        let refusal = completion?.refusal
        // A trace that ended inside its thinking has no answer, whatever its thinking says.
        if refusal == nil, completion?.thinkingUnfinished == true {
            self.init(sampleIndex: sampleIndex, temperature: temperature, completion: completion, answer: nil, error: error,
                      extractRule: AnswerExtractor.unfinishedThinkingRule)
            return
        }
        let found = refusal != nil ? nil : completion.flatMap { AnswerExtractor.extraction($0.text, mode: mode, item: item) }
        self.init(sampleIndex: sampleIndex, temperature: temperature, completion: completion, answer: found?.answer, error: error ?? refusal,
                  extractRule: found?.rule.rawValue)
    }
}
