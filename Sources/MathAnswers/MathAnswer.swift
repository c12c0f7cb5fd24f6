import Foundation

/// Structure of a final answer, parsed from tokens by `MathAnswerParser`.
indirect enum MathAnswer: Sendable {
    /// A single expression; `percent` when written with `%`.
    case expr(MathExpr, percent: Bool)
    /// Text answer (`\text{Evelyn}`, `\text{(C)}`), normalized: lowercase, no spaces/parentheses.
    case text(String)
    /// Number with a base subscript (`2516_8`).
    case based(digits: String, base: String)
    /// Ordered group with its delimiters: tuples `(1,2,3)`, intervals `(3,4]`, `[a,b]`.
    case bracket(open: Character, close: Character, [MathAnswer])
    /// Unordered list / set: `1,-2`, `\{1,2\}`, `1 \pm \sqrt{19}`.
    case list([MathAnswer])
    /// `A \cup B \cup ...` (order-insensitive).
    case union([MathAnswer])
    /// `pmatrix`/`bmatrix`/... rows of cells.
    case matrix([[MathAnswer]])
    /// `lhs = rhs`; `assignment` when lhs is a single variable.
    case equation(lhs: MathExpr, rhs: MathExpr, assignment: String?)
    /// Anything else (inequalities, unparseable pieces): compared as normalized text.
    case raw(String)

    // MARK: Comparison

    /// nil when `c` (candidate) is equivalent to `r` (reference), else a reason.
    static func difference(_ c: MathAnswer, _ r: MathAnswer) -> String? {
        equal(c, r, depth: 0) ? nil : "\(c.kind) \(c.canonical()) ≠ \(r.kind) \(r.canonical())"
    }

    var kind: String {
        switch self {
        case .expr: return "expression"
        case .text: return "text"
        case .based: return "based number"
        case .bracket(let o, let c, _): return "group \(o)…\(c)"
        case .list: return "set"
        case .union: return "union"
        case .matrix: return "matrix"
        case .equation: return "equation"
        case .raw: return "text"
        }
    }

    static func equal(_ c: MathAnswer, _ r: MathAnswer, depth: Int) -> Bool {
        if depth > 20 { return false }
        let d = depth + 1
        switch (c, r) {
        case (.equation(let cl, let cr, let ca), .equation(let rl, let rr, let ra)):
            if let ca, let ra, ca == ra { return exprEqual(cr, false, rr, false) }
            return equationEqual(cl, cr, rl, rr)
        case (.equation(_, let cr, _), _):
            // The candidate wrote "x = 3" (or "2+1 = 3"): its right side is the answer.
            return equal(.expr(cr, percent: false), r, depth: d)
        case (_, .equation(_, let rr, let ra)):
            // Reference "x = 5" vs candidate "5"; a non-assignment equation needs an equation.
            guard ra != nil else { return false }
            return equal(c, .expr(rr, percent: false), depth: d)
        case (.union(let a), .union(let b)):
            return multisetEqual(a, b, depth: d)
        case (.bracket(let o1, let c1, let a), .bracket(let o2, let c2, let b)):
            guard orderedEqual(a, b, depth: d) else { return false }
            if o1 == o2 && c1 == c2 { return true }
            // Delimiters matter only for genuine intervals; `[6,31,-1]` and `[8,-2]` are tuples.
            return !isInterval(a) && !isInterval(b)
        case (.list(let a), .list(let b)):
            // Sets: a repeated element counts once (`(3,17,3,7)` written twice is one solution).
            return multisetEqual(distinct(a, depth: d), distinct(b, depth: d), depth: d)
        case (.list(let a), .bracket("(", ")", let b)), (.bracket("(", ")", let a), .list(let b)):
            return orderedEqual(a, b, depth: d)
        case (.list(let a), _) where a.count == 1:
            return equal(a[0], r, depth: d)
        case (_, .list(let b)) where b.count == 1:
            return equal(c, b[0], depth: d)
        case (.matrix(let a), .matrix(let b)):
            guard a.count == b.count else { return false }
            for (ra, rb) in zip(a, b) where !orderedEqual(ra, rb, depth: d) { return false }
            return true
        case (.text(let a), .text(let b)):
            return a == b
        case (.based(let d1, let b1), .based(let d2, let b2)):
            return d1 == d2 && b1 == b2
        case (.based(let digits, _), .expr(let e, _)), (.expr(let e, _), .based(let digits, _)):
            if case .num(let v, _) = e, v == v.rounded(), Double(digits) == v { return true }
            return false
        case (.expr(let a, let pa), .expr(let b, let pb)):
            return exprEqual(a, pa, b, pb)
        case (.raw(let a), .raw(let b)):
            return a == b
        case (.text(let a), .raw(let b)), (.raw(let b), .text(let a)):
            return a == textKey(b)
        case (.text(let a), .expr(.variable(let v), _)), (.expr(.variable(let v), _), .text(let a)):
            // "C" or "(C)" vs \text{(C)}
            return a == textKey(v)
        default:
            return false
        }
    }

    /// A two-element group whose ends are numbers with lo < hi (or infinite), or that has
    /// free variables (cannot tell): its open/closed ends matter.
    static func isInterval(_ items: [MathAnswer]) -> Bool {
        guard items.count == 2, case .expr(let lo, _) = items[0], case .expr(let hi, _) = items[1] else { return false }
        if !lo.variables().isEmpty || !hi.variables().isEmpty { return true }
        let a = lo.evaluate([:]), b = hi.evaluate([:])
        if a.isNaN || b.isNaN { return true }
        return a < b
    }

    static func orderedEqual(_ a: [MathAnswer], _ b: [MathAnswer], depth: Int) -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where !equal(x, y, depth: depth) { return false }
        return true
    }

    /// Order-insensitive comparison (greedy matching; equivalence is transitive enough here).
    static func multisetEqual(_ a: [MathAnswer], _ b: [MathAnswer], depth: Int) -> Bool {
        guard a.count == b.count, a.count <= 200 else { return false }
        var used = [Bool](repeating: false, count: b.count)
        for x in a {
            var found = false
            for (j, y) in b.enumerated() where !used[j] && equal(x, y, depth: depth) {
                used[j] = true
                found = true
                break
            }
            if !found { return false }
        }
        return true
    }

    /// `items` without the elements equal to an earlier one (at most 200 items are compared).
    static func distinct(_ items: [MathAnswer], depth: Int) -> [MathAnswer] {
        guard items.count > 1, items.count <= 200 else { return items }
        var kept: [MathAnswer] = []
        for item in items where !kept.contains(where: { equal($0, item, depth: depth) }) { kept.append(item) }
        return kept
    }

    // MARK: Numeric comparison

    static func samplePoints(_ vars: [String]) -> [[String: Double]] {
        if vars.isEmpty { return [[:]] }
        var points: [[String: Double]] = []
        for p in 0..<4 {
            var env: [String: Double] = [:]
            for v in vars {
                // Deterministic per-name values in [0.55, 2.05): positive, away from 0 and 1.
                var h: UInt64 = 1469598103934665603
                for b in v.utf8 { h = (h ^ UInt64(b)) &* 1099511628211 }
                h = (h ^ UInt64(p + 1)) &* 1099511628211
                h ^= h >> 29
                let u = Double(h % 1_000_003) / 1_000_003.0
                env[v] = 0.55 + 1.5 * u
            }
            points.append(env)
        }
        return points
    }

    static func decimals(_ lit: String?) -> Int {
        guard let lit, !lit.lowercased().contains("e"), let dot = lit.firstIndex(of: ".") else { return 0 }
        return lit.distance(from: dot, to: lit.endIndex) - 1
    }

    /// Set by `MathEquivalence.check(_:_:precision:)`: a decimal literal also equals a value it
    /// matches when both are rounded to this many decimals (math-verify's float rounding).
    @TaskLocal static var roundingDecimals: Int?

    static func close(_ x: Double, _ y: Double, _ litX: String?, _ litY: String?) -> Bool {
        if x.isNaN || y.isNaN { return false }
        if !x.isFinite || !y.isFinite { return x == y }
        let diff = Swift.abs(x - y)
        if diff <= 1e-9 * max(Swift.abs(x), Swift.abs(y)) || diff <= 1e-12 { return true }
        if let places = roundingDecimals, decimals(litX) > 0 || decimals(litY) > 0 {
            let scale = Foundation.pow(10, Double(places))
            if (x * scale).rounded() == (y * scale).rounded() { return true }
        }
        // A decimal literal with ≥ 6 decimals equals a value it correctly rounds.
        for lit in [litX, litY] {
            let d = decimals(lit)
            if d >= 6 && diff <= 0.5 * Foundation.pow(10, Double(-d)) * (1 + 1e-9) { return true }
        }
        return false
    }

    static func exprEqual(_ a: MathExpr, _ pa: Bool, _ b: MathExpr, _ pb: Bool) -> Bool {
        let vars = Array(Set(a.variables()).union(b.variables())).sorted()
        let points = samplePoints(vars)
        let litA = a.decimalLiteral, litB = b.decimalLiteral
        let allowInf = a.containsInfinity || b.containsInfinity
        func test(_ scaleA: Double, _ scaleB: Double) -> Bool {
            var valid = 0
            for env in points {
                var x = a.evaluate(env) * scaleA, y = b.evaluate(env) * scaleB
                if !allowInf {
                    if !x.isFinite { x = .nan }
                    if !y.isFinite { y = .nan }
                }
                if x.isNaN && y.isNaN { continue }
                if x.isNaN || y.isNaN { return false }
                if !close(x, y, scaleA == 1 ? litA : nil, scaleB == 1 ? litB : nil) { return false }
                valid += 1
            }
            return valid > 0
        }
        if test(1, 1) { return true }
        // 50% ≡ 0.5: a percent side may also be read as a fraction.
        if pa && !pb && test(0.01, 1) { return true }
        if pb && !pa && test(1, 0.01) { return true }
        return false
    }

    /// Equations are equivalent when lhs - rhs agree up to a non-zero constant factor.
    static func equationEqual(_ cl: MathExpr, _ cr: MathExpr, _ rl: MathExpr, _ rr: MathExpr) -> Bool {
        let f = MathExpr.sub(cl, cr), g = MathExpr.sub(rl, rr)
        let vars = Array(Set(f.variables()).union(g.variables())).sorted()
        let points = samplePoints(vars)
        var ratio: Double? = nil
        var valid = 0
        for env in points {
            let x = f.evaluate(env), y = g.evaluate(env)
            guard x.isFinite, y.isFinite else { continue }
            if Swift.abs(y) < 1e-12 || Swift.abs(x) < 1e-12 {
                if Swift.abs(y) < 1e-12 && Swift.abs(x) < 1e-12 { valid += 1; continue }
                return false
            }
            let q = x / y
            if let r0 = ratio {
                if !close(q, r0, nil, nil) { return false }
            } else {
                ratio = q
            }
            valid += 1
        }
        return valid > 0
    }

    // MARK: Canonical form (for voting)

    static func format(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        var s = String(format: "%.10g", x)
        if s == "-0" { s = "0" }
        return s
    }

    static func exprKey(_ e: MathExpr) -> String {
        let vars = e.variables()
        let points = samplePoints(vars)
        let allowInf = e.containsInfinity
        let values = points.map { env -> String in
            let v = e.evaluate(env)
            return format(!allowInf && !v.isFinite ? .nan : v)
        }
        if vars.isEmpty { return values[0] }
        return "f(" + vars.joined(separator: ",") + ")=" + values.joined(separator: ";")
    }

    func canonical() -> String {
        switch self {
        case .expr(let e, _): return MathAnswer.exprKey(e)
        case .text(let t): return t
        case .based(let d, let b): return d + "_" + b
        case .bracket(let o, let c, let items):
            return String(o) + items.map { $0.canonical() }.joined(separator: ",") + String(c)
        case .list(let items):
            if items.count == 1 { return items[0].canonical() }
            return "{" + items.map { $0.canonical() }.sorted().joined(separator: ",") + "}"
        case .union(let items):
            return items.map { $0.canonical() }.sorted().joined(separator: "∪")
        case .matrix(let rows):
            return "mat[" + rows.map { $0.map { $0.canonical() }.joined(separator: ",") }.joined(separator: ";") + "]"
        case .equation(let l, let r, let assignment):
            if assignment != nil { return MathAnswer.exprKey(r) }
            // Scale-free signature of lhs - rhs.
            let f = MathExpr.sub(l, r)
            let vars = f.variables()
            let pts = MathAnswer.samplePoints(vars)
            let vals = pts.map { f.evaluate($0) }
            guard let first = vals.first(where: { $0.isFinite && Swift.abs($0) > 1e-12 }) else {
                return "eq:0"
            }
            return "eq(" + vars.joined(separator: ",") + "):" + vals.map { MathAnswer.format($0 / first) }.joined(separator: ";")
        case .raw(let s): return s
        }
    }

    static func textKey(_ s: String) -> String {
        var out = ""
        for ch in s.lowercased() where !ch.isWhitespace && ch != "(" && ch != ")" && ch != "." && ch != "{" && ch != "}" && ch != "\\" {
            out.append(ch)
        }
        return out
    }
}

