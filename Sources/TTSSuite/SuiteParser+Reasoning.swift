import TTSCore
import Yams

extension SuiteParser {
    /// The reasoning keys of a `kind: openai` model: `reasoning: {format, open, close}`,
    /// `reasoning_effort`, `enable_thinking` and `thinking_budget`.
    func parseReasoningKeys(_ m: YAMLCursor, into p: inout OpenAIModelParameters) throws {
        if let r = m.optional("reasoning") {
            var options = ReasoningOptions()
            if case .scalar = r.node {
                options.format = ReasoningOptions.Format(rawValue: try r.oneOf(ReasoningOptions.Format.allCases.map(\.rawValue)))!
            } else {
                _ = try r.mapping(allowed: ["format", "open", "close"], what: "a mapping {format, open, close}")
                if let f = r.optional("format") {
                    options.format = ReasoningOptions.Format(rawValue: try f.oneOf(ReasoningOptions.Format.allCases.map(\.rawValue)))!
                }
                if let o = r.optional("open") { options.open = try o.string() }
                if let c = r.optional("close") { options.close = try c.string() }
                if options.open == options.close {
                    throw r.error("'\(r.pathString)': 'open' and 'close' must differ, both are '\(options.open.prefix(40))'")
                }
            }
            p.reasoning = options
        }
        let extra = m.optional("extra_body")
        func clash(_ key: String, _ field: String) throws {
            if let extra, extra.optional(field) != nil {
                throw extra.error("'\(extra.pathString).\(field)' repeats what '\(key)' sends; set it in one place")
            }
        }
        if let e = m.optional("reasoning_effort") {
            p.reasoningEffort = try e.oneOf(["minimal", "low", "medium", "high"])
            try clash("reasoning_effort", "reasoning_effort")
        }
        if let t = m.optional("enable_thinking") {
            p.enableThinking = try t.bool()
            try clash("enable_thinking", "chat_template_kwargs")
        }
        if let b = m.optional("thinking_budget") {
            p.thinkingBudget = try b.int(min: 1, max: 10_000_000)
        }
    }
}
