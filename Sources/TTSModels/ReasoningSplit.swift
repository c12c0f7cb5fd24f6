import TTSCore
import TTSSuite
import Foundation
import TTSSeams

/// A completion's text taken apart into thinking and answer (`ReasoningOptions`).
///
/// Rules (servers differ; see docs/models.md, "Reasoning models"):
/// - a reasoning field, when the format reads it and the server sent a non-empty one, is the
///   thinking and the text is the answer;
/// - otherwise, with tags: the answer is what follows the last closing tag; the thinking is what
///   precedes it, without a leading opening tag (R1-style templates open the thinking in the
///   prompt, so the completion often has only the closing tag); an opening tag after the last
///   closing tag (or, for `tags`, no closing tag at all) means the trace ends inside its thinking;
/// - a trace that ends inside its thinking has no answer: `unfinished`. So has a trace whose
///   reasoning field is set and whose answer is empty when the server stopped it at the token
///   limit (`finish_reason: length`).
public struct ReasoningSplit: Sendable, Hashable {
    /// The thinking text (nil: none).
    public var thinking: String?
    /// What the answer is read from.
    public var answer: String
    /// The trace ended inside its thinking: no answer may be read from it.
    public var unfinished: Bool

    public init(thinking: String?, answer: String, unfinished: Bool) {
        self.thinking = thinking
        self.answer = answer
        self.unfinished = unfinished
    }

    /// Splits `text` (and the server's reasoning field `field`) as `options` say.
    public init(text: String, field: String?, finishReason: String, options: ReasoningOptions) {
        let field = field.flatMap { $0.isEmpty ? nil : $0 }
        switch options.format {
        case .none:
            self.init(thinking: nil, answer: text, unfinished: false)
        case .field:
            self.init(fieldThinking: field, text: text, finishReason: finishReason)
        case .auto:
            if field != nil {
                self.init(fieldThinking: field, text: text, finishReason: finishReason)
            } else if text.contains(options.open) || text.contains(options.close) {
                self.init(tagged: text, options: options, requireClose: false)
            } else {
                self.init(thinking: nil, answer: text, unfinished: false)
            }
        case .tags:
            self.init(tagged: text, options: options, requireClose: true)
        }
    }

    private init(fieldThinking field: String?, text: String, finishReason: String) {
        let empty = text.allSatisfy(\.isWhitespace)
        self.init(thinking: field, answer: text, unfinished: field != nil && empty && finishReason == "length")
    }

    /// Tag splitting. `requireClose`: a text without a closing tag is all thinking (format
    /// `tags`); otherwise such a text is thinking only when it has an opening tag.
    private init(tagged text: String, options: ReasoningOptions, requireClose: Bool) {
        let lastClose = text.range(of: options.close, options: .backwards)
        let lastOpen = text.range(of: options.open, options: .backwards)
        guard let close = lastClose else {
            // Never closed: everything from the first opening tag (or, for `tags`, everything) is thinking.
            if let first = text.range(of: options.open) {
                let before = text[..<first.lowerBound]
                let thinking = String(text[first.upperBound...])
                // Text before an unclosed opening tag is kept with the thinking, never read as an answer.
                self.init(thinking: before.allSatisfy(\.isWhitespace) ? thinking : text, answer: "", unfinished: true)
            } else if requireClose {
                self.init(thinking: text, answer: "", unfinished: true)
            } else {
                self.init(thinking: nil, answer: text, unfinished: false)
            }
            return
        }
        var thinking = Substring(text[..<close.lowerBound])
        let leading = thinking.drop { $0.isWhitespace }
        if leading.hasPrefix(options.open) { thinking = leading.dropFirst(options.open.count) }
        if let open = lastOpen, open.lowerBound >= close.upperBound {
            // Thinking reopened after the last closing tag and never closed: still thinking.
            self.init(thinking: text, answer: "", unfinished: true)
            return
        }
        self.init(thinking: String(thinking), answer: String(text[close.upperBound...]), unfinished: false)
    }
}

extension Completion {
    /// Takes the completion's text (and the server's reasoning field) apart as `options` say:
    /// `text` becomes the answer part, the thinking goes to `reasoning`, its tokens to
    /// `reasoningTokens`: the server's count, else the completion tokens in proportion to the
    /// thinking's share of the generated text (tags included), never more than the completion tokens.
    public mutating func applyReasoning(field: String?, serverTokens: Int?, options: ReasoningOptions) {
        let split = ReasoningSplit(text: text, field: field, finishReason: finishReason, options: options)
        var counted = 0
        if let serverTokens {
            counted = serverTokens
        } else if let thinking = split.thinking {
            let generated = text.utf8.count + (split.thinking == field ? thinking.utf8.count : 0)
            counted = generated > 0 ? Int((Double(completionTokens) * Double(thinking.utf8.count) / Double(generated)).rounded()) : 0
        }
        text = split.answer
        reasoning = split.thinking
        thinkingUnfinished = split.unfinished
        reasoningTokens = max(0, min(counted, completionTokens))
    }

    /// Generated tokens of the answer part (completion tokens less the thinking).
    public var answerTokens: Int { max(0, completionTokens - reasoningTokens) }
}
