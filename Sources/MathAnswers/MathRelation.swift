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

    static let flipped = ["<": ">", ">": "<", "<=": ">=", ">=": "<=", "!=": "!="]

    /// The same relation: the same operator between equivalent sides, or `lhs - rhs` equivalent
    /// under the same operator (`-x > -1` is `x < 1`: `-x + 1 > 0` against `1 - x > 0`).
    func isSame(as other: MathRelation, equivalent: (String, String) -> Bool) -> Bool {
        if op == other.op && equivalent(lhs, other.lhs) && equivalent(rhs, other.rhs) { return true }
        let mine = "(\(lhs))-(\(rhs))"
        if op == other.op { return equivalent(mine, "(\(other.lhs))-(\(other.rhs))") }
        if Self.flipped[op] == other.op { return equivalent(mine, "(\(other.rhs))-(\(other.lhs))") }
        return false
    }

    /// A quick test before the full scan: whether `s` has a character or command a relation needs.
    static func mayHaveRelation(_ s: String) -> Bool {
        s.contains("<") || s.contains(">") || s.contains("\\l") || s.contains("\\g") || s.contains("\\ne") || s.contains("≤")
            || s.contains("≥") || s.contains("≠")
    }

    /// How many relation operators (`<`, `>`, `\le`, `\geq`, `\neq`, ...) `s` has.
    static func operatorCount(_ s: String) -> Int {
        guard mayHaveRelation(s) else { return 0 }
        let t = normalized(s)
        return t.filter { $0 == "<" || $0 == ">" }.count + t.components(separatedBy: "!=").count - 1
    }

    private static func normalized(_ s: String) -> String {
        var t = s
        for (from, to) in [("\\left", ""), ("\\right", ""), ("\\leqslant", "<="), ("\\geqslant", ">="), ("\\leq", "<="), ("\\geq", ">="),
                           ("\\le", "<="), ("\\ge", ">="), ("\\neq", "!="), ("\\ne", "!="), ("\\lt", "<"), ("\\gt", ">"),
                           ("≤", "<="), ("≥", ">="), ("≠", "!=")] {
            t = t.replacingOccurrences(of: from, with: to)
        }
        return t
    }

    /// The interval an inequality on one variable describes, written as LaTeX: `a < x \le b` →
    /// `(a, b]`, `x \geq 2` → `[2, \infty)`; nil for anything else (`\ne`, two variables, `|z|`).
    static func interval(_ s: String) -> String? {
        let t = normalized(s)
        guard !t.contains("!=") else { return nil }
        var sides: [String] = []
        var ops: [String] = []
        var current = ""
        var chars = Array(t)[...]
        while let ch = chars.first {
            if ch == "<" || ch == ">" {
                let strict = chars.dropFirst().first != "="
                ops.append(strict ? String(ch) : String(ch) + "=")
                chars = chars.dropFirst(strict ? 1 : 2)
                sides.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
                continue
            }
            current.append(ch)
            chars = chars.dropFirst()
        }
        sides.append(current.trimmingCharacters(in: .whitespaces))
        guard sides.allSatisfy({ !$0.isEmpty && !$0.contains("=") && !$0.contains("|") }) else { return nil }
        func isVariable(_ side: String) -> Bool { MathEquivalence.hasVariables(side) && !side.contains("\\infty") }
        func open(_ op: String) -> Bool { op.count == 1 }
        switch ops.count {
        case 1:
            let (l, r) = (sides[0], sides[1])
            var op = ops[0], bound = r
            if isVariable(l) && !isVariable(r) {
                // x op bound
            } else if isVariable(r) && !isVariable(l) {
                op = flipped[op]!
                bound = l
            } else {
                return nil
            }
            switch op {
            case "<", "<=": return "(-\\infty, \(bound)" + (open(op) ? ")" : "]")
            default: return (open(op) ? "(" : "[") + "\(bound), \\infty)"
            }
        case 2:
            guard isVariable(sides[1]), !isVariable(sides[0]), !isVariable(sides[2]) else { return nil }
            if ops.allSatisfy({ $0.hasPrefix("<") }) {
                return (open(ops[0]) ? "(" : "[") + "\(sides[0]), \(sides[2])" + (open(ops[1]) ? ")" : "]")
            }
            if ops.allSatisfy({ $0.hasPrefix(">") }) {
                return (open(ops[1]) ? "(" : "[") + "\(sides[2]), \(sides[0])" + (open(ops[0]) ? ")" : "]")
            }
            return nil
        default:
            return nil
        }
    }
}
