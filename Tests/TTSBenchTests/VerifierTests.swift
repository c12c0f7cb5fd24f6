@testable import TTSBench
@testable import TTSRuntime
@testable import TTSSuite
@testable import TTSCore
import Foundation
import Testing
@testable import TTSSeams
@testable import TTSStrategies
@testable import TTSVerifiers

private let item42 = TaskItem(id: "q", question: "?", answer: "42")

private func verdict(_ v: any Verifier, _ answer: String?, _ reference: String) async throws -> Bool {
    try await v.verify(Candidate(text: answer.map { "so \\boxed{\($0)}" } ?? "no idea", answer: answer),
                       item: TaskItem(id: "q", question: "?", answer: reference)).correct ?? false
}

struct MathCase: Sendable, CustomTestStringConvertible {
    var candidate: String
    var reference: String
    var equal: Bool
    var testDescription: String { "\(candidate) \(equal ? "≡" : "≢") \(reference)" }
}

private let mathCases: [MathCase] = [
    .init(candidate: "42", reference: "42", equal: true),
    .init(candidate: "$42$", reference: "42", equal: true),
    .init(candidate: " 42 ", reference: "42", equal: true),
    .init(candidate: "42.0", reference: "42", equal: true),
    .init(candidate: "42", reference: "42.0", equal: true),
    .init(candidate: "\\dfrac{1}{2}", reference: "\\frac{1}{2}", equal: true),
    .init(candidate: "\\tfrac{3}{4}", reference: "\\frac{3}{4}", equal: true),
    .init(candidate: "\\frac{ 3 }{ 4 }", reference: "\\frac{3}{4}", equal: true),
    .init(candidate: "\\frac{1}{2}", reference: "0.5", equal: true),
    .init(candidate: "$\\frac{\\sqrt{3}}{2}$", reference: "\\frac{\\sqrt{3}}{2}", equal: true),
    .init(candidate: "\\left( 1, 2 \\right)", reference: "(1,2)", equal: true),
    .init(candidate: "x + 1", reference: "x+1", equal: true),
    .init(candidate: "-7", reference: "-7", equal: true),
    .init(candidate: "43", reference: "42", equal: false),
    .init(candidate: "4.2", reference: "42", equal: false),
    .init(candidate: "-42", reference: "42", equal: false),
    .init(candidate: "\\frac{1}{3}", reference: "\\frac{1}{2}", equal: false),
    .init(candidate: "\\frac{2}{1}", reference: "\\frac{1}{2}", equal: false),
    .init(candidate: "(1,2)", reference: "(2,1)", equal: false),
    // The gaps math-verify's own tests showed (issue 13): labelled answers, relations, decimal
    // commas, "and"/"or" lists, \text{e}, percent words.
    .init(candidate: "(p,q)=(3,2)", reference: "(3,2)", equal: true),
    .init(candidate: "|AB|=1", reference: "1", equal: true),
    .init(candidate: "AB=4, CD=5", reference: "4,5", equal: true),
    .init(candidate: "AB=4, CD=6", reference: "4,5", equal: false),
    .init(candidate: "5 \\geq x", reference: "x \\leq 5", equal: true),
    .init(candidate: "3 > x", reference: "x < 3", equal: true),
    .init(candidate: "x > 3", reference: "x < 3", equal: false),
    .init(candidate: "x \\le 5", reference: "x < 5", equal: false),
    .init(candidate: "0,111", reference: "0.111", equal: true),
    .init(candidate: "0,111", reference: "111", equal: false),
    .init(candidate: "1,000", reference: "1000", equal: true),
    .init(candidate: "1 and 2", reference: "1,2", equal: true),
    .init(candidate: "1 or 2", reference: "2,1", equal: true),
    .init(candidate: "\\text{e}", reference: "e", equal: true),
    .init(candidate: "50 percent", reference: "0.5", equal: true),
    .init(candidate: "50 percent", reference: "50\\%", equal: true),
    .init(candidate: "40 percent", reference: "50\\%", equal: false),
]

@Suite struct VerifierTests {
    @Test("math verifier: basic normalisation", arguments: mathCases)
    func math(_ c: MathCase) async throws {
        #expect(try await verdict(MathVerifier(), c.candidate, c.reference) == c.equal)
    }

