import TTSCore
public struct ModelSpec: Sendable {
    public enum Kind: Sendable {
        case simulated(SimulatedModelParameters)
        /// An OpenAI-compatible endpoint (vLLM, SGLang, llama.cpp, Ollama, a hosted API).
        case openai(OpenAIModelParameters)
        /// Recorded completions served again (from a ttsbench database or a JSONL file).
        case replay(ReplayModelParameters)
    }
    public var name: String
    public var kind: Kind
    /// Identifies the generator's behaviour: samples are pooled per fingerprint, so changing a
    /// model's parameters never reuses samples drawn under the old ones.
    public var fingerprint: String
    /// A short description for leaderboards ("simulated, ability 1.0").
    public var label: String

    /// USD per million (input, output) tokens; nil for a model without a price (only `kind:
    /// openai` models with `price_per_million` set have one).
    public var price: (input: Double, output: Double)? {
        guard case .openai(let p) = kind, p.pricePerMillionInput > 0 || p.pricePerMillionOutput > 0 else { return nil }
        return (p.pricePerMillionInput, p.pricePerMillionOutput)
    }
}

public struct SimulatedModelParameters: Sendable, Equatable {
    /// Latent ability on the logit scale; items have difficulty ~ N(0, 1).
    public var ability: Double
    /// Mean completion length in tokens of a correct trace (wrong ones run ~35% longer).
    public var meanTokens: Double
    /// Milliseconds per generated token, for the recorded (not slept) latency.
    public var msPerToken: Double
    /// Number of distinct plausible wrong answers per item.
    public var distractors: Int

    public init(ability: Double, meanTokens: Double = 220, msPerToken: Double = 20, distractors: Int = 4) {
        self.ability = ability
        self.meanTokens = meanTokens
        self.msPerToken = msPerToken
        self.distractors = distractors
    }
}


/// A `kind: openai` model. Everything that shapes a sample is in `fingerprintText`; the
/// URLs, the trusted CA file, the API key's variable, headers, limits and prices are not (they
/// do not change what the model says), so moving a model to another replica keeps its samples.
public struct OpenAIModelParameters: Sendable, Equatable {
    public enum API: String, Sendable, CaseIterable { case chat, completions }
    /// `plain`: temperature (and top_p) only, with the server's other samplers switched off
    /// (`top_k: 0, min_p: 0, repeat_penalty: 1, repetition_penalty: 1`), as the statistics
    /// assume. `server`: only the OpenAI-standard fields, leaving the server's defaults (for
    /// hosted APIs that reject unknown fields).
    public enum Sampling: String, Sendable, CaseIterable { case plain, server }
    public enum SupportsN: String, Sendable, CaseIterable { case auto, `true`, `false` }
    /// Which replica of `base_urls` serves a request. `affinity`: the requests of one item go to
    /// one replica (rendezvous hashing of the item id over the healthy replicas; a saturated or
    /// failing replica spills to the least loaded), so prefix caches hit. `least_loaded`: the
    /// replica with the fewest outstanding requests. Not fingerprinted: which replica answers
    /// does not change what a sample is (like the URLs themselves).
    public enum Routing: String, Sendable, CaseIterable {
        case affinity
        case leastLoaded = "least_loaded"
    }

