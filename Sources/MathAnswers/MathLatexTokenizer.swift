import Foundation

// Hand-written LaTeX scanners used by `MathEquivalence`. No regular expressions: every scanner
// is a single left-to-right pass (linear time), so hostile input cannot trigger backtracking.

/// One lexical token of a (cleaned) LaTeX math answer.
enum MathToken: Equatable, Sendable {
    /// Digits with an optional decimal part ("12", "3.5", ".25"); optional exponent ("1.5e3").
    case number(String)
    /// A single-letter identifier (Latin letter) or a Greek-letter command name ("theta").
    case ident(String)
    /// A LaTeX control word without the backslash ("frac", "sqrt", "pi", "cup", "pm" ...).
    case command(String)
    /// Content of \text{...}, \mbox{...}, \textbf{...}, \mathrm{...} ... (raw, trimmed).
    case text(String)
    /// Single-character operators and delimiters: + - * / ^ _ = ( ) [ ] { } | ! & < >
    case sym(Character)
    /// A comma; `tight` when written as a thousands separator could be (`1,000`, `10,\!080`, `{,}`).
    case comma(tight: Bool)
    /// `\{` and `\}` (set braces).
    case setOpen, setClose
    /// `\\` (matrix row separator).
    case rowSep
    /// \begin{env} / \end{env}
    case begin(String), end(String)
}

enum MathLatexTokenizer {
    static let greek: Set<String> = [
        "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
        "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "rho", "varrho", "sigma",
        "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta",
        "Lambda", "Xi", "Sigma", "Upsilon", "Phi", "Psi", "Omega",
    ]
    /// Commands whose braced argument is text.
    static let textCommands: Set<String> = [
        "text", "mbox", "textbf", "textit", "textrm", "mathrm", "mathbf", "mathit", "textsf",
        "mathsf", "textnormal", "operatorname", "mathtt", "texttt", "hbox", "emph", "textup",
    ]
    /// Commands that are pure spacing / sizing / styling and carry no meaning.
    static let ignoredCommands: Set<String> = [
        "left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl",
        "biggr", "Biggl", "Biggr", "displaystyle", "textstyle", "scriptstyle", "limits",
        "quad", "qquad", "nonumber", "middle", "mathbb", "boldsymbol", "bm", "hspace",
    ]