/// Builds a `MathAnswer` from tokens.
enum MathAnswerParser {
    static let unitWords: Set<String> = [
        "cm", "mm", "km", "inch", "inches", "ft", "feet", "foot", "yd", "yard", "yards", "mi",
        "mile", "miles", "units", "unit", "sq", "square", "degrees", "degree", "deg", "cents",
        "cent", "dollars", "dollar", "hours", "hour", "hrs", "hr", "minutes", "minute", "mins",
        "seconds", "second", "sec", "meters", "meter", "metres", "metre", "kg", "lb", "lbs",
        "pounds", "pound", "mph", "days", "day", "weeks", "week", "years", "year", "months",
        "month", "percent", "points", "point", "people", "students", "ways", "oz", "ounces",
        "gallons", "liters", "ml", "grams", "gram", "cups", "pages", "times", "cubic", "m",
        "radians", "rad",
    ]

    static func parse(_ tokensIn: [MathToken]) -> MathAnswer? {
        var tokens = tokensIn
        // Percent anywhere → flag (removed).
        var percent = false
        if tokens.contains(.command("percent")) {
            percent = true
            tokens.removeAll { $0 == .command("percent") }
        }
        tokens = handleText(tokens)
        if tokens.count == 1, case .text(let t) = tokens[0] { return .text(MathAnswer.textKey(t)) }
        if tokens.allSatisfy({ if case .text = $0 { return true }; if case .sym = $0 { return true }; return false }),
           tokens.contains(where: { if case .text = $0 { return true }; return false }) {
            return .text(MathAnswer.textKey(MathEquivalence.renderTokens(tokens[...])))
        }
        tokens = dropTrailingUnits(tokens)
        if tokens.isEmpty { return nil }
        return parseAnswer(tokens[...], percent: percent, depth: 0)
    }

