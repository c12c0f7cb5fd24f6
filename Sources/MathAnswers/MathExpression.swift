import Foundation

// A small expression language for final answers: parse LaTeX tokens into an AST and evaluate it
// numerically (Double). Expressions with free variables are compared at fixed sample points.
// Recursion depth is bounded (`MathExprParser.maxDepth`), and so is the number of operators a
// loop may chain (`maxChain`: "1+1+...+1" builds a tree as deep as it is long, and evaluating or
// freeing it recurses that deep); failure returns nil, never traps.

indirect enum MathExpr: Sendable {
    case num(Double, literal: String?)  // literal: the decimal text when written as a number
    case variable(String)
    case constant(String)              // "pi", "e", "infty"
    case add(MathExpr, MathExpr)
    case sub(MathExpr, MathExpr)
    case mul(MathExpr, MathExpr)
    case div(MathExpr, MathExpr)
    case pow(MathExpr, MathExpr)
    case neg(MathExpr)
    case fn(String, MathExpr)          // sqrt, sin, ..., abs
    case root(MathExpr, MathExpr)      // nth root: index, radicand
    case binom(MathExpr, MathExpr)
    case factorial(MathExpr)

    /// Free variable names (sorted, unique).
    func variables() -> [String] {
        var set = Set<String>()
        collectVariables(into: &set, depth: 0)
        return set.sorted()
    }

    private func collectVariables(into set: inout Set<String>, depth: Int) {
        if depth > MathExprParser.maxDepth * 4 { return }
        switch self {
        case .num, .constant: return
        case .variable(let v): set.insert(v)
        case .add(let a, let b), .sub(let a, let b), .mul(let a, let b), .div(let a, let b),
             .pow(let a, let b), .root(let a, let b), .binom(let a, let b):
            a.collectVariables(into: &set, depth: depth + 1)
            b.collectVariables(into: &set, depth: depth + 1)
        case .neg(let a), .fn(_, let a), .factorial(let a):
            a.collectVariables(into: &set, depth: depth + 1)
        }
    }

    var containsInfinity: Bool {
        switch self {
        case .constant("infty"): return true
        case .num, .variable, .constant: return false
        case .add(let a, let b), .sub(let a, let b), .mul(let a, let b), .div(let a, let b),
             .pow(let a, let b), .root(let a, let b), .binom(let a, let b):
            return a.containsInfinity || b.containsInfinity
        case .neg(let a), .fn(_, let a), .factorial(let a):
            return a.containsInfinity
        }
    }

    /// The decimal literal when the whole expression is a (possibly negated) decimal number.
    var decimalLiteral: String? {
        switch self {
        case .num(_, let lit): return lit
        case .neg(let a): return a.decimalLiteral
        default: return nil
        }
    }

    func evaluate(_ env: [String: Double]) -> Double {
        switch self {
        case .num(let v, _): return v
        case .variable(let name): return env[name] ?? .nan
        case .constant(let c):
            switch c {
            case "pi": return Double.pi
            case "e": return M_E
            case "infty": return .infinity
            default: return .nan
            }
        case .add(let a, let b): return a.evaluate(env) + b.evaluate(env)
        case .sub(let a, let b): return a.evaluate(env) - b.evaluate(env)
        case .mul(let a, let b): return a.evaluate(env) * b.evaluate(env)
        case .div(let a, let b):
            let d = b.evaluate(env)
            if d == 0 { return .nan }
            return a.evaluate(env) / d
        case .pow(let a, let b):
            let base = a.evaluate(env), ex = b.evaluate(env)
            if base < 0 && ex != ex.rounded() {
                // Odd roots of negatives written as powers, e.g. (-8)^(1/3).
                let inv = 1 / ex
                if abs(inv - inv.rounded()) < 1e-12 && Int(inv.rounded()) % 2 != 0 {
                    return -Foundation.pow(-base, ex)
                }
                return .nan
            }
            return Foundation.pow(base, ex)
        case .neg(let a): return -a.evaluate(env)
        case .root(let idx, let a):
            let k = idx.evaluate(env), x = a.evaluate(env)
            if k == 0 { return .nan }
            if x < 0 {
                if k == k.rounded() && Int(k) % 2 != 0 { return -Foundation.pow(-x, 1 / k) }
                return .nan
            }
            return Foundation.pow(x, 1 / k)
        case .binom(let a, let b):
            let n = a.evaluate(env), k = b.evaluate(env)
            guard n == n.rounded(), k == k.rounded(), k >= 0, n >= 0, k <= n, n < 1000 else { return .nan }
            var r = 1.0
            var i = 0.0
            while i < k { r = r * (n - i) / (i + 1); i += 1 }
            return r.rounded()
        case .factorial(let a):
            let n = a.evaluate(env)
            guard n == n.rounded(), n >= 0, n <= 170 else { return .nan }
            var r = 1.0
            var i = 2.0
            while i <= n { r *= i; i += 1 }
            return r
        case .fn(let name, let a):
            let x = a.evaluate(env)
            switch name {
            case "sqrt": return x < 0 ? .nan : x.squareRoot()
            case "sin": return Foundation.sin(x)
            case "cos": return Foundation.cos(x)
            case "tan": return Foundation.tan(x)
            case "cot": return 1 / Foundation.tan(x)
            case "sec": return 1 / Foundation.cos(x)
            case "csc": return 1 / Foundation.sin(x)
            case "arcsin": return Foundation.asin(x)
            case "arccos": return Foundation.acos(x)
            case "arctan": return Foundation.atan(x)
            case "sinh": return Foundation.sinh(x)
            case "cosh": return Foundation.cosh(x)
            case "tanh": return Foundation.tanh(x)
            case "ln", "log": return x <= 0 ? .nan : Foundation.log(x)
            case "lg": return x <= 0 ? .nan : Foundation.log10(x)
            case "exp": return Foundation.exp(x)
            case "abs": return Swift.abs(x)
            case "floor": return x.rounded(.down)
            case "ceil": return x.rounded(.up)
            default: return .nan
            }
        }
    }
}

