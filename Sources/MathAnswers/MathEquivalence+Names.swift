import Foundation

// Whether a side of an answer names a value (a label such as `x_1` or `|AB|`) or holds
// variables: read by the equivalence and by answer extraction.
extension MathEquivalence {
    /// Whether `s` has a letter outside LaTeX command names (`6 \\cdot 7` has none).
    public static func hasVariables(_ s: String) -> Bool {
        var command = false
        for ch in s {
            if ch == "\\" { command = true; continue }
            if ch.isLetter { if !command { return true } } else { command = false }
        }
        return false
    }

    /// A name for a value: `x`, `x_1`, `AB`, `|AB|`, `(p, q)`, `f(2)`, `\\theta`, `m\\angle A`.
    public static func isLabel(_ s: String) -> Bool {
        let t = s.replacingOccurrences(of: " ", with: "")
        guard !t.isEmpty, t.count <= 24 else { return false }
        let pattern = "^(\\\\?[A-Za-z]+(_\\{?[A-Za-z0-9]+\\}?)?|\\|[A-Za-z]+\\||[A-Za-z]\\([A-Za-z0-9]+\\)|\\(([A-Za-z],)+[A-Za-z]\\)|m\\\\angle[A-Za-z]+)$"
        return t.range(of: pattern, options: .regularExpression) != nil
    }
}