    /// Tokenizes `s`. Returns nil when the input cannot be tokenized sensibly (unbalanced \text
    /// braces); the caller then falls back to string comparison.
    static func tokenize(_ s: String) -> [MathToken]? {
        let c = Array(s)
        var out: [MathToken] = []
        out.reserveCapacity(c.count)
        var i = 0
        let n = c.count

        func isDigit(_ ch: Character) -> Bool { ch.isASCII && ch.isNumber }
        func isLetter(_ ch: Character) -> Bool { ch.isASCII && ch.isLetter }

        while i < n {
            let ch = c[i]
            if ch == " " || ch == "\t" || ch == "\n" || ch == "\r" || ch == "~" {
                i += 1
                continue
            }
            if isDigit(ch) || (ch == "." && i + 1 < n && isDigit(c[i + 1])) {
                var j = i
                while j < n && isDigit(c[j]) { j += 1 }
                if j < n && c[j] == "." && j + 1 < n && isDigit(c[j + 1]) {
                    j += 1
                    while j < n && isDigit(c[j]) { j += 1 }
                } else if j < n && c[j] == "." && !(j + 1 < n && (isLetter(c[j + 1]) || c[j + 1] == "\\")) {
                    // "5." → trailing dot of a number; swallow it.
                    let num = String(c[i..<j])
                    out.append(.number(num))
                    i = j + 1
                    continue
                }
                // Scientific "1.5e3" / "2E-4" (only when digits follow the e).
                if j + 1 < n && (c[j] == "e" || c[j] == "E") {
                    var k = j + 1
                    if k < n && (c[k] == "+" || c[k] == "-") { k += 1 }
                    if k < n && isDigit(c[k]) {
                        while k < n && isDigit(c[k]) { k += 1 }
                        // Only if not followed by a letter (avoid "2e3x" oddities being eaten).
                        if !(k < n && isLetter(c[k])) { j = k }
                    }
                }
                out.append(.number(String(c[i..<j])))
                i = j
                continue
            }
            if isLetter(ch) {
                out.append(.ident(String(ch)))
                i += 1
                continue
            }
            if ch == "\\" {
                guard i + 1 < n else { i += 1; continue }
                let nx = c[i + 1]
                if isLetter(nx) {
                    var j = i + 1
                    while j < n && isLetter(c[j]) { j += 1 }
                    let name = String(c[(i + 1)..<j])
                    i = j
                    if textCommands.contains(name) {
                        // Braced argument as raw text (nested braces allowed).
                        var k = i
                        while k < n && c[k] == " " { k += 1 }
                        if k < n && c[k] == "{" {
                            guard let close = matchBrace(c, k) else { return nil }
                            let inner = String(c[(k + 1)..<close])
                            out.append(.text(inner.trimmingCharacters(in: .whitespaces)))
                            i = close + 1
                        }
                        continue
                    }
                    if name == "begin" || name == "end" {
                        var k = i
                        while k < n && c[k] == " " { k += 1 }
                        if k < n && c[k] == "{", let close = matchBrace(c, k) {
                            let env = String(c[(k + 1)..<close])
                            out.append(name == "begin" ? .begin(env) : .end(env))
                            i = close + 1
                        }
                        continue
                    }
                    if name == "left" || name == "right" || name.hasPrefix("big") || name.hasPrefix("Big") {
                        // \left. / \right. are invisible delimiters.
                        if i < n && c[i] == "." { i += 1 }
                        continue
                    }
                    if ignoredCommands.contains(name) {
                        if name == "hspace" || name == "mathbb" {
                            // drop the braced argument of \hspace; keep \mathbb{R} as ident R
                            var k = i
                            while k < n && c[k] == " " { k += 1 }
                            if k < n && c[k] == "{", let close = matchBrace(c, k) {
                                if name == "mathbb" { out.append(.ident(String(c[(k + 1)..<close]))) }
                                i = close + 1
                            }
                        }
                        continue
                    }
                    switch name {
                    case "dfrac", "tfrac", "cfrac": out.append(.command("frac"))
                    case "dbinom", "tbinom": out.append(.command("binom"))
                    case "cdot", "times", "ast": out.append(.sym("*"))
                    case "div": out.append(.sym("/"))
                    case "le", "leq", "leqslant": out.append(.command("le"))
                    case "ge", "geq", "geqslant": out.append(.command("ge"))
                    case "lt": out.append(.sym("<"))
                    case "gt": out.append(.sym(">"))
                    case "ne", "neq": out.append(.command("ne"))
                    case "lvert", "rvert", "vert", "mid": out.append(.sym("|"))
                    case "degree", "circ": break  // degrees: dropped (with a preceding ^ removed below)
                    case "dots", "ldots", "cdots": out.append(.command("dots"))
                    case "lbrace": out.append(.setOpen)
                    case "rbrace": out.append(.setClose)
                    case "langle": out.append(.sym("("))
                    case "rangle": out.append(.sym(")"))
                    default:
                        if greek.contains(name) { out.append(.ident(name)) } else { out.append(.command(name)) }
                    }
                    // "^\circ" / "^{\circ}" → drop the dangling "^" (and the braces).
                    if name == "circ" || name == "degree" {
                        if case .sym("^")? = out.last { out.removeLast() } else if out.count >= 2,
                           out[out.count - 1] == .sym("{"), out[out.count - 2] == .sym("^") {
                            out.removeLast(2)
                            var k = i
                            while k < n && c[k] == " " { k += 1 }
                            if k < n && c[k] == "}" { i = k + 1 }
                        }
                    }
                    continue
                }
                // Control symbols.
                switch nx {
                case "{": out.append(.setOpen)
                case "}": out.append(.setClose)
                case "\\": out.append(.rowSep)
                case "$", "%", "!", ",", ";", ":", " ", ">", "<", "&", "#", "/":
                    if nx == "%" { out.append(.command("percent")) }
                    // others: spacing or escaped currency → nothing
                case "(", ")", "[", "]": break  // math delimiters \( \) \[ \]
                default: break
                }
                i += 2
                continue
            }
            switch ch {
            case "$": break
            case "%": out.append(.command("percent"))
            case "°": if case .sym("^")? = out.last { out.removeLast() }
            case "π": out.append(.command("pi"))
            case "∞": out.append(.command("infty"))
            case "√": out.append(.command("sqrt"))
            case "−", "–": out.append(.sym("-"))
            case "×", "·": out.append(.sym("*"))
            case "÷": out.append(.sym("/"))
            case "≤": out.append(.command("le"))
            case "≥": out.append(.command("ge"))
            case "±": out.append(.command("pm"))
            case "∪": out.append(.command("cup"))
            case ",":
                // Tight when the next character is a digit or "\!" (thousands separator style).
                var tight = false
                if i + 1 < n {
                    if isDigit(c[i + 1]) { tight = true }
                    if c[i + 1] == "\\" && i + 2 < n && c[i + 2] == "!" { tight = true }
                    if c[i + 1] == "}" && i >= 1 && c[i - 1] == "{" { tight = true }  // {,}
                }
                // "{,}" → drop the braces around the comma.
                if i >= 1 && c[i - 1] == "{" && i + 1 < n && c[i + 1] == "}" {
                    if case .sym("{")? = out.last { out.removeLast() }
                    out.append(.comma(tight: true))
                    i += 2
                    continue
                }
                out.append(.comma(tight: tight))
            case "+", "-", "*", "/", "^", "_", "=", "(", ")", "[", "]", "{", "}", "|", "!", "&", "<", ">", "'":
                out.append(.sym(ch))
            case ";":
                out.append(.comma(tight: false))
            default:
                // Unknown character: keep as a symbol so that string fallback still sees it.
                out.append(.sym(ch))
            }
            i += 1
        }
        return out
    }

    /// Index of the `}` matching the `{` at `open`, or nil. Linear scan, handles `\{` `\}`.
    static func matchBrace(_ c: [Character], _ open: Int) -> Int? {
        var depth = 0
        var i = open
        while i < c.count {
            let ch = c[i]
            if ch == "\\" { i += 2; continue }
            if ch == "{" { depth += 1 } else if ch == "}" {
                depth -= 1
                if depth == 0 { return i }
            }
            i += 1
        }
        return nil
    }
}
