import MathAnswers
import TTSBench
import TTSSuite
import TTSCore
import Foundation
import Testing

// Agreement between `MathEquivalence.equivalent` and HuggingFace math-verify (PyPI `math-verify`)
// on pairs built from MATH-500 reference answers and perturbations of them.
//
// GOLD SIDE: math-verify's `verify(gold, answer)` is asymmetric. The MATH-500 reference answer is
// always `gold` (and the `reference` argument of `MathEquivalence.equivalent(candidate, reference)`);
// the perturbed string is always the `answer`/candidate.
//
// Needs: ../shared/datasets/math500.jsonl beside the repository (or $TTSBENCH_DATASETS) and the
// venv made by `.ci/install-mathverify.sh` (/opt/ttsbench-mathverify-venv or $MATHVERIFY_VENV).
// When either is missing the test is reported as skipped with the reason, unless
// TTSBENCH_REQUIRE_INPUTS=1 (CI), where it runs and fails.

private struct Pair {
    var gold: String
    var answer: String
    var kind: String
}



// MARK: - Perturbations

/// Simple numeric fraction `\frac{a}{b}` (optionally negative) → (sign, a, b).
private func simpleFraction(_ s: String) -> (Bool, Int, Int)? {
    var t = s.replacingOccurrences(of: "\\dfrac", with: "\\frac")
    var neg = false
    if t.hasPrefix("-") { neg = true; t.removeFirst() }
    guard t.hasPrefix("\\frac{"), t.hasSuffix("}") else { return nil }
    let body = t.dropFirst(6).dropLast()
    let parts = body.components(separatedBy: "}{")
    guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]), b != 0 else { return nil }
    return (neg, a, b)
}

/// Exact terminating decimal for a/b when b = 2^i 5^j, else nil.
private func terminatingDecimal(_ a: Int, _ b: Int) -> String? {
    var d = b, twos = 0, fives = 0
    while d % 2 == 0 { d /= 2; twos += 1 }
    while d % 5 == 0 { d /= 5; fives += 1 }
    guard d == 1 else { return nil }
    let places = max(twos, fives)
    guard places <= 8 else { return nil }
    var scale = 1
    for _ in 0..<places { scale *= 10 }
    let num = a * (scale / b)
    let whole = num / scale, frac = num % scale
    if places == 0 { return String(whole) }
    var fs = String(frac)
    while fs.count < places { fs = "0" + fs }
    return "\(whole).\(fs)"
}

/// Removes spaces except between two letters (keeps `\cot x` intact).
private func squeezeSpaces(_ s: String) -> String {
    let c = Array(s)
    var out = ""
    for (i, ch) in c.enumerated() {
        if ch == " " {
            let prev = i > 0 ? c[i - 1] : " ", next = i + 1 < c.count ? c[i + 1] : " "
            if prev.isLetter && next.isLetter { out.append(ch) }
            continue
        }
        out.append(ch)
    }
    return out
}

/// Adds spaces after commas and around + and =.
private func spaceOut(_ s: String) -> String {
    var out = ""
    for ch in s {
        switch ch {
        case ",": out += ", "
        case "+": out += " + "
        case "=": out += " = "
        default: out.append(ch)
        }
    }
    return out.replacingOccurrences(of: ",  ", with: ", ").replacingOccurrences(of: "\\!, ", with: "\\!,")
}

/// Changes the first number of the string (n → n+1; decimals: +1 on the integer part).
private func changeFirstNumber(_ s: String) -> String? {
    let c = Array(s)
    var i = 0
    while i < c.count {
        if c[i] == "\\" {  // skip command names
            i += 1
            while i < c.count && c[i].isLetter { i += 1 }
            continue
        }
        if c[i].isNumber {
            var j = i
            while j < c.count && c[j].isNumber { j += 1 }
            guard let v = Int(String(c[i..<j])), String(c[i..<j]).count < 15 else { return nil }
            // Keep digit-only tokens inside \frac12-style arguments sensible: change whole run.
            return String(c[..<i]) + String(v + 1) + String(c[j...])
        }
        i += 1
    }
    return nil
}

