import TTSCore
import TTSStore
import TTSSuite
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
    public static func lastBoxed(in text: String) -> String? { MathEquivalence.lastBoxed(in: text) }

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