    public var baseURLs: [String]
    public var model: String
    public var api: API
    /// Name of the environment variable holding the API key (read when the client is made).
    public var apiKeyEnv: String?
    public var maxConcurrency: Int
    /// Per-request timeout, seconds.
    public var timeout: Double
    public var maxRetries: Int
    /// First backoff delay, seconds (doubled per retry, with full jitter, capped at 30 s).
    public var retryBaseDelay: Double
    public var extraBody: [String: JSONValue]
    public var extraHeaders: [String: String]
    /// USD per million prompt and completion tokens.
    public var pricePerMillionInput: Double
    public var pricePerMillionOutput: Double
    public var supportsN: SupportsN
    /// Top log-probabilities per token to request and store (nil: none).
    public var logprobs: Int?
    public var sampling: Sampling
    /// Stop sequences sent with every request of this model.
    public var stop: [String]
    /// Use the content-addressed request cache of the database.
    public var cache: Bool
    /// How requests are spread over `baseURLs` (no effect with one URL).
    public var routing: Routing = .affinity
    /// PEM file of the certificate authorities an `https://` endpoint's certificate must chain to
    /// (`ca_file:`, resolved against the suite's directory); nil: the system's trust store. A
    /// transport setting like the URLs: not fingerprinted.
    public var caFile: String?
    /// How a partial solution is continued (step-level search); nil: as the API does by default.
    public var continuation: Continuation?
    /// The server answers a temperature-0 request the same way whatever the seed (`deterministic:
    /// true`; default false, because batched GPU inference is not bit-reproducible). Its
    /// temperature-0 samples are then generated for one seed and read for every seed index.
    public var deterministic = false
    /// How the thinking is told apart from the answer (`reasoning:`).
    public var reasoning = ReasoningOptions()
    /// `reasoning_effort` sent with every request (OpenAI o-series, gpt-oss: low, medium, high).
    public var reasoningEffort: String?
    /// Qwen3-style thinking switch, sent as `chat_template_kwargs: {enable_thinking: ...}`.
    public var enableThinking: Bool?
    /// Thinking tokens `budget_forcing` allows before it closes the thinking and asks for the
    /// answer (s1-style); other strategies send it nowhere.
    public var thinkingBudget: Int?

    /// How the model continues a partial solution (the assistant's text so far).
    public enum Continuation: String, Sendable, CaseIterable {
        /// The completions API: the prefix is appended to the prompt (the default of `api: completions`).
        case completions
        /// The chat API with assistant-prefix continuation: the last message is the assistant's
        /// text so far, and the body carries vLLM's `continue_final_message: true,
        /// add_generation_prompt: false`.
        case chatPrefix = "chat_prefix"
        /// The model cannot continue a partial solution (the default of `api: chat`).
        case none
    }

    /// `continuation`, or the API's default: `completions` for the completions API, `none` for chat.
    public var effectiveContinuation: Continuation { continuation ?? (api == .completions ? .completions : .none) }

    public init(baseURLs: [String], model: String, api: API = .chat, apiKeyEnv: String? = nil, maxConcurrency: Int = 16,
                timeout: Double = 120, maxRetries: Int = 6, retryBaseDelay: Double = 0.5, extraBody: [String: JSONValue] = [:],
                extraHeaders: [String: String] = [:], pricePerMillionInput: Double = 0, pricePerMillionOutput: Double = 0,
                supportsN: SupportsN = .auto, logprobs: Int? = nil, sampling: Sampling = .plain, stop: [String] = [], cache: Bool = true) {
        self.baseURLs = baseURLs
        self.model = model
        self.api = api
        self.apiKeyEnv = apiKeyEnv
        self.maxConcurrency = maxConcurrency
        self.timeout = timeout
        self.maxRetries = maxRetries
        self.retryBaseDelay = retryBaseDelay
        self.extraBody = extraBody
        self.extraHeaders = extraHeaders
        self.pricePerMillionInput = pricePerMillionInput
        self.pricePerMillionOutput = pricePerMillionOutput
        self.supportsN = supportsN
        self.logprobs = logprobs
        self.sampling = sampling
        self.stop = stop
        self.cache = cache
    }

    /// What shapes the samples (never the key, the URLs, the CA file or the headers).
    public var fingerprintText: String {
        "openai-v1|model=\(model)|api=\(api.rawValue)|sampling=\(sampling.rawValue)|stop=\(JSONValue.array(stop.map { .string($0) }).canonicalString)"
            + "|logprobs=\(logprobs.map(String.init) ?? "-")|extra_body=\(JSONValue.object(extraBody).canonicalString)"
            // Only chat-prefix continuation changes what is sent; the others keep existing fingerprints.
            + (continuation == .chatPrefix ? "|continuation=chat_prefix" : "")
            // Only when set: existing fingerprints stay as they were.
            + (deterministic ? "|deterministic=true" : "")
            // Reasoning keys enter only when given, so suites without them keep their fingerprints.
            + reasoning.fingerprintText
            + (reasoningEffort.map { "|reasoning_effort=\($0)" } ?? "")
            + (enableThinking.map { "|enable_thinking=\($0)" } ?? "")
            + (thinkingBudget.map { "|thinking_budget=\($0)" } ?? "")
    }