private func isPlainInteger(_ s: String) -> Bool {
    var t = Substring(s)
    if t.hasPrefix("-") { t = t.dropFirst() }
    return !t.isEmpty && t.allSatisfy { $0.isNumber }
}

/// `\frac{3}{4}` → `\frac34`, `\sqrt{2}` → `\sqrt2` when the arguments are single digits.
private func unbraceSingleDigitArguments(_ s: String) -> String {
    var c = Array(s)
    var i = 0
    var out = ""
    while i < c.count {
        if c[i] == "{", i + 2 < c.count, c[i + 1].isNumber, c[i + 2] == "}", i > 0 {
            // previous command must be \frac/\sqrt or an argument of \frac
            let before = String(c[max(0, i - 5)..<i])
            if before.hasSuffix("\\frac") || before.hasSuffix("\\sqrt") || (before.hasSuffix("}") && out.hasSuffix(String(c[i - 1])) && lastWasFracArg(out)) {
                out.append(c[i + 1])
                i += 3
                continue
            }
        }
        out.append(c[i])
        i += 1
    }
    c = []
    return out
}

private func lastWasFracArg(_ out: String) -> Bool {
    // "\frac{3}" pattern just emitted (braced first argument of \frac).
    let t = Array(out)
    guard t.count >= 8, t[t.count - 1] == "}", t[t.count - 3] == "{" else { return false }
    return String(t[(t.count - 8)..<(t.count - 3)]) == "\\frac"
}

/// Removes `\text{ unit}` / `\mbox{ unit}` (and a following `^2`) when there is math before it.
private func dropTextUnits(_ s: String) -> String? {
    for cmd in ["\\text{", "\\mbox{"] {
        guard let r = s.range(of: cmd), r.lowerBound != s.startIndex else { continue }
        guard let close = s[r.upperBound...].firstIndex(of: "}") else { return nil }
        var rest = s[s.index(after: close)...]
        if rest.hasPrefix("^2") || rest.hasPrefix("^3") { rest = rest.dropFirst(2) }
        return (String(s[..<r.lowerBound]) + rest).trimmingCharacters(in: .whitespaces)
    }
    return nil
}

/// `k\sqrt{m}` / `k \sqrt{m}` with integers → (k, m).
private func coefficientTimesSqrt(_ s: String) -> (Int, Int)? {
    let t = s.replacingOccurrences(of: " ", with: "")
    guard let r = t.range(of: "\\sqrt{"), t.hasSuffix("}") else { return nil }
    guard let k = Int(t[..<r.lowerBound]), let m = Int(t[r.upperBound...].dropLast()), k > 0, m > 0, k < 1000 else { return nil }
    return (k, m)
}

/// `a + b` (two top-level terms, no other top-level + or -) → `b + a`; `a - b` → `-b + a`.
private func swapTwoTerms(_ s: String) -> String? {
    if s.contains(",") || s.contains("=") || s.contains("\\pm") || s.hasPrefix("-") || s.contains("\\text") { return nil }
    var depth = 0
    var ops: [(String.Index, Character)] = []
    var prev: Character = " "
    for i in s.indices {
        let ch = s[i]
        if ch == "{" || ch == "(" || ch == "[" { depth += 1 }
        if ch == "}" || ch == ")" || ch == "]" { depth -= 1 }
        if depth == 0 && (ch == "+" || ch == "-") && prev != "^" && prev != "e" { ops.append((i, ch)) }
        if !ch.isWhitespace { prev = ch }
    }
    guard ops.count == 1 else { return nil }
    let (i, op) = ops[0]
    let a = s[..<i].trimmingCharacters(in: .whitespaces)
    let b = s[s.index(after: i)...].trimmingCharacters(in: .whitespaces)
    guard !a.isEmpty, !b.isEmpty else { return nil }
    return op == "+" ? "\(b) + \(a)" : "-\(b) + \(a)"
}