    @Test func mathVerifierReadsBoxedAnswersWithNestedBraces() async throws {
        let text = "First \\boxed{7} was wrong. Therefore the answer is $\\boxed{\\frac{1}{\\sqrt{2}}}$."
        let answer = try #require(AnswerExtractor.extract(text, mode: .boxed))
        #expect(answer == "\\frac{1}{\\sqrt{2}}")
        #expect(try await verdict(MathVerifier(), answer, "\\dfrac{1}{\\sqrt{2}}"))
        #expect(AnswerExtractor.extract("\\boxed{\\left\\{ 1, \\{2\\} \\right\\}}", mode: .boxed) == "\\left\\{ 1, \\{2\\} \\right\\}")
        #expect(AnswerExtractor.extract("\\boxed{a{b{c}}d} end", mode: .boxed) == "a{b{c}}d")
        #expect(AnswerExtractor.extract("no box here", mode: .boxed) == nil)
        // No extracted answer is wrong, with a reason.
        let v = try await MathVerifier().verify(Candidate(text: "no box", answer: nil), item: item42)
        #expect(v.correct == false && v.detail.contains("no answer"))
    }

    @Test func mathPrecisionRoundsNumbersLikeMathVerify() async throws {
        let item = TaskItem(id: "q", question: "?", answer: "\\frac{1}{3}")
        let rounded = MathVerifier(precision: 2)
        #expect(try await rounded.verify(Candidate(text: "", answer: "0.33"), item: item).correct == true)
        #expect(try await rounded.verify(Candidate(text: "", answer: "0.34"), item: item).correct == false)
        #expect(try await MathVerifier().verify(Candidate(text: "", answer: "0.33"), item: item).correct == false)
        let suite = try SuiteLoader.load(path: try writeFile(try makeTempDir("precision"), "p.yaml", """
            suite: p
            task: {generate: {kind: arithmetic, items: 2}}
            models: {m: {kind: simulated, ability: 0}}
            verifiers: {math2: {kind: math, precision: 2}, math: {kind: math}}
            strategies: {one: {kind: single}}
            systems: {matrix: {model: [m], strategy: [one], verifier: [math2, math]}}

            """))
        #expect((suite.verifier("math2")?.kind as? MathKind)?.precision == 2)
        #expect(suite.systems[0].fingerprint != suite.systems[1].fingerprint)
    }

    @Test func mathVotingKeysPoolEquivalentAnswers() {
        let v = MathVerifier()
        #expect(v.votingKey("\\dfrac{1}{2}") == v.votingKey("\\frac{1}{2}"))
        #expect(v.votingKey("$42$") == v.votingKey("42"))
        #expect(v.votingKey("42.0") == v.votingKey("42"))
        #expect(v.votingKey("43") != v.votingKey("42"))
    }

    @Test func exactVerifier() async throws {
        let loose = ExactVerifier(caseSensitive: false)
        #expect(try await verdict(loose, "Paris", "paris"))
        #expect(try await verdict(loose, " $Paris$. ", "Paris"))
        #expect(try await verdict(loose, "New   York", "new york"))
        #expect(try await !verdict(loose, "Pariss", "Paris"))
        #expect(try await !verdict(loose, nil, "Paris"))
        let strict = ExactVerifier(caseSensitive: true)
        #expect(try await !verdict(strict, "Paris", "paris"))
        #expect(try await verdict(strict, "Paris", "Paris"))
        #expect(strict.votingKey("A") != strict.votingKey("a") && loose.votingKey("A") == loose.votingKey("a"))
    }

    @Test func numericVerifier() async throws {
        let v = NumericVerifier(tolerance: 1e-6)
        #expect(try await verdict(v, "1,000", "1000"))
        #expect(try await verdict(v, "$1000$", "1000.0"))
        #expect(try await verdict(v, "50\\%", "50"))
        #expect(try await verdict(v, "1000000.5", "1000000"))   // relative tolerance above 1
        #expect(try await !verdict(v, "1000002", "1000000"))
        #expect(try await verdict(v, "0.0000005", "0"))         // absolute below 1
        #expect(try await !verdict(v, "0.00001", "0"))
        #expect(try await !verdict(v, "abc", "1"))
        #expect(try await !verdict(v, "1", "one"))
        let loose = NumericVerifier(tolerance: 1e-3)
        #expect(try await verdict(loose, "3.1416", "3.14159"))
        #expect(try await !verdict(loose, "3.2", "3.14159"))
        #expect(v.votingKey("42.0") == "42" && v.votingKey("1,000") == "1000")
    }

