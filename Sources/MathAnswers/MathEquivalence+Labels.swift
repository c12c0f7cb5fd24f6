import Foundation

// Labelled references: a reference written as an assignment (`(p,q)=(3,2)`, `|AB|=1`, `A:B=1`,
// `V_{1}:V_{2}=11:21`, `\frac{NO}{BO}=\frac{1}{\sqrt6}`, `AB=4, CD=5`, `p=5,q=2;p=7,q=2`) is
// answered by its values, as math-verify does when the gold is an assignment and the prediction is
// not an equation. A left side made only of names qualifies; `2x + 1 = 5` does not (an equation
// needs an equation).

extension MathEquivalence {
    /// The values a labelled reference gives, or nil when `s` is not one: each top-level
    /// comma-separated part `label = value` gives its value; `;` separates solutions, each of
    /// several assignments becoming one tuple (`p=5,q=2;p=7,q=2` → `(5,2), (7,2)`). A chain
    /// `a = b = v` (`1 = \zzz = x = 0`) gives its last side.
    static func referenceValues(_ s: String) -> String? {
        guard s.contains("="), s.count <= 2_000 else { return nil }
        let solutions = topLevelParts(s, separators: [";"])
        if solutions.count > 1 {
            var tuples: [String] = []
            for solution in solutions {
                guard let values = assignmentValues(solution) else { return nil }
                tuples.append(values.count == 1 ? values[0] : "(" + values.joined(separator: ", ") + ")")
            }
            return tuples.joined(separator: ", ")
        }
        if let values = assignmentValues(s) { return values.joined(separator: ", ") }
        // A chain of two or more `=`: its last side.
        let sides = topLevelParts(s, separators: ["="])
        if sides.count >= 3, let last = sides.last?.trimmingCharacters(in: .whitespaces), !last.isEmpty { return last }
        return nil
    }

    /// `label = value` for every comma-separated part, or nil.
    private static func assignmentValues(_ s: String) -> [String]? {
        var values: [String] = []
        for part in topLevelParts(s, separators: [","]) {
            let sides = topLevelParts(part, separators: ["="])
            guard sides.count == 2, isNameSide(sides[0]) else { return nil }
            let value = sides[1].trimmingCharacters(in: .whitespaces)
            guard !value.isEmpty else { return nil }
            values.append(value)
        }
        return values.isEmpty ? nil : values
    }

    /// A side made of names only: letters (with subscripts, primes), LaTeX commands, `|`, `:`,
    /// parentheses, commas and `\frac` braces; no digit outside a subscript, no operator.
    static func isNameSide(_ raw: String) -> Bool {
        let chars = Array(raw.trimmingCharacters(in: .whitespaces))
        guard !chars.isEmpty, chars.count <= 40 else { return false }
        var letters = 0
        var i = 0
        while i < chars.count {
            let ch = chars[i]
            if ch == "_" {
                // A subscript: `_1`, `_{MBCN}`.
                i += 1
                if i < chars.count, chars[i] == "{" {
                    while i < chars.count, chars[i] != "}" { i += 1 }
                }
                i += 1
                continue
            }
            if ch.isLetter { letters += 1 } else if !(ch == "\\" || ch == "{" || ch == "}" || ch == "|" || ch == ":" || ch == "("
                || ch == ")" || ch == "," || ch == " " || ch == "'") {
                return false
            }
            i += 1
        }
        return letters > 0
    }

    /// Splits at the top-level (outside brackets and braces) occurrences of `separators`.
    static func topLevelParts(_ s: String, separators: Set<Character>) -> [String] {
        var parts: [String] = []
        var depth = 0
        var current = ""
        var previous: Character = " "
        for ch in s {
            if "([{".contains(ch) { depth += 1 } else if ")]}".contains(ch) { depth = max(0, depth - 1) }
            // `\{`, `\}` are set braces (counted above); `\;` is spacing, not a separator.
            if depth == 0, separators.contains(ch), previous != "\\", !(ch == "=" && "<>!".contains(previous)) {
                parts.append(current)
                current = ""
            } else {
                current.append(ch)
            }
            previous = ch
        }
        parts.append(current)
        return parts
    }
}