/// Recursive-descent parser over `MathToken`s.
struct MathExprParser {
    static let maxDepth = 60
    /// Operators chained at one level (`a+b+c...`, `a b c...`, `n!!!...`) before the parser gives up.
    static let maxChain = 500
    static let functions: Set<String> = [
        "sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "sinh", "cosh",
        "tanh", "ln", "log", "lg", "exp",
    ]

    var tokens: [MathToken]
    var pos = 0
    var depth = 0
    var chained = 0
    var failed = false

    init(_ tokens: [MathToken]) { self.tokens = tokens }

    /// Parses the whole token list as one expression; nil on any error or leftover tokens.
    static func parse(_ tokens: [MathToken]) -> MathExpr? {
        if tokens.isEmpty { return nil }
        var p = MathExprParser(tokens)
        guard let e = p.parseExpr(), !p.failed, p.pos == p.tokens.count else { return nil }
        return e
    }

    var peek: MathToken? { pos < tokens.count ? tokens[pos] : nil }

    /// One more operator joined onto a left-deep chain; false (and the parse fails) past `maxChain`.
    mutating func chain() -> Bool {
        chained += 1
        if chained > Self.maxChain { failed = true; return false }
        return true
    }

    mutating func enter() -> Bool {
        depth += 1
        if depth > Self.maxDepth { failed = true; return false }
        return true
    }

    mutating func parseExpr() -> MathExpr? {
        guard enter() else { return nil }
        defer { depth -= 1 }
        guard var lhs = parseTerm() else { return nil }
        while let t = peek {
            let build: (MathExpr, MathExpr) -> MathExpr
            if t == .sym("+") {
                build = MathExpr.add
            } else if t == .sym("-") {
                build = MathExpr.sub
            } else {
                break
            }
            pos += 1
            guard let rhs = parseTerm(), chain() else { return nil }
            lhs = build(lhs, rhs)
        }
        return lhs
    }

    /// Can token `t` begin an implicitly multiplied factor?
    func startsFactor(_ t: MathToken) -> Bool {
        switch t {
        case .number, .ident: return true
        case .command(let c):
            return c == "frac" || c == "sqrt" || c == "pi" || c == "infty" || c == "binom"
                || Self.functions.contains(c) || c == "exp"
        case .sym(let ch): return ch == "(" || ch == "{" || ch == "["
        default: return false
        }
    }