private func buildPairs(_ answers: [String]) -> [Pair] {
    var pairs: [Pair] = []
    var rng = TestRNG(seed: 500)
    for (idx, g) in answers.enumerated() {
        // --- equivalent rewritings ---
        pairs.append(Pair(gold: g, answer: "\\boxed{\(g)}", kind: "boxed"))
        let squeezed = squeezeSpaces(g)
        if squeezed != g { pairs.append(Pair(gold: g, answer: squeezed, kind: "spacing-removed")) }
        let spaced = spaceOut(g)
        if spaced != g { pairs.append(Pair(gold: g, answer: spaced, kind: "spacing-added")) }
        if g.contains("\\dfrac") {
            pairs.append(Pair(gold: g, answer: g.replacingOccurrences(of: "\\dfrac", with: "\\frac"), kind: "dfrac->frac"))
        } else if g.contains("\\frac") {
            pairs.append(Pair(gold: g, answer: g.replacingOccurrences(of: "\\frac", with: "\\dfrac"), kind: "frac->dfrac"))
        }
        let simple = !g.contains(",") && !g.contains("=") && !g.contains("\\text") && !g.contains("\\mbox")
            && !g.contains("\\begin") && !g.contains("\\cup") && !g.contains("\\pm") && !g.contains("_")
            && !g.hasPrefix("(") && !g.hasPrefix("[") && !g.contains("\\$") && !g.contains("^\\circ")
            && !g.contains("\\{")
        if simple && !g.contains("x") {
            pairs.append(Pair(gold: g, answer: "x = \(g)", kind: "x= prefix"))
        }
        if let (neg, a, b) = simpleFraction(g) {
            if let dec = terminatingDecimal(a, b) {
                pairs.append(Pair(gold: g, answer: (neg ? "-" : "") + dec, kind: "fraction->decimal"))
            }
            pairs.append(Pair(gold: g, answer: (neg ? "-" : "") + "\(a)/\(b)", kind: "frac->slash"))
            // Unequal: numerator and denominator swapped.
            if a != b { pairs.append(Pair(gold: g, answer: (neg ? "-" : "") + "\\frac{\(b)}{\(a)}", kind: "NEQ reciprocal")) }
        }
        if isPlainInteger(g) {
            pairs.append(Pair(gold: g, answer: g + ".0", kind: "integer->decimal"))
            if let v = Int(g), abs(v) >= 1000 {
                var digits = String(abs(v)), grouped = ""
                while digits.count > 3 { grouped = "," + digits.suffix(3) + grouped; digits.removeLast(3) }
                pairs.append(Pair(gold: g, answer: (v < 0 ? "-" : "") + digits + grouped, kind: "thousands separators"))
            }
        }
        // Reordered bare lists / sets: reverse top-level elements.
        if !g.hasPrefix("(") && !g.hasPrefix("[") && !g.contains("\\begin") && !g.contains("\\cup")
            && g.contains(",") && !g.contains(",\\!") && !g.contains("=") {
            var inner = g
            var open = "", close = ""
            if g.hasPrefix("\\{") && g.hasSuffix("\\}") { inner = String(g.dropFirst(2).dropLast(2)); open = "\\{"; close = "\\}" }
            let elems = inner.components(separatedBy: ",")
            if elems.count >= 2 {
                pairs.append(Pair(gold: g, answer: open + elems.reversed().map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ") + close, kind: "reordered set"))
            }
        }
        // \left( \right) added to tuples / intervals.
        if (g.hasPrefix("(") || g.hasPrefix("[")) && !g.contains("\\cup") && !g.contains("\\left") {
            let o = String(g.first!), c = String(g.last!)
            pairs.append(Pair(gold: g, answer: "\\left" + o + " " + String(g.dropFirst().dropLast()) + " \\right" + c, kind: "left/right"))
        }
        if g.contains("\\cup") {
            let parts = g.components(separatedBy: "\\cup").map { $0.trimmingCharacters(in: .whitespaces) }
            pairs.append(Pair(gold: g, answer: parts.reversed().joined(separator: " \\cup "), kind: "reordered union"))
        }
        // Unbraced LaTeX arguments: \frac{3}{4} → \frac34, \sqrt{2} → \sqrt2.
        let unbraced = unbraceSingleDigitArguments(g)
        if unbraced != g { pairs.append(Pair(gold: g, answer: unbraced, kind: "unbraced arguments")) }
        if g.contains("^\\circ") {
            pairs.append(Pair(gold: g, answer: g.replacingOccurrences(of: "^\\circ", with: ""), kind: "degrees dropped"))
            pairs.append(Pair(gold: g, answer: g.replacingOccurrences(of: "^\\circ", with: "^{\\circ}"), kind: "degrees braced"))
        }
        if g.hasPrefix("\\text{"), g.hasSuffix("}"), g.filter({ $0 == "{" }).count == 1 {
            pairs.append(Pair(gold: g, answer: String(g.dropFirst(6).dropLast()), kind: "text unwrapped"))
        }
        if let stripped = dropTextUnits(g), stripped != g {
            pairs.append(Pair(gold: g, answer: stripped, kind: "units dropped"))
        }
        if g.contains("\\$") {
            pairs.append(Pair(gold: g, answer: g.replacingOccurrences(of: "\\$", with: ""), kind: "currency dropped"))
        }
        if let r = g.range(of: "_"), !g.contains("_{"), g[..<r.lowerBound].allSatisfy({ $0.isNumber }) {
            let base = g[r.upperBound...]
            pairs.append(Pair(gold: g, answer: g[..<r.lowerBound] + "_{" + base + "}", kind: "base subscript braced"))
            if let b = Int(base) { pairs.append(Pair(gold: g, answer: g[..<r.lowerBound] + "_" + String(b + 1), kind: "NEQ other base")) }
        }
        if let (k, m) = coefficientTimesSqrt(g) {
            pairs.append(Pair(gold: g, answer: "\\sqrt{\(k * k * m)}", kind: "symbolic k*sqrt(m) -> sqrt(k^2 m)"))
            pairs.append(Pair(gold: g, answer: "\\sqrt{\(k * k * m + 1)}", kind: "NEQ sqrt(k^2 m + 1)"))
        }
        if g == "\\frac{\\sqrt{3}}{3}" {
            pairs.append(Pair(gold: g, answer: "\\frac{1}{\\sqrt{3}}", kind: "symbolic rationalized"))
            pairs.append(Pair(gold: g, answer: "\\sqrt{3}/3", kind: "symbolic slash"))
        }
        if let swapped = swapTwoTerms(g) {
            pairs.append(Pair(gold: g, answer: swapped, kind: "swapped sum terms"))
        }
        if isPlainInteger(g), let v = Int(g), v != 0, abs(v) >= 1000, v % 100 == 0 {
            var mant = Double(abs(v)), e = 0
            while mant >= 10 { mant /= 10; e += 1 }
            var ms = String(mant)
            if ms.hasSuffix(".0") { ms.removeLast(2) }
            pairs.append(Pair(gold: g, answer: (v < 0 ? "-" : "") + "\(ms) \\times 10^{\(e)}", kind: "scientific notation"))
        }
        if g.hasPrefix("("), g.hasSuffix(")"), !g.contains("\\cup"), !g.contains("\\infty") {
            let elems = String(g.dropFirst().dropLast()).components(separatedBy: ",")
            if elems.count >= 2, Set(elems.map { $0.trimmingCharacters(in: .whitespaces) }).count == elems.count, !g.contains("\\frac") {
                pairs.append(Pair(gold: g, answer: "(" + elems.reversed().joined(separator: ",") + ")", kind: "NEQ reversed tuple"))
            }
        }
        // --- non-equivalent perturbations ---
        if let changed = changeFirstNumber(g), changed != g {
            pairs.append(Pair(gold: g, answer: changed, kind: "NEQ changed number"))
        }
        // Swapped interval ends (open ↔ closed) when the gold is an interval-like group.
        if let f = g.first, let l = g.last, (f == "(" || f == "["), (l == ")" || l == "]"), !g.contains("\\cup") {
            let nf: Character = f == "(" ? "[" : "("
            let nl: Character = l == ")" ? "]" : ")"
            if g.contains("\\infty") {
                // keep the infinite end open
                if g.contains("-\\infty") { pairs.append(Pair(gold: g, answer: String(f) + g.dropFirst().dropLast() + String(nl), kind: "NEQ swapped interval end")) }
                else { pairs.append(Pair(gold: g, answer: String(nf) + g.dropFirst().dropLast() + String(l), kind: "NEQ swapped interval end")) }
            } else {
                pairs.append(Pair(gold: g, answer: String(nf) + g.dropFirst().dropLast() + String(nl), kind: "NEQ swapped interval ends"))
            }
        }
        // Dropped sign.
        if g.hasPrefix("-") {
            pairs.append(Pair(gold: g, answer: String(g.dropFirst()), kind: "NEQ dropped sign"))
        } else if let r = g.range(of: ",-") {
            pairs.append(Pair(gold: g, answer: g.replacingCharacters(in: r, with: ","), kind: "NEQ dropped sign"))
        } else if let r = g.range(of: ", -") {
            pairs.append(Pair(gold: g, answer: g.replacingCharacters(in: r, with: ", "), kind: "NEQ dropped sign"))
        } else if simple, g != "0" {
            pairs.append(Pair(gold: g, answer: "-" + g, kind: "NEQ added sign"))
        }
        // Another problem's answer (usually different; sometimes equal — both verdicts count).
        let other = answers[(idx + 1 + rng.int(answers.count - 1)) % answers.count]
        pairs.append(Pair(gold: g, answer: other, kind: "other problem's answer"))
    }
    return pairs
}

// MARK: - Test

@Suite struct MathVerifyAgreementTests {
    @Test(needsDataset("math500.jsonl"),
          .enabled(if: MathVerify.present || requireInputs, Comment(rawValue: MathVerify.absentReason)))
    func mathEquivalenceAgreesWithMathVerify() throws {
        let dataset = URL(fileURLWithPath: try requireDataset("math500.jsonl"))
        try #require(MathVerify.present, Comment(rawValue: MathVerify.requiredButAbsent))
        let script = MathVerify.scriptPath("verify_pairs.py")
        #expect(FileManager.default.fileExists(atPath: script), "missing \(script)")

        let text = try String(contentsOf: dataset, encoding: .utf8)
        var answers: [String] = []
        for line in text.split(separator: "\n") where !line.isEmpty {
            let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            if let a = obj?["answer"] as? String { answers.append(a) }
        }
        #expect(answers.count == 500)
        let pairs = buildPairs(answers)
        #expect(pairs.count >= 2000, "only \(pairs.count) pairs")

        // Write pairs, run math-verify.
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("mv-pairs-\(getpid()).jsonl")
        defer { try? FileManager.default.removeItem(at: tmp) }
        var jsonl = ""
        for p in pairs {
            let d = try JSONSerialization.data(withJSONObject: ["gold": p.gold, "answer": p.answer])
            jsonl += String(decoding: d, as: UTF8.self) + "\n"
        }
        try jsonl.write(to: tmp, atomically: true, encoding: .utf8)
        let (status, data) = try MathVerify.run("verify_pairs.py", [tmp.path])
        #expect(status == 0)
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        try #require(lines.count == pairs.count, "math-verify printed \(lines.count) verdicts for \(pairs.count) pairs")

        var agree = 0
        var disagreements: [String] = []
        var byKind: [String: (Int, Int)] = [:]
        for (p, line) in zip(pairs, lines) {
            let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            let mv = (obj?["verdict"] as? Bool) ?? false
            let verdict = MathEquivalence.check(p.answer, p.gold)
            var k = byKind[p.kind] ?? (0, 0)
            k.1 += 1
            if verdict.equivalent == mv {
                agree += 1
                k.0 += 1
            } else {
                disagreements.append("  [\(p.kind)] gold=\(p.gold)  answer=\(p.answer)  math-verify=\(mv)  ours=\(verdict.equivalent) (\(verdict.reason))")
            }
            byKind[p.kind] = k
        }
        let rate = Double(agree) / Double(pairs.count)
        print("math-verify agreement: \(agree)/\(pairs.count) = \(String(format: "%.2f", rate * 100))% (gold = MATH-500 reference answer)")
        for (kind, (a, t)) in byKind.sorted(by: { $0.key < $1.key }) { print("  \(kind): \(a)/\(t)") }
        print("disagreements (\(disagreements.count)):")
        for d in disagreements { print(d) }
        #expect(rate >= 0.99, "agreement with math-verify \(rate) < 0.99")
    }
}
