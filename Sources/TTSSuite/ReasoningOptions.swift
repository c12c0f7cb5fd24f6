import TTSCore

/// How a model's thinking (reasoning trace) is told apart from its answer (`reasoning:` of a
/// `kind: openai` model).
///
/// Reasoning models return their thinking either in a field of their own (a server running a
/// reasoning parser: `message.reasoning` in newer vLLM, `reasoning_content` in older vLLM,
/// SGLang, llama-server and DeepSeek's API) or inline in the text between tags
/// (`<think>…</think>`, a server without a parser, the completions API). The thinking is
/// recorded apart from the answer, and answers are read from the answer part only.
public struct ReasoningOptions: Sendable, Equatable {
    public enum Format: String, Sendable, CaseIterable {
        /// The reasoning field when the server sends one, else the tags when the text has them.
        case auto
        /// The reasoning field only: the text is the answer as it is.
        case field
        /// The tags only. A text with a closing tag: everything before the last closing tag is
        /// thinking (the opening tag may be in the prompt, as R1-style chat templates put it); a
        /// text with no closing tag is unfinished thinking.
        case tags
        /// No thinking: the text is the answer and a reasoning field is ignored.
        case none
    }
    public var format: Format
    public var open: String
    public var close: String

    public static let defaultOpen = "<think>"
    public static let defaultClose = "</think>"

    public init(format: Format = .auto, open: String = ReasoningOptions.defaultOpen, close: String = ReasoningOptions.defaultClose) {
        self.format = format
        self.open = open
        self.close = close
    }

    /// The fingerprint part of explicitly given options ("" for the default, so suites written
    /// before reasoning support keep their fingerprints; `auto` with the default tags reads
    /// plain answers exactly as before).
    public var fingerprintText: String {
        self == ReasoningOptions() ? "" : "|reasoning=\(format.rawValue):\(JSONValue.array([.string(open), .string(close)]).canonicalString)"
    }
}
