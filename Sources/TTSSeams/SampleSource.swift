import Foundation
import TTSCore
import TTSSuite

/// One sample of the pool: the completion drawn for (model, item, seed index, temperature,
/// sample index), with the answer extracted from it, or the error that prevented it.
public struct Sample: Sendable, Hashable {
    public var sampleIndex: Int
    public var temperature: Double
    public var completion: Completion?
    public var answer: String?
    public var error: String?
    /// The extraction rule that found `answer` (`AnswerExtractor.Rule`); nil without an answer.
    public var extractRule: String? = nil
    /// What the call cost in US dollars at the price of the model that answered it (a fuser is
    /// priced as the fuser, not the system's model); nil when that model has no price.
    public var usd: Double? = nil

    public init(sampleIndex: Int, temperature: Double, completion: Completion?, answer: String?, error: String?,
                extractRule: String? = nil) {
        self.sampleIndex = sampleIndex
        self.temperature = temperature
        self.completion = completion
        self.answer = answer
        self.error = error
        self.extractRule = extractRule
    }

    public var candidate: Candidate { Candidate(text: completion?.text ?? "", answer: answer) }
    public var tokens: Int { (completion?.promptTokens ?? 0) + (completion?.completionTokens ?? 0) }
    /// The trace ended inside its thinking (no answer: "unfinished thinking").
    public var thinkingUnfinished: Bool { completion?.thinkingUnfinished ?? false }
}

/// Where strategies get samples: the shared pool (reads what is recorded, generates the rest).
public protocol SampleSource: Sendable {
    func samples(for item: TaskItem, temperature: Double, indices: Range<Int>) async throws -> [Sample]
    /// The task prompt of an item as chat messages (what a pooled sample was asked).
    func messages(for item: TaskItem) -> [ChatMessage]
    /// The task's answer extraction, applied to any text (e.g. a continued trace).
    func extractAnswer(_ text: String) -> String?
    /// A model call outside the pool (a fuser call, a refinement round, a continuation), recorded
    /// under its stable `callID` so that it is made once and replayed identically on resume.
    func auxiliary(_ call: AuxiliaryCall, for item: TaskItem) async throws -> Sample
    /// The system's model's thinking budget and tags (`thinking_budget`, `reasoning`), for
    /// `budget_forcing`; nil for a model without a thinking budget.
    var thinkingBudget: (tokens: Int, options: ReasoningOptions)? { get }
}

extension SampleSource {
    public func messages(for item: TaskItem) -> [ChatMessage] {
        [ChatMessage(role: "user", content: TaskSpec.defaultPrompt.replacingOccurrences(of: "{question}", with: item.question))]
    }
    public func extractAnswer(_ text: String) -> String? { AnswerExtractor.extract(text, mode: .boxed) }
    public var thinkingBudget: (tokens: Int, options: ReasoningOptions)? { nil }
    public func auxiliary(_ call: AuxiliaryCall, for item: TaskItem) async throws -> Sample {
        throw StrategyError(message: "this sample source cannot make auxiliary model calls (\(call.tag))")
    }
}

/// One model call that is not a pooled sample: its messages, decoding parameters, which model
/// answers it, and why (the purpose only the simulated backend reads).
public struct AuxiliaryCall: Sendable {
    /// The model that answers: nil for the system's own model, else a model name of the suite.
    public var model: String?
    /// A readable, stable label: "fuse", "refine-1", "pdr-1-3", "wait-2", "conclude".
    public var tag: String
    public var messages: [ChatMessage]
    public var temperature: Double
    public var maxTokens: Int
    /// Stop strings of the call (a step call stops at the step delimiter).
    public var stop: [String]
    public var purpose: ItemContext.Purpose

    public init(model: String? = nil, tag: String, messages: [ChatMessage], temperature: Double, maxTokens: Int,
                stop: [String] = [], purpose: ItemContext.Purpose) {
        self.model = model
        self.tag = tag
        self.messages = messages
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.stop = stop
        self.purpose = purpose
    }

    /// The call's key: its tag and a digest of the full request (messages, temperature, token
    /// budget, stop strings). Two systems that make the same request on the same pool share the call, as
    /// they share pooled samples; the tag keeps deliberate replicas (parallel refinements of the
    /// same workspace) apart.
    public var callID: String {
        var sha = SHA256()
        sha.update("T=\(temperature == 0 ? 0 : temperature)|max_tokens=\(maxTokens)")
        // Only calls with stop strings hash them, so the ids of earlier calls stay as recorded.
        if !stop.isEmpty { sha.update("|stop=\(JSONValue.array(stop.map { .string($0) }).canonicalString)") }
        for m in messages {
            sha.update("\u{1}\(m.role)\u{2}")
            sha.update(m.content)
        }
        let digest = sha.finalize().prefix(16).map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        return "\(tag):\(digest)"
    }
}

/// A strategy cannot go on: a scorer or model it names is missing, or a source cannot serve it.
public struct StrategyError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
