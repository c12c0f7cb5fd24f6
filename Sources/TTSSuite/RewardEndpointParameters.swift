import TTSCore
import Foundation

/// What a `kind: reward` verifier calls: a reward model served over HTTP.
///
/// Three request shapes (`api`):
/// - `classify`: vLLM's classification API, `POST {base_url}/classify` with
///   `{"model": M, "input": TEXT}` (or `"messages"` with `chat: true`). The reply is
///   `{"data": [{"index", "label", "probs": [...], "num_classes"}], ...}`; the score is
///   `data[0].probs[class_index]` (the last class by default).
/// - `pooling`: vLLM's pooling API, `POST {base_url}/pooling` with the same request. The reply is
///   `{"data": [{"index", "object": "pooling", "data": [...] or [[...], ...]}], ...}`; the score
///   is element `class_index` (last by default) of `data[0].data`, or of its last row when the
///   model returns one row per token (a reward model's `ALL` pooler).
/// - `json`: any JSON service. The suite gives the request body (a mapping whose strings may
///   hold `{question}`, `{response}`, `{answer}` and `{reference}`) and `score`, a path such as
///   `result.scores[0]` to the number in the reply.
public struct RewardEndpointParameters: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public enum API: String, Sendable, Hashable { case classify, pooling, json }

    public var api: API
    /// Without a trailing slash.
    public var baseURL: String
    /// Appended to `baseURL`: "/classify", "/pooling" by default, "" for `json`.
    public var path: String
    /// The served model's name (`classify`, `pooling`).
    public var model: String?
    /// The input text template (`classify`, `pooling`).
    public var input: String
    /// Send `messages` (user: the question, assistant: the response) instead of `input`.
    public var chat: Bool
    /// The class (or column) read from the scores; nil for the last one. Negative counts from the end.
    public var classIndex: Int?
    /// Extra request fields (`classify`, `pooling`).
    public var extraBody: [String: JSONValue]
    /// The request body template (`json`).
    public var body: JSONValue?
    /// The path to the score in the reply (`json`), as written in the suite.
    public var score: String
    public var apiKeyEnv: String?
    public var extraHeaders: [String: String]
    public var timeout: Double
    public var maxRetries: Int
    public var retryBaseDelay: Double
    public var maxConcurrency: Int
    /// USD per million prompt (input) and output tokens of a call (`price_per_million`); 0 when
    /// not given. Not part of the fingerprint: a price shapes the cost, not the scores.
    public var pricePerMillionInput: Double = 0
    public var pricePerMillionOutput: Double = 0

    /// The price per million (input, output) tokens, nil when the suite gives none.
    public var price: (input: Double, output: Double)? {
        pricePerMillionInput > 0 || pricePerMillionOutput > 0 ? (pricePerMillionInput, pricePerMillionOutput) : nil
    }

    public static let defaultInput = "{question}\n\n{response}"

    public init(api: API, baseURL: String, path: String? = nil, model: String? = nil, input: String = RewardEndpointParameters.defaultInput,
                chat: Bool = false, classIndex: Int? = nil, extraBody: [String: JSONValue] = [:], body: JSONValue? = nil,
                score: String = "", apiKeyEnv: String? = nil, extraHeaders: [String: String] = [:], timeout: Double = 60,
                maxRetries: Int = 3, retryBaseDelay: Double = 0.5, maxConcurrency: Int = 16) {
        self.api = api
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.path = path ?? (api == .classify ? "/classify" : api == .pooling ? "/pooling" : "")
        self.model = model
        self.input = input
        self.chat = chat
        self.classIndex = classIndex
        self.extraBody = extraBody
        self.body = body
        self.score = score
        self.apiKeyEnv = apiKeyEnv
        self.extraHeaders = extraHeaders
        self.timeout = timeout
        self.maxRetries = maxRetries
        self.retryBaseDelay = retryBaseDelay
        self.maxConcurrency = maxConcurrency
    }

    public var url: String { baseURL + path }

    /// The canonical form that enters the system fingerprint: everything that shapes a score
    /// (URL, model, request shape, where the score is read), nothing that only shapes how it is
    /// fetched or priced (timeouts, retries, concurrency, headers, the key's variable, the price).
    public var description: String {
        var parts = ["api=\(api.rawValue)", "url=\(url)"]
        switch api {
        case .classify, .pooling:
            parts.append("model=\(model ?? "")")
            parts.append(chat ? "chat" : "input=\(JSONValue.string(input).canonicalString)")
            parts.append("class_index=\(classIndex.map(String.init) ?? "last")")
            if !extraBody.isEmpty { parts.append("extra_body=\(JSONValue.object(extraBody).canonicalString)") }
        case .json:
            parts.append("body=\((body ?? .null).canonicalString)")
            parts.append("score=\(score)")
        }
        return "reward-endpoint(\(parts.joined(separator: ",")))"
    }

    public var debugDescription: String { description }
}