    /// Drops `\text{unit}` (with a following `^2`) when the answer has math content; turns
    /// `\text{ and }` / `\text{or}` into list commas.
    static func handleText(_ tokens: [MathToken]) -> [MathToken] {
        let hasMath = tokens.contains { t in
            switch t {
            case .number, .ident, .command: return true
            default: return false
            }
        }
        guard hasMath else { return tokens }
        var out: [MathToken] = []
        var i = 0
        while i < tokens.count {
            if case .text(let t) = tokens[i] {
                let key = t.lowercased().trimmingCharacters(in: .whitespaces)
                if key == "and" || key == "or" || key == "," || key == ", and" {
                    out.append(.comma(tight: false))
                    i += 1
                    continue
                }
                i += 1
                // Unit exponent: \mbox{ inches}^2
                if i < tokens.count, tokens[i] == .sym("^") {
                    i += 1
                    if i < tokens.count, tokens[i] == .sym("{") {
                        while i < tokens.count && tokens[i] != .sym("}") { i += 1 }
                        i += 1
                    } else {
                        i += 1
                    }
                }
                continue
            }
            out.append(tokens[i])
            i += 1
        }
        return out
    }

    /// Drops a trailing unit word written without \text (`5 cm`, `12 inches^2`).
    static func dropTrailingUnits(_ tokens: [MathToken]) -> [MathToken] {
        var end = tokens.count
        // optional ^2 / ^3
        if end >= 2, tokens[end - 2] == .sym("^"), case .number = tokens[end - 1] { end -= 2 }
        var start = end
        while start > 0, case .ident(let s) = tokens[start - 1], s.count == 1 { start -= 1 }
        guard start < end, start > 0 else { return tokens }
        let word = tokens[start..<end].map { MathEquivalence.render($0) }.joined().lowercased()
        guard word.count >= 2, isUnitPhrase(word) else { return tokens }
        switch tokens[start - 1] {
        case .number, .sym(")"), .sym("}"): return Array(tokens[..<start])
        default: return tokens
        }
    }

