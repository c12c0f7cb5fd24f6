@testable import TTSRuntime
@testable import TTSSuite
@testable import TTSCore
import Foundation
import Testing
@testable import TTSSeams
@testable import TTSVerifiers

/// One completion, how it is read, and which rule reads it.
struct ExtractionCase: Sendable, CustomTestStringConvertible {
    var text: String
    var mode: AnswerExtraction
    var answer: String?
    var rule: AnswerExtractor.Rule?
    var testDescription: String { "\(mode.rawValue): \(text.prefix(50).debugDescription) → \(answer ?? "nil")" }
}

private let cases: [ExtractionCase] = [
    // auto: boxes first, several adjacent boxes are one list
    .init(text: "We add them.\nSo the answer is $\\boxed{7\\pi}$.", mode: .auto, answer: "7\\pi", rule: .boxed),
    .init(text: "The roots are $\\boxed{1}$ and $\\boxed{2}$.", mode: .auto, answer: "1, 2", rule: .boxed),
    .init(text: "First \\boxed{3} was wrong. Recomputing, 5 is right: \\boxed{5}", mode: .auto, answer: "5", rule: .boxed),
    .init(text: "\\fbox{12}", mode: .auto, answer: "12", rule: .boxed),
    // answer markers
    .init(text: "We have $x = 3$ and so on.\nThe answer is $7\\pi$.", mode: .auto, answer: "7\\pi", rule: .marker),
    .init(text: "Final Answer: The final answer is $\\frac{1}{2}$. I hope it is correct.", mode: .auto, answer: "\\frac{1}{2}", rule: .marker),
    .init(text: "Work: 3 + 4 = 7.\n**Answer:** 7", mode: .auto, answer: "7", rule: .marker),
    .init(text: "Work: 3 + 4 = 7.\n**Answer**: $7$", mode: .auto, answer: "7", rule: .marker),
    .init(text: "She has 5 + 3 = 8 apples.\n#### 8", mode: .auto, answer: "8", rule: .marker),
    .init(text: "So the answer is 42 apples.", mode: .auto, answer: "42", rule: .marker),
    .init(text: "Answer: $1,000 in total.", mode: .auto, answer: "1000", rule: .marker),
    .init(text: "The answer is \\( x = 5 \\).", mode: .auto, answer: "5", rule: .marker),
    // LaTeX spans
    .init(text: "Multiplying out, we get \\( 6 \\cdot 7 = 42 \\) in the end.", mode: .auto, answer: "42", rule: .latex),
    .init(text: "so it is \\[ \\frac{3}{4} \\]", mode: .auto, answer: "\\frac{3}{4}", rule: .latex),
    .init(text: "Thus $y = 2x + 1$.", mode: .auto, answer: "y = 2x + 1", rule: .latex),
    // currency dollars are not spans; the last number is read
    .init(text: "He pays $5 per hour, so 8 hours cost $40.", mode: .auto, answer: "40", rule: .number),
    .init(text: "The total is $1,250.50 today", mode: .auto, answer: "1250.50", rule: .number),
    // numbers: thousands separators and decimal commas
    .init(text: "the value is 0,111", mode: .auto, answer: "0.111", rule: .number),
    .init(text: "it costs 3,5 euros", mode: .auto, answer: "3.5", rule: .number),
    .init(text: "there are 1,234,567 stars", mode: .auto, answer: "1234567", rule: .number),
    .init(text: "a ratio of 3/4", mode: .auto, answer: "3/4", rule: .number),
    .init(text: "it dropped to -12 degrees.", mode: .auto, answer: "-12", rule: .number),
    // a completion that is only an answer is read whole; one or two words are their own answer
    .init(text: "\\sqrt{3}/2", mode: .auto, answer: "\\sqrt{3}/2", rule: .raw),
    .init(text: " (1, 2) ", mode: .auto, answer: "(1, 2)", rule: .raw),
    .init(text: "\\text{Evelyn}", mode: .auto, answer: "\\text{Evelyn}", rule: .raw),
    .init(text: "6\\text{ cm}^2", mode: .auto, answer: "6\\text{ cm}^2", rule: .raw),
    .init(text: "Evelyn", mode: .auto, answer: "Evelyn", rule: .raw),
    .init(text: "I do not know.", mode: .auto, answer: nil, rule: nil),
    .init(text: "", mode: .auto, answer: nil, rule: nil),
    // other modes
    .init(text: "Natalia sold 48/2 = 24 clips in May.\n#### 72", mode: .gsm8k, answer: "72", rule: .marker),
    .init(text: "#### $1,080", mode: .gsm8k, answer: "1080", rule: .marker),
    .init(text: "so 9 in all", mode: .gsm8k, answer: "9", rule: .number),
    .init(text: "So \\boxed{4}", mode: .boxed, answer: "4", rule: .boxed),
    .init(text: "The answer is 4", mode: .boxed, answer: nil, rule: nil),
    .init(text: "0,111", mode: .lastNumber, answer: "0.111", rule: .number),
    .init(text: "  keep me  ", mode: .raw, answer: "keep me", rule: .raw),
    .init(text: "id=ab-17; id=cd-42", mode: .regex(pattern: "id=([a-z]+)-(\\d+)", group: 2), answer: "42", rule: .regex),
    .init(text: "nothing here", mode: .regex(pattern: "id=(\\d+)", group: 1), answer: nil, rule: nil),
    .init(text: "Comparing (A) and (B), the answer is (C).", mode: .choice, answer: "C", rule: .choice),
    .init(text: "I pick option D", mode: .choice, answer: "D", rule: .choice),
    .init(text: "**B**", mode: .choice, answer: "B", rule: .choice),
    .init(text: "B) is right", mode: .choice, answer: "B", rule: .choice),
    .init(text: "Answer: $\\boxed{A}$", mode: .choice, answer: "A", rule: .choice),
    .init(text: "none of them", mode: .choice, answer: nil, rule: nil),
]

