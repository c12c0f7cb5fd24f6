public struct StrategySpec: Sendable {
    public enum Kind: Sendable, Equatable {
        case single
        case majority(n: Int)
        case bestOfN(n: Int, scorer: String)
    }
    public var name: String
    public var kind: Kind
    public var temperature: Double
    public var topP: Double
    public var maxTokens: Int

    /// Samples drawn per item.
    public var samplesPerItem: Int {
        switch kind {
        case .single: 1
        case .majority(let n), .bestOfN(let n, _): n
        }
    }

    public var label: String {
        switch kind {
        case .single: "single"
        case .majority(let n): "majority@\(n)"
        case .bestOfN(let n, _): "best_of_n@\(n)"
        }
    }
}