    /// True when `word` is a concatenation of unit words ("squareinches", "cm").
    static func isUnitPhrase(_ word: String) -> Bool {
        var rest = Substring(word)
        var guardCount = 0
        while !rest.isEmpty && guardCount < 8 {
            guardCount += 1
            var matched = false
            for len in stride(from: min(rest.count, 8), through: 1, by: -1) {
                let suffix = String(rest.suffix(len))
                if (suffix.count >= 2 || rest.count == 1) && unitWords.contains(suffix) {
                    rest = rest.dropLast(len)
                    matched = true
                    break
                }
            }
            if !matched { return false }
        }
        return rest.isEmpty
    }

    static func isOpen(_ t: MathToken) -> Bool {
        switch t {
        case .sym("("), .sym("["), .sym("{"), .setOpen, .begin: return true
        default: return false
        }
    }

    static func isClose(_ t: MathToken) -> Bool {
        switch t {
        case .sym(")"), .sym("]"), .sym("}"), .setClose, .end: return true
        default: return false
        }
    }

    /// Splits at depth-0 tokens satisfying `sep`; returns parts and the separators.
    static func split(_ ts: ArraySlice<MathToken>, _ sep: (MathToken) -> Bool) -> ([ArraySlice<MathToken>], [MathToken]) {
        var parts: [ArraySlice<MathToken>] = []
        var seps: [MathToken] = []
        var depth = 0
        var start = ts.startIndex
        for i in ts.indices {
            let t = ts[i]
            if isOpen(t) { depth += 1 } else if isClose(t) { depth = max(0, depth - 1) } else if depth == 0 && sep(t) {
                parts.append(ts[start..<i])
                seps.append(t)
                start = i + 1
            }
        }
        parts.append(ts[start..<ts.endIndex])
        return (parts, seps)
    }

