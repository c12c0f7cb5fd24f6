import TTSCore
/// The content-addressed request cache (DESIGN.md): SHA-256 of the full canonical request of
/// one sample → that sample's response choice. Shared by every system of a database.
public protocol RequestCache: Sendable {
    func lookup(_ keys: [String]) async throws -> [String: [UInt8]]
    func store(_ entries: [(key: String, response: [UInt8])]) async throws
}

/// One cached choice: what a sample needs to be rebuilt without a request.
struct CachedChoice {
    var text: String
    var finishReason: String
    var promptTokens: Int
    var completionTokens: Int
    var tokensEstimated: Bool
    var latencyMs: Double
    var responseID: String?
    var logprobs: String?
    /// A refusal about the input (never cached: not part of `json`).
    var refusal: String? = nil
    /// The server's reasoning field (`reasoning` or `reasoning_content`), as sent.
    var reasoning: String? = nil
    /// `usage.completion_tokens_details.reasoning_tokens`, when the server reports it.
    var reasoningTokens: Int? = nil

    var json: JSONValue {
        var o: [String: JSONValue] = [
            "text": .string(text), "finish_reason": .string(finishReason), "prompt_tokens": .int(Int64(promptTokens)),
            "completion_tokens": .int(Int64(completionTokens)), "tokens_estimated": .bool(tokensEstimated),
            "latency_ms": .double(latencyMs),
        ]
        if let responseID { o["response_id"] = .string(responseID) }
        if let logprobs { o["logprobs"] = .string(logprobs) }
        if let reasoning { o["reasoning"] = .string(reasoning) }
        if let reasoningTokens { o["reasoning_tokens"] = .int(Int64(reasoningTokens)) }
        return .object(o)
    }

    /// `json.canonicalBytes`, written directly (keys in sorted order; a test checks they agree).
    var canonicalBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + (logprobs?.utf8.count ?? 0) + (reasoning?.utf8.count ?? 0) + 160)
        out.append(contentsOf: #"{"completion_tokens":"#.utf8)
        JSONValue.writeInt(Int64(completionTokens), into: &out)
        out.append(contentsOf: #","finish_reason":"#.utf8)
        JSONValue.writeString(finishReason, into: &out)
        out.append(contentsOf: #","latency_ms":"#.utf8)
        JSONValue.writeDouble(latencyMs, into: &out)
        if let logprobs {
            out.append(contentsOf: #","logprobs":"#.utf8)
            JSONValue.writeString(logprobs, into: &out)
        }
        out.append(contentsOf: #","prompt_tokens":"#.utf8)
        JSONValue.writeInt(Int64(promptTokens), into: &out)
        if let reasoning {
            out.append(contentsOf: #","reasoning":"#.utf8)
            JSONValue.writeString(reasoning, into: &out)
        }
        if let reasoningTokens {
            out.append(contentsOf: #","reasoning_tokens":"#.utf8)
            JSONValue.writeInt(Int64(reasoningTokens), into: &out)
        }
        if let responseID {
            out.append(contentsOf: #","response_id":"#.utf8)
            JSONValue.writeString(responseID, into: &out)
        }
        out.append(contentsOf: #","text":"#.utf8)
        JSONValue.writeString(text, into: &out)
        out.append(contentsOf: #","tokens_estimated":"#.utf8)
        out.append(contentsOf: (tokensEstimated ? "true" : "false").utf8)
        out.append(UInt8(ascii: "}"))
        return out
    }

    init(text: String, finishReason: String, promptTokens: Int, completionTokens: Int, tokensEstimated: Bool,
         latencyMs: Double, responseID: String?, logprobs: String?) {
        self.text = text
        self.finishReason = finishReason
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.tokensEstimated = tokensEstimated
        self.latencyMs = latencyMs
        self.responseID = responseID
        self.logprobs = logprobs
    }

    init?(bytes: [UInt8]) {
        guard let v = JSONValue.parse(bytes), let text = v["text"]?.stringValue else { return nil }
        self.text = text
        finishReason = v["finish_reason"]?.stringValue ?? ""
        promptTokens = v["prompt_tokens"]?.intValue ?? 0
        completionTokens = v["completion_tokens"]?.intValue ?? 0
        if case .bool(let b)? = v["tokens_estimated"] { tokensEstimated = b } else { tokensEstimated = false }
        latencyMs = v["latency_ms"]?.doubleValue ?? 0
        responseID = v["response_id"]?.stringValue
        logprobs = v["logprobs"]?.stringValue
        reasoning = v["reasoning"]?.stringValue
        reasoningTokens = v["reasoning_tokens"]?.intValue
    }
}