    mutating func parseTerm() -> MathExpr? {
        guard enter() else { return nil }
        defer { depth -= 1 }
        // Mixed number: "1\frac{4}{5}", "137 \frac{1}{2}" = integer + fraction.
        if case .number(let whole)? = peek, !whole.contains("."), pos + 1 < tokens.count,
           tokens[pos + 1] == .command("frac"), let mixed = tryMixedNumber(whole) {
            return mixed
        }
        guard var lhs = parseUnary() else { return nil }
        while let t = peek {
            let rhs: MathExpr?
            let build: (MathExpr, MathExpr) -> MathExpr
            if t == .sym("*") {
                pos += 1
                rhs = parseUnary()
                build = MathExpr.mul
            } else if t == .sym("/") {
                pos += 1
                rhs = parseUnary()
                build = MathExpr.div
            } else if startsFactor(t) {  // implicit multiplication: "2x", "3\sqrt{2}"
                rhs = parsePower()
                build = MathExpr.mul
            } else {
                break
            }
            guard let rhs, chain() else { return nil }
            lhs = build(lhs, rhs)
        }
        return lhs
    }

    /// Parses `N \frac{a}{b}` with numeric a, b as N + a/b; restores position on mismatch.
    mutating func tryMixedNumber(_ whole: String) -> MathExpr? {
        let save = pos
        pos += 2  // number, \frac
        guard let a = parseArgument(), let b = parseArgument(),
              case .num(let av, _) = a, case .num(let bv, _) = b, bv != 0,
              let w = Double(whole) else {
            pos = save
            return nil
        }
        // Anything multiplicative right after would make the reading ambiguous: bail out.
        if let t = peek, t == .sym("*") || t == .sym("/") || t == .sym("^") || startsFactor(t) {
            pos = save
            return nil
        }
        return .num(w + av / bv, literal: nil)
    }

    mutating func parseUnary() -> MathExpr? {
        guard enter() else { return nil }
        defer { depth -= 1 }
        if peek == .sym("-") {
            pos += 1
            guard let e = parseUnary() else { return nil }
            return .neg(e)
        }
        if peek == .sym("+") {
            pos += 1
            return parseUnary()
        }
        return parsePower()
    }

    mutating func parsePower() -> MathExpr? {
        guard enter() else { return nil }
        defer { depth -= 1 }
        guard var base = parsePostfix() else { return nil }
        if peek == .sym("^") {
            pos += 1
            guard let ex = parseExponent() else { return nil }
            base = .pow(base, ex)
            // factorial after power is unusual; ignore.
        }
        return base
    }

    /// Exponent: braced group, or a single digit / letter / command (LaTeX single-token rule),
    /// with an optional leading minus.
    mutating func parseExponent() -> MathExpr? {
        guard enter() else { return nil }
        defer { depth -= 1 }
        if peek == .sym("-") {
            pos += 1
            guard let e = parseExponent() else { return nil }
            return .neg(e)
        }
        return parseArgument()
    }

    mutating func parsePostfix() -> MathExpr? {
        guard var e = parsePrimary() else { return nil }
        while true {
            if peek == .sym("!") {
                pos += 1
                guard chain() else { return nil }
                e = .factorial(e)
            } else if peek == .sym("'") {
                pos += 1  // primes: f'(x) — treat as part of name (rare); ignore
            } else {
                break
            }
        }
        return e
    }

    /// A LaTeX macro argument: `{...}` group, or a single character / token. A multi-digit
    /// number token is split so that `\frac43` reads 4 and 3.
    mutating func parseArgument() -> MathExpr? {
        guard enter() else { return nil }
        defer { depth -= 1 }
        guard let t = peek else { return nil }
        switch t {
        case .sym("{"):
            pos += 1
            guard let e = parseExpr(), peek == .sym("}") else { failed = true; return nil }
            pos += 1
            return e
        case .number(let s):
            if s.count > 1 && !s.hasPrefix(".") {
                let first = String(s.prefix(1))
                tokens[pos] = .number(String(s.dropFirst()))
                return .num(Double(first) ?? .nan, literal: nil)
            }
            pos += 1
            return .num(Double(s) ?? .nan, literal: s.contains(".") ? s : nil)
        case .ident, .command:
            return parsePrimary()
        default:
            failed = true
            return nil
        }
    }

