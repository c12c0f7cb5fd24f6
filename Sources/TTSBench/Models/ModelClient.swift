/// A generator of completions: the seam between strategies and backends.
public protocol ModelClient: Sendable {
    /// Returns `request.n` completions, in sample order.
    func generate(_ request: GenerationRequest) async throws -> [Completion]
}

public struct ChatMessage: Sendable, Hashable, Codable {
    public var role: String
    public var content: String
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

public struct GenerationRequest: Sendable {
    public var messages: [ChatMessage]
    public var temperature: Double
    public var topP: Double
    public var maxTokens: Int
    public var stop: [String]
    /// Per-sample seed derived from stable identifiers (see `SampleKey.requestSeed`).
    public var seed: UInt64
    public var n: Int
    /// What only the simulated backend reads: real backends ignore it.
    public var context: ItemContext?

    public init(messages: [ChatMessage], temperature: Double, topP: Double = 1, maxTokens: Int = 2048,
                stop: [String] = [], seed: UInt64, n: Int = 1, context: ItemContext? = nil) {
        self.messages = messages
        self.temperature = temperature
        self.topP = topP
        self.maxTokens = maxTokens
        self.stop = stop
        self.seed = seed
        self.n = n
        self.context = context
    }
}

public struct ItemContext: Sendable {
    public var item: TaskItem
    /// Seeds of the individual samples when `n > 1` (element 0 is `request.seed`).
    public var sampleSeeds: [UInt64]
    public init(item: TaskItem, sampleSeeds: [UInt64]) {
        self.item = item
        self.sampleSeeds = sampleSeeds
    }
}

public struct Completion: Sendable, Hashable {
    public var text: String
    public var finishReason: String
    public var promptTokens: Int
    public var completionTokens: Int
    /// Latency of the request in milliseconds (simulated latency is recorded, not slept).
    public var latencyMs: Double
    public var responseID: String?
    /// True when token counts were estimated from the text because the server sent no usage.
    public var tokensEstimated: Bool

    public init(text: String, finishReason: String, promptTokens: Int, completionTokens: Int,
                latencyMs: Double, responseID: String? = nil, tokensEstimated: Bool = false) {
        self.text = text
        self.finishReason = finishReason
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.latencyMs = latencyMs
        self.responseID = responseID
        self.tokensEstimated = tokensEstimated
    }
}

public struct ModelError: Error, CustomStringConvertible, Sendable {
    public var model: String
    public var message: String
    public init(model: String, message: String) {
        self.model = model
        self.message = message
    }
    public var description: String { "model '\(model)': \(message)" }
}

/// Builds the client for a model of the suite.
public enum ModelClientFactory {
    public static func make(_ spec: ModelSpec, suiteSeed: UInt64) throws -> any ModelClient {
        switch spec.kind {
        case .simulated(let p):
            return SimulatedModel(name: spec.name, parameters: p, fingerprint: spec.fingerprint)
        }
    }
}
