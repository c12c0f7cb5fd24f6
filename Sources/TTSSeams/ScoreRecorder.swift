import Synchronization
import TTSSuite

/// One request to a scoring endpoint (a reward model, a process reward model), as its verifier
/// hands it to the `ScoreRecorder`.
public struct ScoringCall: Sendable {
    /// What identifies the endpoint and shapes its scores (the kind's canonical description: URL,
    /// model, request shape); calls to one endpoint share one record.
    public var endpoint: String
    /// The verifier's name in the suite (recorded as the call's answerer).
    public var verifier: String
    /// The request's bytes: its digest is the call's id, so the same request is made once.
    public var body: [UInt8]
    /// USD per million (input, output) tokens of the endpoint (`price_per_million`), when priced.
    public var price: (input: Double, output: Double)?

    public init(endpoint: String, verifier: String, body: [UInt8], price: (input: Double, output: Double)? = nil) {
        self.endpoint = endpoint
        self.verifier = verifier
        self.body = body
        self.price = price
    }
}

/// Where a scoring verifier's calls are made once: the verifier describes the request and how to
/// make it (`make` returns the reply as a `Completion`: the scores as text, the endpoint's
/// prompt tokens, attempts and latency); the recorder returns the recorded reply when there is
/// one. In a run it is the store's record (`RecordedScores` in the runtime: cached, resumed,
/// counted and priced as the item's verifier compute); outside one, `InProcessScores`.
///
/// ```swift
/// let reply = try await scores.reply(to: ScoringCall(endpoint: p.description, verifier: name, body: bytes), item: item) {
///     try await send(bytes)
/// }
/// ```
public protocol ScoreRecorder: Sendable {
    /// The reply to `call` on `item`: the recorded one, else `make()`'s, recorded. An error of
    /// `make` records nothing.
    func reply(to call: ScoringCall, item: TaskItem, make: @escaping @Sendable () async throws -> Completion) async throws -> Completion
}

/// No record: each distinct request (endpoint and bytes) is sent once per process, and nothing
/// is counted. What a verifier built outside a run uses.
public final class InProcessScores: ScoreRecorder {
    private let memo = Mutex<[String: Completion]>([:])

    public init() {}

    public func reply(to call: ScoringCall, item: TaskItem, make: @escaping @Sendable () async throws -> Completion) async throws -> Completion {
        let key = call.endpoint + "\n" + String(decoding: call.body, as: UTF8.self)
        if let done = memo.withLock({ $0[key] }) { return done }
        let reply = try await make()
        memo.withLock { $0[key] = reply }
        return reply
    }
}