@Suite struct AnswerExtractionTests {
    @Test(arguments: cases)
    func readsTheAnswerAndTheRule(_ c: ExtractionCase) {
        let found = AnswerExtractor.extraction(c.text, mode: c.mode)
        #expect(found?.answer == c.answer)
        #expect(found?.rule == c.rule)
    }

    @Test func choiceLettersAreCheckedAgainstTheItemsChoices() {
        let item = TaskItem(id: "mc", question: "?", answer: "B", choices: ["1", "2", "3"])
        #expect(AnswerExtractor.extract("The answer is (E).", mode: .choice, item: item) == nil)
        #expect(AnswerExtractor.extract("The answer is (E), no wait: (B)", mode: .choice, item: item) == "B")
        #expect(AnswerExtractor.extract("The answer is (E).", mode: .choice) == "E")
    }

    @Test func extractedAnswersAreJudgedAsMath() async throws {
        let verifier = MathVerifier()
        let item = TaskItem(id: "q", question: "?", answer: "7\\pi")
        let text = "We have $x = 3$.\nFinal Answer: The final answer is $7\\pi$. I hope it is correct."
        let sample = Sample(sampleIndex: 0, temperature: 0, completion: Completion(text: text, finishReason: "stop", promptTokens: 1,
                                                                                    completionTokens: 1, latencyMs: 1),
                            extracting: .auto, item: item)
        #expect(sample.extractRule == "marker")
        #expect(try await verifier.verify(sample.candidate, item: item).correct == true)
        let none = Sample(sampleIndex: 0, temperature: 0, completion: Completion(text: "no idea", finishReason: "stop", promptTokens: 1,
                                                                                  completionTokens: 1, latencyMs: 1),
                          extracting: .auto, item: item)
        #expect(none.answer == nil && none.extractRule == nil)
    }

    @Test func longHostileTextsStayFast() {
        let text = String(repeating: "\\( $5 and \\[ $ x ", count: 20_000)
        let start = ContinuousClock.now
        _ = AnswerExtractor.extraction(text, mode: .auto)
        #expect(ContinuousClock.now - start < .seconds(5))
    }
}
