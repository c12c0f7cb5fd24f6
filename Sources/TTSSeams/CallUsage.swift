/// What some model calls spent: calls, tokens and US dollars at the price of the model that
/// answered each call. An outcome carries one for its verifier's calls (a judge), beside the
/// generator's figures.
///
/// ```swift
/// var usage = CallUsage()
/// usage.add(completion, usd: 0.0012)   // one judge call
/// usage.calls == 1
/// ```
public struct CallUsage: Sendable, Hashable {
    public var calls = 0
    public var promptTokens = 0
    public var completionTokens = 0
    public var thinkingTokens = 0
    /// Nil while no call had a priced model.
    public var usd: Double? = nil

    public init() {}

    public var tokens: Int { promptTokens + completionTokens }

    /// Counts one call's completion, priced `usd` (nil: its model has no price).
    public mutating func add(_ completion: Completion, usd callUSD: Double?) {
        calls += 1
        promptTokens += completion.promptTokens
        completionTokens += completion.completionTokens
        thinkingTokens += completion.reasoningTokens
        if let callUSD { usd = (usd ?? 0) + callUSD }
    }

    public static func + (a: CallUsage, b: CallUsage) -> CallUsage {
        var sum = a
        sum.calls += b.calls
        sum.promptTokens += b.promptTokens
        sum.completionTokens += b.completionTokens
        sum.thinkingTokens += b.thinkingTokens
        if let u = b.usd { sum.usd = (sum.usd ?? 0) + u }
        return sum
    }
}
