public struct VerifierSpec: Sendable {
    public enum Kind: Sendable, Equatable {
        case exact(caseSensitive: Bool)
        case numeric(tolerance: Double)
        case math
        /// A simulated reward model: scores correct candidates higher with the given ROC AUC.
        case simulatedReward(auc: Double)
    }
    public var name: String
    public var kind: Kind

    /// Whether this verifier can decide correctness (and so be a system's verifier).
    public var judgesCorrectness: Bool {
        if case .simulatedReward = kind { return false }
        return true
    }
    /// Whether it yields a reward (and so can be a best-of-N scorer).
    public var givesReward: Bool {
        if case .simulatedReward = kind { return true }
        return false
    }
}

