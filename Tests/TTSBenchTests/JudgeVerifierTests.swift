@testable import TTSBench
@testable import TTSSuite
@testable import TTSCore
import Foundation
import Testing
@testable import TTSSeams
@testable import TTSModels
@testable import TTSVerifiers

/// A client that replies with fixed text and records the prompts it was sent.
final class ScriptedJudge: ModelClient, @unchecked Sendable {
    let reply: String
    private let lock = NSLock()
    private var _prompts: [String] = []
    var prompts: [String] { lock.withLock { _prompts } }
    init(_ reply: String) { self.reply = reply }
    func generate(_ request: GenerationRequest) async throws -> [Completion] {
        lock.withLock { _prompts.append(request.messages.map(\.content).joined()) }
        return [Completion(text: reply, finishReason: "stop", promptTokens: 10, completionTokens: 10, latencyMs: 1)]
    }
}

@Suite struct JudgeVerifierTests {
    static let item = TaskItem(id: "q1", question: "What is 2 + 2?", answer: "4")

    @Test func theParserIsStrict() {
        #expect(JudgeVerifier.parse("The answer matches.\nVERDICT: CORRECT") == .correct)
        #expect(JudgeVerifier.parse("It differs.\n\nVERDICT: INCORRECT  \n\n") == .incorrect)
        #expect(JudgeVerifier.parse("<think>VERDICT: maybe?</think>\nFine.\nVERDICT: CORRECT") == .correct)
        let unparseable: [String] = [
            "",
            "The answer is correct.",
            "VERDICT: CORRECT\nVERDICT: INCORRECT",
            "VERDICT: CORRECT\nVERDICT: CORRECT",
            "verdict: correct",
            "VERDICT: PARTIALLY CORRECT",
            "**VERDICT: CORRECT**",
            "VERDICT: CORRECT\nAnything after it.",
            "VERDICT:CORRECT",
            "I would say VERDICT: CORRECT",
        ]
        for reply in unparseable {
            guard case .unparseable = JudgeVerifier.parse(reply) else {
                Issue.record("parsed '\(reply)' as a verdict")
                continue
            }
        }
    }

    @Test func verdictsAndUnparseableRepliesBecomeVerdicts() async throws {
        let candidate = Candidate(text: "2 + 2 = \\boxed{4}", answer: "4")
        let yes = ScriptedJudge("Both say 4.\nVERDICT: CORRECT")
        let v1 = try await JudgeVerifier(name: "j", model: "m", client: yes, suiteSeed: 1).verify(candidate, item: Self.item)
        #expect(v1.correct == true && v1.detail == "judge m: correct")
        let no = ScriptedJudge("VERDICT: INCORRECT")
        let v2 = try await JudgeVerifier(name: "j", model: "m", client: no, suiteSeed: 1).verify(candidate, item: Self.item)
        #expect(v2.correct == false && v2.detail == "judge m: incorrect")
        let garbled = ScriptedJudge("I think it is right.")
        let v3 = try await JudgeVerifier(name: "j", model: "m", client: garbled, suiteSeed: 1).verify(candidate, item: Self.item)
        #expect(v3.correct == false && v3.detail.hasPrefix("unparseable judge verdict"), "\(v3.detail)")
    }

    @Test func thePromptShowsQuestionReferenceAndResponse() async throws {
        let judge = ScriptedJudge("VERDICT: CORRECT")
        let candidate = Candidate(text: "The sum is {answer} \\boxed{4}", answer: "4")
        _ = try await JudgeVerifier(name: "j", model: "m", client: judge, suiteSeed: 1).verify(candidate, item: Self.item)
        let prompt = try #require(judge.prompts.first)
        #expect(prompt.contains("What is 2 + 2?") && prompt.contains("Reference answer:\n4"))
        #expect(prompt.contains("The sum is {answer} \\boxed{4}"))  // placeholders inside values stay as written
        #expect(prompt.hasSuffix("VERDICT: CORRECT\nor\nVERDICT: INCORRECT"))
        let custom = JudgeVerifier(name: "j", model: "m", client: judge, prompt: "Q={question} R={reference} A={answer} {unknown}", suiteSeed: 1)
        #expect(custom.render(candidate, item: Self.item) == "Q=What is 2 + 2? R=4 A=4 {unknown}")
    }

