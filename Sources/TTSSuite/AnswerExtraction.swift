import TTSCore
import Foundation

/// How the final answer is read out of a completion (`task.extract`).
///
/// Each mode names the rule that matched for every sample (see `AnswerExtractor` in TTSRuntime);
/// a completion where no rule matches has no answer and counts as incorrect.
public enum AnswerExtraction: Sendable, Hashable {
    /// The way models write answers: the last `\boxed`/`\fbox`, else an explicit answer marker
    /// ("final answer is", "the answer is", `Answer:`, `**Answer**`, `####`), else the last
    /// LaTeX span (`$..$`, `\(..\)`, `\[..\]`), else the last number. The default for data files.
    case auto
    /// The content of the last `\boxed{...}`.
    case boxed
    /// The last number in the completion.
    case lastNumber
    /// The whole completion, trimmed.
    case raw
    /// GSM8K's `#### n` marker, else the last number.
    case gsm8k
    /// A multiple-choice letter (`(B)`, `B)`, "option C", `**C**`, "the answer is D"), among the
    /// item's choices when the data gives them.
    case choice
    /// Group `group` of the last match of a regular expression (NSRegularExpression syntax).
    case regex(pattern: String, group: Int)

    /// The names of the modes written as a plain string in a suite or on the command line.
    public static let names = ["auto", "boxed", "last_number", "raw", "gsm8k", "choice"]

    /// The mode named `name` (one of `names`), or nil.
    public init?(name: String) {
        switch name {
        case "auto": self = .auto
        case "boxed": self = .boxed
        case "last_number": self = .lastNumber
        case "raw": self = .raw
        case "gsm8k": self = .gsm8k
        case "choice": self = .choice
        default: return nil
        }
    }

    /// The canonical text of the mode, as fingerprints and run notes record it: the mode's name,
    /// or `regex:GROUP:PATTERN`.
    public var rawValue: String {
        switch self {
        case .auto: "auto"
        case .boxed: "boxed"
        case .lastNumber: "last_number"
        case .raw: "raw"
        case .gsm8k: "gsm8k"
        case .choice: "choice"
        case .regex(let pattern, let group): "regex:\(group):\(pattern)"
        }
    }

    /// The compiled expression of a `regex` mode, or why it does not compile, and whether `group`
    /// exists in it.
    public static func validateRegex(_ pattern: String, group: Int) -> String? {
        let expression: NSRegularExpression
        do {
            expression = try NSRegularExpression(pattern: pattern)
        } catch {
            return "'\(pattern)' is not a valid regular expression"
        }
        if group > expression.numberOfCaptureGroups {
            return "group \(group) does not exist: '\(pattern)' has \(expression.numberOfCaptureGroups) capture group(s)"
        }
        return nil
    }
}