    @Test func lastNumberExtraction() {
        #expect(AnswerExtractor.extract("The answer is -12.5.", mode: .lastNumber) == "-12.5")
        #expect(AnswerExtractor.extract("We have 1,234 apples", mode: .lastNumber) == "1234")
        #expect(AnswerExtractor.extract("x-3", mode: .lastNumber) == "3")
        #expect(AnswerExtractor.extract("none", mode: .lastNumber) == nil)
        #expect(AnswerExtractor.extract("  raw answer \n", mode: .raw) == "raw answer")
        #expect(AnswerExtractor.extract("   ", mode: .raw) == nil)
    }

    /// Empirical AUC of the simulated reward model over many candidates: the chance that a
    /// correct candidate outscores a wrong one.
    @Test(arguments: [0.6, 0.8, 0.95])
    func simulatedRewardAUCIsCloseToItsSetting(_ auc: Double) async throws {
        let rm = SimulatedRewardVerifier(name: "rm", auc: auc, suiteSeed: 11)
        var right: [Double] = [], wrong: [Double] = []
        for i in 0..<1500 {
            let item = TaskItem(id: "item-\(i % 50)", question: "?", answer: "\(i % 50)")
            for (answer, isRight) in [("\(i % 50)", true), ("\(i % 50 + 1)", false)] {
                let v = try await rm.verify(Candidate(text: "trace \(i) \\boxed{\(answer)}", answer: answer), item: item)
                #expect(v.correct == nil, "a reward model does not judge")
                let r = try #require(v.reward)
                if isRight { right.append(r) } else { wrong.append(r) }
            }
        }
        // Mann-Whitney AUC via ranks.
        let all = (right.map { ($0, true) } + wrong.map { ($0, false) }).sorted { $0.0 < $1.0 }
        var rankSum = 0.0
        for (rank, entry) in all.enumerated() where entry.1 { rankSum += Double(rank + 1) }
        let n1 = Double(right.count), n0 = Double(wrong.count)
        let empirical = (rankSum - n1 * (n1 + 1) / 2) / (n1 * n0)
        #expect(abs(empirical - auc) < 0.03, "configured AUC \(auc), measured \(empirical)")
    }

    @Test func simulatedRewardIsDeterministic() async throws {
        let rm = SimulatedRewardVerifier(name: "rm", auc: 0.8, suiteSeed: 11)
        let c = Candidate(text: "t \\boxed{42}", answer: "42")
        let a = try await rm.verify(c, item: item42).reward
        #expect(try await rm.verify(c, item: item42).reward == a)
        #expect(try await SimulatedRewardVerifier(name: "rm", auc: 0.8, suiteSeed: 12).verify(c, item: item42).reward != a)
        #expect(try await SimulatedRewardVerifier(name: "rm2", auc: 0.8, suiteSeed: 11).verify(c, item: item42).reward != a)
    }

    @Test func majorityVotePoolsEquivalentAnswersAndBreaksTiesByFirstVote() async throws {
        func sample(_ i: Int, _ answer: String?) -> Sample {
            Sample(sampleIndex: i, temperature: 0.8, completion: Completion(text: "\\boxed{\(answer ?? "")}", finishReason: "stop",
                                                                              promptTokens: 10, completionTokens: 20, latencyMs: 1),
                   answer: answer, error: nil)
        }
        struct Fixed: SampleSource {
            let samples: [Sample]
            func samples(for item: TaskItem, temperature: Double, indices: Range<Int>) async throws -> [Sample] { Array(samples[indices]) }
        }
        let item = TaskItem(id: "h", question: "?", answer: "\\frac{1}{2}")
        func solve(_ answers: [String?]) async throws -> Outcome {
            let source = Fixed(samples: answers.enumerated().map { sample($0.offset, $0.element) })
            return try await MajorityStrategy(n: answers.count, temperature: 0.8).solve(
                StrategyContext(item: item, seedIndex: 0, source: source, verifier: MathVerifier(), scorers: [:]))
        }
        // \frac{1}{2}, \dfrac{1}{2} and $\frac{1}{2}$ vote together (3 votes) against 3 (2 votes).
        let pooled = try await solve(["3", "\\frac{1}{2}", "\\dfrac{1}{2}", "3", nil, "$\\frac{1}{2}$"])
        #expect(pooled.correct, "\(pooled.detail)")
        #expect(pooled.calls == 6 && pooled.completionTokens == 120)
        // A tie goes to the answer voted first.
        #expect(try await !solve(["7", "\\frac{1}{2}", "7", "\\dfrac{1}{2}"]).correct)
        #expect(try await solve(["\\dfrac{1}{2}", "7", "7", "\\frac{1}{2}"]).correct)
        // No answers at all: wrong, with a reason.
        let none = try await solve([nil, nil])
        #expect(!none.correct && none.answer == nil)
    }
}