    /// Index of the token closing the group opened at `open` (any bracket kinds), or nil.
    static func matchingClose(_ ts: ArraySlice<MathToken>, _ open: Int) -> Int? {
        var depth = 0
        var i = open
        while i < ts.endIndex {
            if isOpen(ts[i]) { depth += 1 } else if isClose(ts[i]) {
                depth -= 1
                if depth == 0 { return i }
            }
            i += 1
        }
        return nil
    }

    /// `1,000` / `10,\!080` / `-1,234.5`: one number written with thousands separators.
    static func mergeThousands(_ parts: [ArraySlice<MathToken>], _ seps: [MathToken]) -> [MathToken]? {
        guard parts.count >= 2, seps.allSatisfy({ $0 == .comma(tight: true) }) else { return nil }
        var digits = ""
        var negative = false
        for (idx, p) in parts.enumerated() {
            var q = p
            if idx == 0, q.first == .sym("-") { negative = true; q = q.dropFirst() }
            guard q.count == 1, case .number(let s) = q.first! else { return nil }
            let intPart = s.split(separator: ".", omittingEmptySubsequences: false)[0]
            if idx == 0 {
                // `0,111` is a decimal comma (0.111), never the thousands of 111.
                guard (1...3).contains(intPart.count), !(intPart.hasPrefix("0")), !s.contains(".") || parts.count == 1 else { return nil }
            } else {
                guard intPart.count == 3, !s.contains(".") || idx == parts.count - 1 else { return nil }
            }
            digits += s
        }
        return (negative ? [.sym("-")] : []) + [.number(digits)]
    }

    /// `0,111` / `-0,5`: a number written with a decimal comma (a leading zero, one comma).
    static func decimalComma(_ parts: [ArraySlice<MathToken>], _ seps: [MathToken]) -> [MathToken]? {
        guard parts.count == 2, seps == [.comma(tight: true)] else { return nil }
        var head = parts[0]
        let negative = head.first == .sym("-")
        if negative { head = head.dropFirst() }
        guard head.count == 1, case .number("0") = head.first!, parts[1].count == 1, case .number(let frac) = parts[1].first!,
              !frac.contains(".") else { return nil }
        return (negative ? [.sym("-")] : []) + [.number("0." + frac)]
    }