    /// Request fields the reasoning keys add (merged under `extra_body`, which may override them).
    public var reasoningBody: [String: JSONValue] {
        var b: [String: JSONValue] = [:]
        if let reasoningEffort { b["reasoning_effort"] = .string(reasoningEffort) }
        if let enableThinking { b["chat_template_kwargs"] = .object(["enable_thinking": .bool(enableThinking)]) }
        return b
    }
}

/// A `kind: replay` model: serves recorded completions instead of calling a model.
public struct ReplayModelParameters: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        /// A ttsbench database; `suite`/`model` name the recorded model whose samples are served.
        case database(path: String, suite: String, model: String)
        /// A JSONL file, one completion a line (see docs/models.md).
        case jsonl(path: String)
    }
    public var source: Source
    public var shownPath: String
    /// For imported repeats (`sample_index` lines): how many repeats each seed takes. Sample `i`
    /// of seed index `s` is repeat `s * repeatsPerSeed + i` (see docs/importing.md).
    public var repeatsPerSeed: Int?
    /// Whether a seed past the imported repeats wraps around to repeat `r mod N` (reusing
    /// samples, so later seeds are not independent of earlier ones) instead of stopping the run.
    public var reuseRepeats: Bool
    /// How a `file` is written: ttsbench's replay JSONL, or another harness's log read directly.
    public var format: ReplayFile.Format = .replay
    public init(source: Source, shownPath: String, repeatsPerSeed: Int? = nil, reuseRepeats: Bool = false, format: ReplayFile.Format = .replay) {
        self.source = source
        self.shownPath = shownPath
        self.format = format
        self.repeatsPerSeed = repeatsPerSeed
        self.reuseRepeats = reuseRepeats
    }
}

extension ModelSpec {
    /// Whether a temperature-0 sample is the same for every seed index: the simulated backend
    /// (greedy decoding draws from the model and item only), a replay of recorded answers (it
    /// serves seed 0's), and an endpoint marked `deterministic: true`. Such samples are generated
    /// once, for seed 0. Not a replay of imported repeats, which serves them by position.
    public var deterministicAtZero: Bool {
        switch kind {
        case .simulated: return true
        case .replay(let p): return p.repeatsPerSeed == nil
        case .openai(let p): return p.deterministic
        }
    }

    /// The seed index whose samples a seed `seedIndex` reads at `temperature`: 0 for a
    /// deterministic model at temperature 0 (one seed's samples serve every seed), else itself.
    public func sampleSeed(_ seedIndex: Int, temperature: Double) -> Int {
        deterministicAtZero && temperature == 0 ? 0 : seedIndex
    }

    public var isSimulated: Bool {
        if case .simulated = kind { return true }
        return false
    }

    /// Why the model cannot continue a partial solution (step-level search), or nil when it can:
    /// simulated models can, endpoints through the completions API or chat-prefix continuation,
    /// replayed models cannot (they serve recorded pooled samples only).
    public var continuationProblem: String? {
        switch kind {
        case .simulated: return nil
        case .replay: return "model '\(name)' is a replay model, which serves recorded pooled samples only and cannot continue a partial solution"
        case .openai(let p):
            guard p.effectiveContinuation == .none else { return nil }
            return "model '\(name)' (\(p.api.rawValue) API) cannot continue a partial solution; give it 'continuation: chat_prefix' (a server that supports assistant-prefix continuation, such as vLLM's continue_final_message) or use 'api: completions'"
        }
    }

    /// The model kind as written in a suite.
    public var kindName: String {
        switch kind {
        case .simulated: "simulated"
        case .openai: "openai"
        case .replay: "replay"
        }
    }
}
