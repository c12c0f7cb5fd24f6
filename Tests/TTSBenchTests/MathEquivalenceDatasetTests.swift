import MathAnswers
import Foundation
import Testing

/// Every MATH-500 reference answer is equivalent to itself, boxed or not, and is what the
/// extraction reads from its own solution (needs the shared datasets).
@Suite struct MathEquivalenceDatasetTests {
    @Test(needsDataset("math500.jsonl"))
    func allMath500AnswersAreSelfEquivalent() throws {
        let text = try String(contentsOfFile: try requireDataset("math500.jsonl"), encoding: .utf8)
        var count = 0
        for line in text.split(separator: "\n") {
            guard let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let a = obj["answer"] as? String else { continue }
            count += 1
            #expect(MathEquivalence.equivalent(a, a), "\(a)")
            #expect(MathEquivalence.equivalent("\\boxed{\(a)}", a), "\(a)")
            #expect(MathEquivalence.normalize(a) == MathEquivalence.normalize("\\boxed{\(a)}"), "\(a)")
            if let sol = obj["solution"] as? String {
                #expect(MathEquivalence.extractAnswer(from: sol) == a, "extract from solution of \(a)")
            }
        }
        #expect(count == 500)
    }
}