    /// Expands `\pm` / `\mp` into the two signs (up to 3 occurrences).
    static func expandPlusMinus(_ ts: ArraySlice<MathToken>) -> [ArraySlice<MathToken>] {
        guard let i = ts.firstIndex(where: { $0 == .command("pm") || $0 == .command("mp") }) else { return [ts] }
        let isPM = ts[i] == .command("pm")
        var plus = Array(ts), minus = Array(ts)
        let k = i - ts.startIndex
        plus[k] = .sym(isPM ? "+" : "-")
        minus[k] = .sym(isPM ? "-" : "+")
        if ts.filter({ $0 == .command("pm") || $0 == .command("mp") }).count > 3 { return [ts] }
        return expandPlusMinus(plus[...]) + expandPlusMinus(minus[...])
    }

    static func parseAnswer(_ tsIn: ArraySlice<MathToken>, percent: Bool, depth: Int) -> MathAnswer? {
        if depth > 12 { return nil }
        var ts = tsIn
        // Strip enclosing braces "{...}".
        while ts.count >= 2, ts.first == .sym("{"), matchingClose(ts, ts.startIndex) == ts.endIndex - 1 {
            ts = ts.dropFirst().dropLast()
        }
        if ts.isEmpty { return nil }
        // `(\begin{pmatrix}..\end{pmatrix})`, `\left[\begin{array}{cc}..\end{array}\right]`: the matrix.
        if ts.count >= 4, ts.first == .sym("(") || ts.first == .sym("["), matchingClose(ts, ts.startIndex) == ts.endIndex - 1 {
            let inner = ts.dropFirst().dropLast()
            if case .begin? = inner.first, matchingClose(inner, inner.startIndex) == inner.endIndex - 1 { ts = inner }
        }
        // "x \in [a,b]" → "[a,b]"
        if let inIdx = ts.firstIndex(of: .command("in")), inIdx > ts.startIndex,
           ts[ts.startIndex..<inIdx].allSatisfy({ if case .ident = $0 { return true }; return false }) {
            ts = ts[(inIdx + 1)...]
            if ts.isEmpty { return nil }
        }
        // Unions.
        let (uParts, _) = split(ts) { $0 == .command("cup") }
        if uParts.count > 1 {
            guard let items = parseEach(uParts, percent: percent, depth: depth) else { return nil }
            return .union(items)
        }
        // Matrix environment.
        if case .begin(let env)? = ts.first, env.hasSuffix("matrix") || env == "array",
           case .end? = ts.last, matchingClose(ts, ts.startIndex) == ts.endIndex - 1 {
            var inner = ts.dropFirst().dropLast()
            if env == "array", inner.first == .sym("{"), let c = matchingClose(inner, inner.startIndex) {
                inner = inner[(c + 1)...]  // column spec
            }
            let (rows, _) = split(inner) { $0 == .rowSep }
            var matrix: [[MathAnswer]] = []
            for row in rows where !row.isEmpty {
                let (cells, _) = split(row) { $0 == .sym("&") }
                guard let r = parseEach(cells, percent: false, depth: depth) else { return nil }
                matrix.append(r)
            }
            return .matrix(matrix)
        }
        // Set braces \{ ... \}.
        if ts.first == .setOpen, ts.last == .setClose, matchingClose(ts, ts.startIndex) == ts.endIndex - 1 {
            let inner = ts.dropFirst().dropLast()
            if inner.isEmpty { return .list([]) }
            return parseList(inner, percent: percent, depth: depth, forceList: true)
        }
        // Outer bracket group: tuple / interval / parenthesized expression.
        if let first = ts.first, first == .sym("(") || first == .sym("["),
           let last = ts.last, last == .sym(")") || last == .sym("]"),
           matchingClose(ts, ts.startIndex) == ts.endIndex - 1 {
            let inner = ts.dropFirst().dropLast()
            // Inside brackets a comma always separates (`(12,102)` is an interval, not 12102).
            let (parts, _) = split(inner) { if case .comma = $0 { return true }; return false }
            if parts.count >= 2 {
                guard let items = parseEach(parts, percent: false, depth: depth) else { return nil }
                let o: Character = first == .sym("(") ? "(" : "["
                let c: Character = last == .sym(")") ? ")" : "]"
                return .bracket(open: o, close: c, items)
            }
        }
        // Bare comma list (or one number with thousands separators).
        let (parts, seps) = split(ts) { if case .comma = $0 { return true }; return false }
        if parts.count > 1 {
            if let merged = mergeThousands(parts, seps) ?? decimalComma(parts, seps) {
                return parseAnswer(merged[...], percent: percent, depth: depth + 1)
            }
            return parseList(ts, percent: percent, depth: depth, forceList: false)
        }
        // ± → two answers.
        let expanded = expandPlusMinus(ts)
        if expanded.count > 1 {
            guard let items = parseEach(expanded, percent: percent, depth: depth) else { return nil }
            return .list(items)
        }
        // Equations.
        let (eqParts, _) = split(ts) { $0 == .sym("=") }
        if eqParts.count > 1 {
            guard let lhsTokens = eqParts.first, let rhsTokens = eqParts.last,
                  !lhsTokens.isEmpty, !rhsTokens.isEmpty else { return nil }
            guard let rhs = MathExprParser.parse(Array(rhsTokens)) else {
                // "x = \text{...}" or "x = (1,2)": keep the right side's structure.
                if lhsTokens.count <= 3, let r = parseAnswer(rhsTokens, percent: percent, depth: depth + 1) { return r }
                return .raw(MathEquivalence.fallbackKey(MathEquivalence.renderTokens(ts)))
            }
            guard let lhs = MathExprParser.parse(Array(lhsTokens)) else {
                return .raw(MathEquivalence.fallbackKey(MathEquivalence.renderTokens(ts)))
            }
            var assignment: String? = nil
            if case .variable(let v) = lhs { assignment = v }
            // f(x) = ... is also an assignment-style left side.
            if lhsTokens.count == 4, case .ident(let f) = lhsTokens.first!, lhsTokens[lhsTokens.startIndex + 1] == .sym("("),
               lhsTokens.last == .sym(")") { assignment = f + "()" }
            return .equation(lhs: lhs, rhs: rhs, assignment: assignment)
        }
        // Inequalities and other relations: text comparison.
        if ts.contains(where: { $0 == .sym("<") || $0 == .sym(">") || $0 == .command("le") || $0 == .command("ge") || $0 == .command("ne") }) {
            return .raw(MathEquivalence.fallbackKey(MathEquivalence.renderTokens(ts)))
        }
        // Number with base subscript.
        if ts.count >= 3, case .number(let d)? = ts.first, !d.contains("."), ts[ts.startIndex + 1] == .sym("_") {
            let rest = ts.dropFirst(2)
            let base = rest.map { MathEquivalence.render($0) }.joined().replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "")
            if !base.isEmpty, base.allSatisfy({ $0.isNumber || $0.isLetter }) { return .based(digits: d, base: base) }
        }
        // Words without \text (Evelyn, east): 3+ letters only → text.
        if ts.count >= 3, ts.allSatisfy({ if case .ident(let s) = $0 { return s.count == 1 }; return false }) {
            return .text(MathAnswer.textKey(MathEquivalence.renderTokens(ts)))
        }
        if let e = MathExprParser.parse(Array(ts)) { return .expr(e, percent: percent) }
        return .raw(MathEquivalence.fallbackKey(MathEquivalence.renderTokens(ts)))
    }

    /// Each of `parts` read as an answer one level below `depth`, in order; nil when one cannot be read.
    static func parseEach(_ parts: [ArraySlice<MathToken>], percent: Bool, depth: Int) -> [MathAnswer]? {
        var items: [MathAnswer] = []
        for p in parts {
            guard let a = parseAnswer(p, percent: percent, depth: depth + 1) else { return nil }
            items.append(a)
        }
        return items
    }

    static func parseList(_ ts: ArraySlice<MathToken>, percent: Bool, depth: Int, forceList: Bool) -> MathAnswer? {
        let (parts, seps) = split(ts) { if case .comma = $0 { return true }; return false }
        if let merged = mergeThousands(parts, seps) {
            guard let a = parseAnswer(merged[...], percent: percent, depth: depth + 1) else { return nil }
            return forceList ? .list([a]) : a
        }
        var items: [MathAnswer] = []
        for p in parts where !p.isEmpty {
            guard let a = parseAnswer(p, percent: percent, depth: depth + 1) else { return nil }
            if case .list(let sub) = a, p.contains(.command("pm")) || p.contains(.command("mp")) {
                items.append(contentsOf: sub)  // {1±√5, -2} → three elements
            } else {
                items.append(a)
            }
        }
        return .list(items)
    }
}