extension RewardEndpointParameters: Encodable {
    /// What enters fingerprints: what shapes the scores (never the key's variable, headers,
    /// timeouts or limits), as in `description`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// One step of a score path: a key of an object, or an index into a list (negative from the end).
public enum JSONPathStep: Sendable, Hashable {
    case key(String)
    case index(Int)

    /// Parses `a.b[0].c`, `$.data[-1]`, `["a key"]`; a failure with the reason when malformed.
    public static func parse(_ text: String) -> Result<[JSONPathStep], PathError> {
        var chars = Array(text.trimmingCharacters(in: .whitespaces))
        if chars.first == "$" { chars.removeFirst() }
        var steps: [JSONPathStep] = []
        var i = 0
        var expectKey = !chars.isEmpty && chars[0] != "." && chars[0] != "["
        while i < chars.count || expectKey {
            if expectKey {
                var name = ""
                while i < chars.count, chars[i] != ".", chars[i] != "[" {
                    if chars[i] == "]" { return .failure(PathError(message: "unexpected ']' at character \(i + 1)")) }
                    name.append(chars[i])
                    i += 1
                }
                guard !name.isEmpty else { return .failure(PathError(message: "an empty key at character \(i + 1)")) }
                steps.append(.key(name))
                expectKey = false
                continue
            }
            switch chars[i] {
            case ".":
                i += 1
                expectKey = true
            case "[":
                guard let close = chars[i...].firstIndex(of: "]") else { return .failure(PathError(message: "an unclosed '['")) }
                let inner = String(chars[(i + 1)..<close])
                if inner.count >= 2, let q = inner.first, q == "\"" || q == "'", inner.last == q {
                    steps.append(.key(String(inner.dropFirst().dropLast())))
                } else if let n = Int(inner) {
                    steps.append(.index(n))
                } else {
                    return .failure(PathError(message: "'[\(inner)]' is neither an integer index nor a quoted key"))
                }
                i = close + 1
            default:
                return .failure(PathError(message: "unexpected '\(chars[i])' at character \(i + 1)"))
            }
        }
        guard !steps.isEmpty else { return .failure(PathError(message: "an empty path")) }
        return .success(steps)
    }

    public struct PathError: Error, Sendable { public var message: String }

    /// Follows `steps` from `value`; the path walked so far and what was found when it stops.
    package static func follow(_ steps: [JSONPathStep], in value: JSONValue) -> Result<JSONValue, PathError> {
        var current = value
        var walked = ""
        for step in steps {
            switch step {
            case .key(let k):
                guard let o = current.objectValue else { return .failure(PathError(message: "'\(walked.isEmpty ? "$" : walked)' is not an object")) }
                guard let next = o[k] else { return .failure(PathError(message: "no key '\(k)' at '\(walked.isEmpty ? "$" : walked)'")) }
                walked += walked.isEmpty ? k : ".\(k)"
                current = next
            case .index(let n):
                guard let a = current.arrayValue else { return .failure(PathError(message: "'\(walked.isEmpty ? "$" : walked)' is not a list")) }
                let j = n < 0 ? a.count + n : n
                guard j >= 0, j < a.count else { return .failure(PathError(message: "index \(n) is out of range of '\(walked.isEmpty ? "$" : walked)' (\(a.count) elements)")) }
                walked += "[\(n)]"
                current = a[j]
            }
        }
        return .success(current)
    }
}
