/// Pulls the final answer out of a completion, as the task's `extract` says.
public enum AnswerExtractor {
    public static func extract(_ text: String, mode: AnswerExtraction) -> String? {
        switch mode {
        case .boxed: return lastBoxed(in: text)
        case .lastNumber: return lastNumber(in: text)
        case .raw:
            let t = text.trimmingSpaces
            return t.isEmpty ? nil : String(t)
        }
    }

    /// Content of the last `\boxed{...}` or `\fbox{...}`, with nested braces matched.
    public static func lastBoxed(in text: String) -> String? {
        let scalars = Array(text.unicodeScalars)
        var result: String?
        var i = 0
        let markers: [[Unicode.Scalar]] = [Array("\\boxed".unicodeScalars), Array("\\fbox".unicodeScalars)]
        while i < scalars.count {
            guard scalars[i] == "\\" else { i += 1; continue }
            var matched: [Unicode.Scalar]?
            for m in markers where i + m.count <= scalars.count && Array(scalars[i..<i + m.count]) == m { matched = m }
            guard let marker = matched else { i += 1; continue }
            var j = i + marker.count
            while j < scalars.count, scalars[j] == " " { j += 1 }
            if j < scalars.count, scalars[j] == "{" {
                var depth = 0
                var k = j
                while k < scalars.count {
                    if scalars[k] == "{" { depth += 1 } else if scalars[k] == "}" { depth -= 1; if depth == 0 { break } }
                    k += 1
                }
                if k < scalars.count {
                    var s = String.UnicodeScalarView()
                    s.append(contentsOf: scalars[(j + 1)..<k])
                    result = String(s)
                    i = k + 1
                    continue
                }
                i = j + 1
            } else if j < scalars.count, scalars[j] != "\\" {
                // \boxed 5 (no braces): up to the next space or '$'.
                var k = j
                while k < scalars.count, scalars[k] != " ", scalars[k] != "$", scalars[k] != "\n" { k += 1 }
                var s = String.UnicodeScalarView()
                s.append(contentsOf: scalars[j..<k])
                result = String(s)
                i = k
            } else {
                i = j
            }
        }
        return result.map { String($0.trimmingSpaces) }
    }

    /// The last number (integer or decimal, optional sign, thousands separators dropped).
    public static func lastNumber(in text: String) -> String? {
        var best: String?
        var current = ""
        var previous: Character = " "
        func flush() {
            var c = current
            while c.hasSuffix(".") || c.hasSuffix(",") { c.removeLast() }
            if c.contains(where: \.isNumber) { best = c.replacingOccurrences(of: ",", with: "") }
            current = ""
        }
        for ch in text {
            if ch.isASCII && ch.isNumber {
                current.append(ch)
            } else if (ch == "." || ch == ",") && !current.isEmpty {
                current.append(ch)
            } else if ch == "-" && current.isEmpty && !(previous.isLetter || previous.isNumber) {
                current.append(ch)
            } else {
                if current == "-" { current = "" } else { flush() }
            }
            previous = ch
        }
        flush()
        return best
    }
}

import Foundation
