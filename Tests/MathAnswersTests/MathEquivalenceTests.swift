import MathAnswers
import Foundation
import Testing

// Unit tests for MathEquivalence. Pairs are (candidate, reference).

private func eq(_ c: String, _ r: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let v = MathEquivalence.check(c, r)
    #expect(v.equivalent, "expected \(c) ≡ \(r): \(v.reason)", sourceLocation: sourceLocation)
}

private func ne(_ c: String, _ r: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let v = MathEquivalence.check(c, r)
    #expect(!v.equivalent, "expected \(c) ≢ \(r)", sourceLocation: sourceLocation)
}

@Suite struct MathEquivalenceTests {
    @Test func lastBoxedHandlesNestingAndVariants() {
        #expect(MathEquivalence.lastBoxed(in: "so \\boxed{\\frac{1}{2}} and \\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}.")
                == "\\left( 3, \\frac{\\pi}{2} \\right)")
        #expect(MathEquivalence.lastBoxed(in: "\\fbox{42}") == "42")
        #expect(MathEquivalence.lastBoxed(in: "\\boxed{a{b{c}}d}") == "a{b{c}}d")
        #expect(MathEquivalence.lastBoxed(in: "$\\boxed 7$") == "7")
        #expect(MathEquivalence.lastBoxed(in: "no box here") == nil)
        #expect(MathEquivalence.lastBoxed(in: "\\boxed{unclosed") == "unclosed")
    }

    @Test func extractAnswerFallbacks() {
        #expect(MathEquivalence.extractAnswer(from: "Thus \\boxed{10,\\!080}.") == "10,\\!080")
        #expect(MathEquivalence.extractAnswer(from: "... so the answer is $\\frac{3}{4}$.\nDone") == "\\frac{3}{4}")
        #expect(MathEquivalence.extractAnswer(from: "Work...\nAnswer: 17") == "17")
        #expect(MathEquivalence.extractAnswer(from: "We get 3 apples, then 1,234 pears.") == "1234")
        #expect(MathEquivalence.extractAnswer(from: "x was -2.5 in the end") == "-2.5")
        #expect(MathEquivalence.extractAnswer(from: "nothing numeric") == nil)
    }

    @Test func fractionsAndRadicals() {
        eq("\\dfrac{17}{50}", "\\frac{17}{50}")
        eq("\\tfrac{3}{4}", "\\frac34")
        eq("\\frac{270}{7}", "\\frac{270}7\\text{ degrees}")
        eq("0.34", "\\dfrac{17}{50}")
        eq("17/50", "\\dfrac{17}{50}")
        eq("\\sqrt{3}/2", "\\frac{\\sqrt{3}}{2}")
        eq("\\sqrt{8}", "2\\sqrt{2}")
        eq("\\frac{1}{\\sqrt3}", "\\frac{\\sqrt{3}}{3}")
        eq("11\\sqrt{2}", "11\\sqrt2")
        eq("\\frac{9}{5}", "1\\frac{4}{5}")
        eq("137.5", "137 \\frac{1}{2}")
        eq("\\frac{5\\pi^2}{4}", "\\frac{5 \\pi^2}{4}")
        eq("\\sqrt[3]{8}", "2")
        ne("\\frac{4}{5}", "1\\frac{4}{5}")
        ne("\\frac{3}{4}", "\\frac{4}{3}")
        ne("\\sqrt{51}", "\\sqrt{52}")
        ne("\\pi", "3.14159")
    }

    @Test func decimalsTolerancesAndScientific() {
        eq("10", "10.0")
        eq("10.", "10")
        eq("0.0000672", ".0000672")
        ne("0.0000671", ".0000672")
        eq("0.333333", "\\frac{1}{3}")   // ≥ 6 decimals: correctly rounded value accepted
        ne("0.3333", "\\frac{1}{3}")
        eq("1.5 \\times 10^{3}", "1500")
        eq("1.5e3", "1500")
        eq("6.72\\cdot10^{-5}", ".0000672")
    }

    @Test func thousandsSeparatorsCurrencyPercentDegreesUnits() {
        eq("10080", "10,\\!080")
        eq("11111111100", "11,\\! 111,\\! 111,\\! 100")
        eq("32348", "\\$32,\\!348")
        eq("\\$32,348", "\\$32,\\!348")
        eq("58500", "58,500")
        eq("1,000", "1000")
        ne("1, 000", "1000")         // with a space it is a list
        ne("-2,1", "21")
        eq("90", "90^\\circ")
        eq("90^{\\circ}", "90^\\circ")
        eq("90\\degree", "90^\\circ")
        eq("864", "864 \\mbox{ inches}^2")
        eq("15", "15\\mbox{ cm}^2")
        eq("5.4", "5.4 \\text{ cents}")
        eq("18.90", "\\$18.90")
        eq("864 square inches", "864 \\mbox{ inches}^2")
        eq("50\\%", "50")
        eq("50\\%", "0.5")
        ne("51\\%", "50")
    }

    @Test func listsSetsTuplesIntervals() {
        eq("-2, 1", "1,-2")
        eq("\\{1,-2\\}", "1,-2")
        eq("7, 5, 3", "3, 5, 7")
        ne("1, 2", "1,-2")
        eq("(15, -29)", "(15,-29)")
        ne("(-29,15)", "(15,-29)")
        eq("\\left( 3, \\frac{\\pi}{2} \\right)", "(3,\\frac{\\pi}{2})")
        eq("(3,4]", "(3,4]")
        ne("[3,4]", "(3,4]")
        ne("(3,4)", "(3,4]")
        eq("\\left(\\frac{3}{5},\\frac{8}{3}\\right]", "(0.6, \\frac83]")
        eq("(2,\\infty)", "(2, \\infty)")
        ne("[2,\\infty)", "(2,\\infty)")
        eq("(9,36) \\cup (0,9)", "(0,9) \\cup (9,36)")
        ne("(0,9] \\cup (9,36)", "(0,9) \\cup (9,36)")
        ne("(0,36)", "(0,9) \\cup (9,36)")
        eq("[-2,7]", "x \\in [-2,7]")
        eq("(-\\infty, 2) \\cup (3, \\infty)", "(-\\infty,2)\\cup(3,\\infty)")
        eq("1+\\sqrt{19}, 1-\\sqrt{19}", "1 \\pm \\sqrt{19}")
        eq("-2, 1+\\sqrt5, 1-\\sqrt5", "\\{1\\pm\\sqrt{5},-2\\}")
        ne("1+\\sqrt{19}", "1 \\pm \\sqrt{19}")
        eq("6, 31, -1", "(6,31,-1)")       // a bare list written for a tuple, same order
        eq("[6,31,-1]", "(6,31,-1)")       // not an interval: three entries
    }

    @Test func matrices() {
        eq("\\begin{pmatrix} -\\frac13 \\\\ \\frac23 \\\\ \\frac53 \\end{pmatrix}",
           "\\begin{pmatrix} -1/3 \\\\ 2/3 \\\\ 5/3 \\end{pmatrix}")
        eq("\\begin{bmatrix} -1 & 0 \\\\ 0 & -1 \\end{bmatrix}", "\\begin{pmatrix} -1 & 0 \\\\ 0 & -1 \\end{pmatrix}")
        ne("\\begin{pmatrix} -1 & 0 \\\\ 0 & 1 \\end{pmatrix}", "\\begin{pmatrix} -1 & 0 \\\\ 0 & -1 \\end{pmatrix}")
        ne("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\begin{pmatrix} 1 & 2 \\end{pmatrix}")
    }

    @Test func equationsVariablesAndText() {
        eq("5", "x=5")
        eq("x = 5", "5")
        ne("y = 6", "x=5")
        eq("2x + 3", "y = 2x + 3")
        eq("y=3+2x", "y = 2x + 3")
        eq("-5x + 7y - 11z - 4 = 0", "5x - 7y + 11z + 4 = 0")
        eq("10x - 14y + 22z + 8 = 0", "5x - 7y + 11z + 4 = 0")
        ne("5x - 7y + 11z - 4 = 0", "5x - 7y + 11z + 4 = 0")
        eq("ab+2a+5b+10", "(a+5)(b+2)")
        eq("-q + p", "p - q")
        eq("x^5-x^4+x^3-x^2+x-1", "x^5 - x^4 + x^3 - x^2 + x - 1")
        ne("x^5-x^4+x^3-x^2+x+1", "x^5 - x^4 + x^3 - x^2 + x - 1")
        eq("\\frac{\\cos x}{\\sin x}", "\\cot x")
        eq("2(k+1)", "2k+2")
        eq("9i+6", "6+9i")
        ne("6-9i", "6+9i")
        eq("Evelyn", "\\text{Evelyn}")
        eq("\\text{evelyn}", "\\text{Evelyn}")
        eq("C", "\\text{(C)}")
        eq("(C)", "\\text{(C)}")
        ne("\\text{(B)}", "\\text{(C)}")
        eq("\\text{ellipse}", "\\text{ellipse}")
        ne("\\text{even}", "\\text{odd}")
    }

    @Test func baseSubscripts() {
        eq("2516_{8}", "2516_8")
        eq("2516", "2516_8")
        ne("2516_9", "2516_8")
        ne("1358", "2516_8")   // the decimal value is a different answer
        eq("4210_5", "4210_{5}")
    }

    @Test func normalizeGroupsEquivalentAnswers() {
        let n = MathEquivalence.normalize
        #expect(n("\\frac{1}{2}") == n("0.5"))
        #expect(n("\\dfrac12") == n("1/2"))
        #expect(n("x = 3") == n("3"))
        #expect(n("10,\\!080") == n("10080"))
        #expect(n("1,-2") == n("-2, 1"))
        #expect(n("\\boxed{90^\\circ}") == n("90"))
        #expect(n("2k+2") == n("2(k+1)"))
        #expect(n("\\text{Evelyn}") == n("\\text{evelyn}"))
        #expect(n("(3,4]") != n("(3,4)"))
        #expect(n("3") != n("4"))
        #expect(n("1,000") != n("1, 000"))
    }

    @Test func hostileInputsAreSafe() {
        let long = String(repeating: "1+", count: 6000) + "1"
        #expect(!MathEquivalence.equivalent(long, long))              // > 10k chars: rejected
        _ = MathEquivalence.normalize(long)
        let deep = String(repeating: "(", count: 3000) + "1" + String(repeating: ")", count: 3000)
        #expect(!MathEquivalence.equivalent(deep, "2"))
        _ = MathEquivalence.normalize(deep)
        let deepBraces = String(repeating: "\\frac{", count: 2000) + "1" + String(repeating: "}{2}", count: 2000)
        _ = MathEquivalence.check(deepBraces, "0")
        let deepBox = String(repeating: "\\boxed{", count: 1200) + "7" + String(repeating: "}", count: 1200)
        #expect(MathEquivalence.equivalent(deepBox, "7"))
        let hugeCompletion = String(repeating: "\\boxed{", count: 50_000) + "7"
        #expect(MathEquivalence.extractAnswer(from: hugeCompletion) == "7")  // linear, unclosed → rest
        let powers = "10^{10^{10^{10}}}"
        #expect(!MathEquivalence.equivalent(powers, "10^{10^{10^{11}}}"))
        for junk in ["", "}", "{", "\\", "\\frac", "\\sqrt", "((", "]]", "^^^", "\\begin{pmatrix}", "\\left(", "1/0",
                     "$$", "\\boxed{", "_", "\\text{", ",,,", "0^{-1}", String(repeating: "\\pm", count: 50),
                     String(repeating: "a", count: 9000), String(repeating: "1,", count: 4000)] {
            _ = MathEquivalence.check(junk, junk)
            _ = MathEquivalence.check(junk, "1")
            _ = MathEquivalence.normalize(junk)
            _ = MathEquivalence.extractAnswer(from: junk)
        }
        #expect(!MathEquivalence.equivalent("", ""))
        #expect(!MathEquivalence.equivalent("1/0", "2/0"))
    }
}