    mutating func parsePrimary() -> MathExpr? {
        guard enter() else { return nil }
        defer { depth -= 1 }
        guard let t = peek else { return nil }
        switch t {
        case .number(let s):
            pos += 1
            guard let v = Double(s) else { return nil }
            // Base subscript inside an expression (52_8): keep the digits' value.
            if peek == .sym("_") { skipSubscript() }
            return .num(v, literal: (s.contains(".") || s.lowercased().contains("e")) ? s : nil)
        case .ident(let name):
            pos += 1
            var full = name
            if peek == .sym("_") {
                pos += 1
                full += "_" + subscriptText()
            }
            if name == "e" && full == "e" { return .constant("e") }
            return .variable(full)
        case .command(let c):
            pos += 1
            switch c {
            case "pi": return .constant("pi")
            case "infty", "infin": return .constant("infty")
            case "frac":
                guard let a = parseArgument(), let b = parseArgument() else { return nil }
                return .div(a, b)
            case "binom":
                guard let a = parseArgument(), let b = parseArgument() else { return nil }
                return .binom(a, b)
            case "sqrt":
                if peek == .sym("[") {
                    pos += 1
                    guard let idx = parseExpr(), peek == .sym("]") else { failed = true; return nil }
                    pos += 1
                    guard let arg = parseArgument() else { return nil }
                    return .root(idx, arg)
                }
                guard let arg = parseArgument() else { return nil }
                return .fn("sqrt", arg)
            case "percent":
                return nil
            default:
                if Self.functions.contains(c) {
                    // Optional power: \sin^2 x
                    var power: MathExpr? = nil
                    if peek == .sym("^") {
                        pos += 1
                        power = parseExponent()
                        if power == nil { return nil }
                    }
                    if c == "log", peek == .sym("_") {
                        pos += 1
                        guard let b = parseArgument() else { return nil }
                        guard let arg = parseFunctionArgument() else { return nil }
                        let e = MathExpr.div(.fn("ln", arg), .fn("ln", b))
                        return power.map { .pow(e, $0) } ?? e
                    }
                    guard let arg = parseFunctionArgument() else { return nil }
                    let e = MathExpr.fn(c, arg)
                    return power.map { .pow(e, $0) } ?? e
                }
                failed = true
                return nil
            }
        case .sym("("), .sym("["), .sym("{"):
            let close: Character
            switch t {
            case .sym("("): close = ")"
            case .sym("["): close = "]"
            default: close = "}"
            }
            pos += 1
            guard let e = parseExpr(), peek == .sym(close) else { failed = true; return nil }
            pos += 1
            return e
        case .sym("|"):
            pos += 1
            guard let e = parseExpr(), peek == .sym("|") else { failed = true; return nil }
            pos += 1
            return .fn("abs", e)
        default:
            failed = true
            return nil
        }
    }

    /// Argument of \sin etc.: a parenthesized group, or an implicit product of power factors
    /// (`\sin 2x`, `\cot x`).
    mutating func parseFunctionArgument() -> MathExpr? {
        guard enter() else { return nil }
        defer { depth -= 1 }
        if peek == .sym("(") || peek == .sym("{") { return parsePower() }
        guard var e = parsePower() else { return nil }
        while let t = peek, startsFactor(t), !(t == .sym("(")) {
            if case .command(let c) = t, Self.functions.contains(c) { break }
            guard let f = parsePower() else { return nil }
            guard chain() else { return nil }
            e = .mul(e, f)
        }
        return e
    }

    mutating func skipSubscript() {
        guard peek == .sym("_") else { return }
        pos += 1
        _ = subscriptText()
    }

    /// Text of a subscript: `{...}` (flattened) or a single token.
    mutating func subscriptText() -> String {
        guard let t = peek else { return "" }
        if t == .sym("{") {
            var out = ""
            var d = 0
            while let u = peek {
                pos += 1
                if u == .sym("{") { d += 1; if d == 1 { continue } }
                if u == .sym("}") { d -= 1; if d == 0 { break } }
                out += MathEquivalence.render(u)
            }
            return out
        }
        pos += 1
        return MathEquivalence.render(t)
    }
}
