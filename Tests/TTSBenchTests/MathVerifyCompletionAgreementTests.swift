import TTSBench
import TTSSuite
import TTSCore
import Foundation
import Testing

// Agreement between ttsbench's reading of whole completions (`extract: auto`, then the math
// verifier: what `ttsbench verify --kind math` does by default) and HuggingFace math-verify 0.9,
// which parses the whole completion itself.
//
// The pairs come from tools/math-verify-agreement/completion_pairs.py: MATH-500 and GSM8K
// reference answers written into completions in 12 styles (boxed, "The answer is $x$.", Minerva's
// "Final Answer: ...", `\( x \)`, `\[ x \]`, `**Answer:** $x$`, "Answer: x", `#### x`, currency
// dollars in prose, thousands separators, ...), after reasoning with numbers and LaTeX of its own,
// each once right and once wrong; the script also prints math-verify's verdict for each.
//
// Needs ../shared/datasets/{math500,gsm8k_test}.jsonl (or $TTSBENCH_DATASETS) and the venv made by
// `.ci/install-mathverify.sh`; skipped with the reason when absent, failing instead under
// TTSBENCH_REQUIRE_INPUTS=1 (CI).

@Suite struct MathVerifyCompletionAgreementTests {
    @Test(needsDataset("math500.jsonl"), needsDataset("gsm8k_test.jsonl"),
          .enabled(if: MathVerify.present || requireInputs, Comment(rawValue: MathVerify.absentReason)))
    func wholeCompletionsAreJudgedAsMathVerifyJudgesThem() async throws {
        let math = try requireDataset("math500.jsonl")
        let gsm = try requireDataset("gsm8k_test.jsonl")
        try #require(MathVerify.present, Comment(rawValue: MathVerify.requiredButAbsent))
        let (status, data) = try MathVerify.run("completion_pairs.py", [math, gsm])
        try #require(status == 0, "completion_pairs.py exited \(status)")

        var options = AnswerCheck.Options(kind: .math)
        options.extract = .auto
        var total = 0, agree = 0
        var styles = Set<String>()
        var sources: [String: Int] = [:]
        var rightAndWrong: Set<Bool> = []
        var byStyle: [String: (agree: Int, total: Int)] = [:]
        var byRule: [String: Int] = [:]
        var disagreements: [String] = []
        for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            let gold = try #require(object["gold"] as? String)
            let completion = try #require(object["completion"] as? String)
            let style = try #require(object["style"] as? String)
            let mathVerify = try #require(object["verdict"] as? Bool)
            let result = try await AnswerCheck.checkExtracting(reference: gold, candidate: completion, options: options)
            let ours = result.verdict.correct ?? false
            total += 1
            styles.insert(style)
            sources[object["source"] as? String ?? "?", default: 0] += 1
            rightAndWrong.insert(object["right"] as? Bool ?? false)
            byRule[result.rule ?? "none", default: 0] += 1
            var s = byStyle[style] ?? (0, 0)
            s.total += 1
            if ours == mathVerify {
                agree += 1
                s.agree += 1
            } else {
                disagreements.append("  [\(object["source"] ?? "?") \(style)] gold=\(gold)  read=\(result.answer ?? "nothing") (\(result.rule ?? "none"))  "
                    + "math-verify=\(mathVerify) ours=\(ours) (\(result.verdict.detail))\n      …\(String(completion.suffix(90)).debugDescription)")
            }
            byStyle[style] = s
        }
        let rate = Double(agree) / Double(max(total, 1))
        print("math-verify agreement on whole completions: \(agree)/\(total) = \(String(format: "%.2f", rate * 100))%")
        for (style, s) in byStyle.sorted(by: { $0.key < $1.key }) { print("  \(style): \(s.agree)/\(s.total)") }
        print("  rules: " + byRule.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        print("disagreements (\(disagreements.count)):")
        for d in disagreements { print(d) }
        #expect(total >= 3000, "only \(total) pairs")
        #expect(styles.count >= 8, "only \(styles.count) completion styles")
        #expect(sources["math500", default: 0] > 0 && sources["gsm8k", default: 0] > 0)
        #expect(rightAndWrong == [true, false], "both right and wrong answers")
        #expect(rate >= 0.99, "agreement with math-verify \(rate) < 0.99")
    }
}
