import TTSCore
import TTSSeams
import TTSSuite
import Foundation

/// LLM-as-judge: a model of the suite reads the question, the reference answer and the
/// candidate's completion, and ends its reply with one verdict line.
///
/// The verdict parser is strict (see `parse`): the reply must contain exactly one line that
/// mentions `VERDICT`, it must be the last non-empty line, and it must read exactly
/// `VERDICT: CORRECT` or `VERDICT: INCORRECT` (surrounding spaces aside). Anything else is
/// recorded as "unparseable judge verdict: ..." and counts as incorrect: a verdict is never
/// guessed. Reasoning before a closing `</think>` is ignored.
///
/// The judge is called at temperature 0 with a seed derived from the suite seed, the verifier's
/// name, the item and the candidate's text, so a verdict is reproducible where the backend is.
/// On the simulated backend the model plays a judge of known quality: the runtime hands it in
/// as `simulated` (`SimulatedJudging`), and it is asked instead of `client`.
public struct JudgeVerifier: Verifier {
    public static let defaultPrompt = """
        You are grading an answer to a problem against its reference answer.

        Problem:
        {question}

        Reference answer:
        {reference}

        Response to grade:
        {response}

        Decide whether the final answer of the response is correct, that is, equivalent to the \
        reference answer (ignore differences of form such as 1/2 versus 0.5, and ignore the \
        quality of the reasoning). Explain briefly, then end your reply with exactly one line, \
        either
        VERDICT: CORRECT
        or
        VERDICT: INCORRECT
        """

    /// The judge's reply limit when the suite sets none.
    public static let defaultMaxTokens = 1024

    public var name: String
    public var model: String
    public var client: (any ModelClient)?
    /// The judge's model when it is simulated: asked directly, without a prompt round trip.
    public var simulated: (any SimulatedJudging)?
    /// The template: `{question}`, `{reference}`, `{response}` (the full completion) and
    /// `{answer}` (the extracted answer, or "(none)") are replaced.
    public var prompt: String
    public var suiteSeed: UInt64
    public var maxTokens: Int

    public init(name: String, model: String, client: (any ModelClient)?, simulated: (any SimulatedJudging)? = nil,
                prompt: String = JudgeVerifier.defaultPrompt, suiteSeed: UInt64, maxTokens: Int = JudgeVerifier.defaultMaxTokens) {
        self.name = name
        self.model = model
        self.client = client
        self.simulated = simulated
        self.prompt = prompt
        self.suiteSeed = suiteSeed
        self.maxTokens = maxTokens
    }

    public func render(_ candidate: Candidate, item: TaskItem) -> String {
        // One pass over the template, so that placeholder-like text inside a value is left alone.
        let values = ["question": item.question, "reference": item.answer, "response": candidate.text,
                      "answer": candidate.answer ?? "(none)"]
        return fillTemplate(prompt, values)
    }

    public func verify(_ candidate: Candidate, item: TaskItem) async throws -> Verdict {
        let content = render(candidate, item: item)
        let seed = StableHasher("judge", suiteSeed, name, item.id, candidate.text).finalize()
        let completion: Completion
        if let simulated {
            completion = simulated.simulatedJudgement(item: item, candidate: candidate, seed: seed,
                                                      promptTokens: max(1, content.utf8.count / 4))
        } else {
            guard let client else {
                throw ModelError(model: model, message: "judge '\(name)' has no client for its model")
            }
            let request = GenerationRequest(messages: [ChatMessage(role: "user", content: content)], temperature: 0,
                                            maxTokens: maxTokens, seed: seed, n: 1,
                                            context: ItemContext(item: item, sampleSeeds: [seed]))
            guard let first = try await client.generate(request).first else {
                throw ModelError(model: model, message: "judge '\(name)': the model returned no completion")
            }
            completion = first
        }
        if let refusal = completion.refusal { return Verdict(correct: false, detail: "judge \(model) \(refusal)") }
        switch Self.parse(completion.text) {
        case .correct: return Verdict(correct: true, detail: "judge \(model): correct")
        case .incorrect: return Verdict(correct: false, detail: "judge \(model): incorrect")
        case .unparseable(let why):
            return Verdict(correct: false, detail: "unparseable judge verdict: \(why)")
        }
    }

    public enum ParsedVerdict: Sendable, Equatable {
        case correct, incorrect
        case unparseable(String)
    }

    /// The strict parser (see the type's documentation).
    public static func parse(_ reply: String) -> ParsedVerdict {
        var text = reply[...]
        if let close = text.range(of: "</think>", options: .backwards) { text = text[close.upperBound...] }
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" })
            .map { $0.trimmingCharacters(in: .whitespaces) }
        let nonEmpty = lines.filter { !$0.isEmpty }
        guard let last = nonEmpty.last else { return .unparseable("empty reply") }
        let mentions = nonEmpty.filter { $0.range(of: "verdict", options: .caseInsensitive) != nil }
        if mentions.isEmpty { return .unparseable("no VERDICT line") }
        if mentions.count > 1 { return .unparseable("\(mentions.count) lines mention VERDICT; exactly one is expected") }
        let shown = String(mentions[0].prefix(60))
        guard mentions[0] == last else { return .unparseable("the VERDICT line '\(shown)' is not the last line") }
        switch last {
        case "VERDICT: CORRECT": return .correct
        case "VERDICT: INCORRECT": return .incorrect
        default: return .unparseable("'\(shown)' is neither 'VERDICT: CORRECT' nor 'VERDICT: INCORRECT'")
        }
    }
}

extension JudgeVerifier: VerifierMaker {
    public static func make(_ kind: JudgeKind, spec: VerifierSpec, suiteSeed: UInt64, resources: VerifierResources) -> Self {
        JudgeVerifier(name: spec.name, model: kind.model, client: resources.clients[kind.model],
                      simulated: resources.simulatedJudges[kind.model], prompt: kind.prompt ?? JudgeVerifier.defaultPrompt,
                      suiteSeed: suiteSeed)
    }
}