    @Test func aMissingClientIsAnError() async throws {
        await #expect(throws: ModelError.self) {
            _ = try await JudgeVerifier(name: "j", model: "m", client: nil, suiteSeed: 1).verify(Candidate(text: "4", answer: "4"), item: Self.item)
        }
    }

    @Test func theSimulatedJudgeIsBetterWithAbilityAndSometimesUnparseable() async throws {
        func accuracy(_ ability: Double) async throws -> (agree: Double, unparseable: Int) {
            let model = SimulatedModel(name: "j", parameters: SimulatedModelParameters(ability: ability), fingerprint: "judge-\(ability)")
            let judge = JudgeVerifier(name: "judge", model: "j", client: model, simulated: model, suiteSeed: 3)
            var agree = 0, unparseable = 0, total = 0
            for i in 0..<400 {
                let item = TaskItem(id: "item-\(i)", question: "q", answer: "\(i)")
                let right = i % 2 == 0
                let answer = right ? "\(i)" : "\(i + 1)"
                let v = try await judge.verify(Candidate(text: "\\boxed{\(answer)}", answer: answer), item: item)
                total += 1
                if v.detail.hasPrefix("unparseable") { unparseable += 1; continue }
                if v.correct == right { agree += 1 }
            }
            return (Double(agree) / Double(total), unparseable)
        }
        let weak = try await accuracy(-1)
        let strong = try await accuracy(2)
        #expect(strong.agree > weak.agree + 0.1, "weak \(weak), strong \(strong)")
        #expect(strong.agree > 0.85)
        #expect(weak.unparseable + strong.unparseable > 0)
        // Reproducible: the same candidate gets the same verdict.
        let model = SimulatedModel(name: "j", parameters: SimulatedModelParameters(ability: 0), fingerprint: "f")
        let judge = JudgeVerifier(name: "judge", model: "j", client: model, simulated: model, suiteSeed: 3)
        let c = Candidate(text: "\\boxed{5}", answer: "5")
        let a = try await judge.verify(c, item: Self.item)
        let b = try await judge.verify(c, item: Self.item)
        #expect(a == b)
    }

    @Test func suiteKeysParseAndTheModelMustExist() throws {
        let dir = try makeTempDir("judge-suite")
        let yaml = baseSuite.replacingOccurrences(of: "verifiers:\n", with: "verifiers:\n  judge: {kind: judge, model: strong}\n  judge2: {kind: judge, model: mid, prompt: \"Grade {response} against {reference}\"}\n")
        let suite = try SuiteLoader.load(path: try writeFile(dir, "s.yaml", yaml))
        #expect(suite.verifier("judge")?.kind == JudgeKind(model: "strong", prompt: nil))
        #expect(suite.verifier("judge2")?.kind == JudgeKind(model: "mid", prompt: "Grade {response} against {reference}"))
        #expect(suite.verifier("judge")?.referencedModels == ["strong"])
        let unknown = baseSuite.replacingOccurrences(of: "verifiers:\n", with: "verifiers:\n  judge: {kind: judge, model: strnog}\n")
        do {
            _ = try SuiteLoader.load(path: try writeFile(dir, "u.yaml", unknown))
            Issue.record("an unknown judge model was accepted")
        } catch let e as SuiteError {
            #expect(e.line == 11 && e.description.contains("did you mean 'strong'"), "\(e)")
        }
        let noCandidate = baseSuite.replacingOccurrences(of: "verifiers:\n", with: "verifiers:\n  judge: {kind: judge, model: mid, prompt: \"Is it right?\"}\n")
        #expect(throws: SuiteError.self) { try SuiteLoader.load(path: try writeFile(dir, "p.yaml", noCandidate)) }
    }

    /// A suite judged by one of its models runs to a leaderboard (regenerated from the database
    /// without calling the judge again), and the judge's own model is part of each system's
    /// fingerprint: changing it means new runs, not silently reused scores.
    @Test func aJudgedSuiteRunsAndTheJudgeShapesTheFingerprint() async throws {
        let dir = try makeTempDir("judge-run")
        let judged = baseSuite
            .replacingOccurrences(of: "verifiers:\n", with: "verifiers:\n  judge: {kind: judge, model: strong}\n")
            .replacingOccurrences(of: "verifier: [math]", with: "verifier: [judge]")
        let path = try writeFile(dir, "judged.yaml", judged)
        let (report, files) = try await ResumeTests.run(path, db: dir + "/db.sqlite", out: dir + "/out", seeds: 2)
        #expect(report.leaderboard.rows.count == 9)
        #expect(report.leaderboard.rows.allSatisfy { $0.seeds == 2 && $0.mean > 0 })
        let again = try await ResumeTests.run(path, db: dir + "/db.sqlite", out: dir + "/out", seeds: 2)
        #expect(again.0.samplesGenerated == 0)
        #expect(again.1 == files)

        let suite = try SuiteLoader.load(path: path)
        let otherJudge = try SuiteLoader.load(path: try writeFile(dir, "other.yaml", judged.replacingOccurrences(
            of: "strong: {kind: simulated, ability: 1.5}", with: "strong: {kind: simulated, ability: 1.0}")))
        let weakSingle = { (s: Suite) in s.system("weak/single")!.fingerprint }
        #expect(weakSingle(suite) != weakSingle(otherJudge), "the judge's model is not in the fingerprint")
    }
}
