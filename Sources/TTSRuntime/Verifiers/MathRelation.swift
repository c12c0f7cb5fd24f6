import Foundation

/// One relation between two sides (`x \leq 5`, `5 \geq x`, `3 > x`), turned so that the
/// variable side is on the left and the operator reads `<`, `<=`, `>`, `>=` or `!=`: two relations
/// are the same when their operators are and their sides are equivalent.
struct MathRelation: CustomStringConvertible {
    var lhs: String
    var op: String
    var rhs: String

    /// The relation written in `s`, or nil (no relation, or a chain such as `0 < x < 1`).
    init?(_ s: String) {
        var t = s
        for (from, to) in [("\\left", ""), ("\\right", ""), ("\\leqslant", "<="), ("\\geqslant", ">="), ("\\leq", "<="), ("\\geq", ">="), ("\\le", "<="), ("\\ge", ">="),
                           ("\\neq", "!="), ("\\ne", "!="), ("\\lt", "<"), ("\\gt", ">"), ("≤", "<="), ("≥", ">="), ("≠", "!=")] {
            t = t.replacingOccurrences(of: from, with: to)
        }
        guard t.contains("<") || t.contains(">") || t.contains("!=") else { return nil }
        var found: (String, Range<String.Index>)?
        var count = 0
        var i = t.startIndex
        while i < t.endIndex {
            let two = t[i...].prefix(2)
            if two == "<=" || two == ">=" || two == "!=" {
                found = (String(two), i..<t.index(i, offsetBy: 2)); count += 1; i = t.index(i, offsetBy: 2); continue
            }
            if t[i] == "<" || t[i] == ">" { found = (String(t[i]), i..<t.index(after: i)); count += 1 }
            i = t.index(after: i)
        }
        guard count == 1, let (op, range) = found else { return nil }
        var l = String(t[..<range.lowerBound]).trimmingCharacters(in: .whitespaces)
        var r = String(t[range.upperBound...]).trimmingCharacters(in: .whitespaces)
        guard !l.isEmpty, !r.isEmpty, !l.contains("="), !r.contains("=") else { return nil }
        var o = op
        // The side with letters goes left: `5 \geq x` → `x <= 5`.
        let lLetters = l.contains { $0.isLetter && $0 != "e" }, rLetters = r.contains { $0.isLetter && $0 != "e" }
        if !lLetters && rLetters {
            swap(&l, &r)
            o = ["<": ">", ">": "<", "<=": ">=", ">=": "<=", "!=": "!="][o]!
        }
        self.lhs = l
        self.op = o
        self.rhs = r
    }

    var description: String { "\(lhs) \(op) \(rhs)" }
}
