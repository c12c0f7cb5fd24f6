import Foundation

// Notation that math-verify reads and the tokenizer alone would not: commands written with a
// doubled backslash (`\\frac` from answers escaped once too often), `\quad` glued to the next
// name (`\quadx_2`), a thousands group written `{, }`, `\approx` after a value, `)or(` between tuples.

extension MathEquivalence {
    /// Commands that, written with a doubled backslash, are still meant as commands
    /// (`\\frac{1}{5}`): `\\` followed by one of these is read as the command, not a line break.
    static let doubledCommands: [String] = [
        "frac", "dfrac", "tfrac", "cfrac", "left", "right", "sqrt", "pi", "leq", "geq", "le", "ge",
        "neq", "cdot", "times", "infty", "text", "mathrm", "mathbf", "boxed", "cup", "pm", "in", "lt", "gt",
    ]

    /// Applies the rewrites above; linear in the length of `s` (each is one pass).
    static func normalizeNotation(_ s: String) -> String {
        var t = s
        if t.contains("\\\\") { t = undoubledCommands(t) }
        if t.contains("\\quad") || t.contains("\\qquad") {
            t = t.replacingOccurrences(of: "\\qquad", with: " ").replacingOccurrences(of: "\\quad", with: " ")
        }
        if t.contains("{, }") { t = t.replacingOccurrences(of: "{, }", with: "{,}") }
        if t.contains("\\approx") { t = approximationDropped(t) }
        if t.contains(")or(") || t.contains(")and(") {
            // `(11,7)or(7,11)`: two answers, written without spaces.
            t = t.replacingOccurrences(of: ")or(", with: "), (").replacingOccurrences(of: ")and(", with: "), (")
        }
        return t
    }

    /// `\\frac` → `\frac` for the commands in `doubledCommands`; `\\` before anything else (a
    /// matrix row break such as `1 \\ 3`, `x \\y`) is kept.
    static func undoubledCommands(_ s: String) -> String {
        let c = Array(s)
        var out = ""
        out.reserveCapacity(c.count)
        var i = 0
        while i < c.count {
            guard c[i] == "\\" else {
                out.append(c[i])
                i += 1
                continue
            }
            // A run of backslashes: exactly two before a listed name is the command; any other
            // run (`\\\frac` is a row break, then `\frac`) is kept as written.
            var run = i
            while run < c.count, c[run] == "\\" { run += 1 }
            var j = run
            while j < c.count, c[j].isLetter { j += 1 }
            if run - i == 2, j > run, doubledCommands.contains(String(c[run..<j])) {
                out.append("\\")
            } else {
                out += String(c[i..<run])
            }
            i = run
        }
        return out
    }

    /// `x \approx 11` → `11`; `x = \frac13 \approx 0.33` → `x = \frac13` (the exact value wins when
    /// there is one), as math-verify reads them.
    static func approximationDropped(_ s: String) -> String {
        guard let first = s.range(of: "\\approx") else { return s }
        let before = String(s[..<first.lowerBound]).trimmingCharacters(in: .whitespaces)
        if before.contains("=") { return before }
        guard let last = s.range(of: "\\approx", options: .backwards) else { return s }
        let after = String(s[last.upperBound...]).trimmingCharacters(in: .whitespaces)
        return after.isEmpty ? before : after
    }
}
