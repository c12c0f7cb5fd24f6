import Foundation

/// Reads a multiple-choice letter out of a completion (`extract: choice`): "the answer is D",
/// `Answer: (B)`, `\boxed{C}`, `**C**`, "option C", `(B)`, `B)`. Explicit answers win over letters
/// merely mentioned; among equals the last one counts. Only letters of the item's choices are
/// accepted (A to J when the data does not list them).
public enum ChoiceExtractor {
    public static func letter(in text: String, choices: Int?) -> String? {
        let count = min(max(choices ?? 10, 1), 26)
        let letters = (0..<count).map { String(UnicodeScalar(UInt8(65 + $0))) }.joined()
        let set = "[" + letters + "]"
        // In priority order; within one pattern the last match counts.
        let patterns = [
            "(?i:answer\\s*(?:is|:)?\\s*(?:option|choice)?)[\\s:*]*\\(?\\**(" + set + ")\\b",
            "\\\\boxed\\{\\s*\\(?(?:\\\\text\\{)?\\(?(" + set + ")\\)?\\}?\\s*\\)?\\}",
            "\\*\\*\\(?(" + set + ")\\)?\\*\\*",
            "(?i:option|choice)\\s+\\(?(" + set + ")\\b",
            "\\((" + set + ")\\)",
            "(?:^|\\s)(" + set + ")\\)",
            "^\\s*(" + set + ")\\s*$",
        ]
        let ns = text as NSString
        for pattern in patterns {
            guard let expression = try? NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines]) else { continue }
            if let match = expression.matches(in: text, range: NSRange(location: 0, length: ns.length)).last {
                return ns.substring(with: match.range(at: 1))
            }
        }
        return nil
    }
}
