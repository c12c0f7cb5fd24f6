import TTSCore
import TTSStore
public struct VerifierSpec: Sendable {
    public enum Kind: Sendable, Equatable, Encodable {
        case exact(caseSensitive: Bool)
        case numeric(tolerance: Double)
        case math
        /// A simulated reward model: scores correct candidates higher with the given ROC AUC.
        case simulatedReward(auc: Double)
        /// Runs the candidate's code against the item's tests in a sandbox (see `CodeVerifier`).
        case code(SandboxLimits)
        /// LLM-as-judge: `model` (a model of the suite) grades the candidate; `prompt` overrides
        /// `JudgeVerifier.defaultPrompt` (see `JudgeVerifier`).
        case judge(model: String, prompt: String?)
        /// An oracle reward: 1 when `using` (exact, numeric or math) finds the candidate correct, else 0.
        case oracle(using: String)
        /// A reward-model endpoint over HTTP (vLLM's classify or pooling API, or a JSON shape
        /// given in the suite; see `RewardEndpointVerifier`). Its description (URL, model,
        /// request shape, score path) enters the system fingerprint.
        case reward(RewardEndpointParameters)
    }
    public var name: String
    public var kind: Kind

    /// Whether this verifier can decide correctness (and so be a system's verifier).
    public var judgesCorrectness: Bool {
        if case .simulatedReward = kind { return false }
        if case .oracle = kind { return false }
        if case .reward = kind { return false }
        return true
    }
    /// Models of the suite this verifier calls (a judge): their fingerprints shape its verdicts.
    public var referencedModels: [String] {
        if case .judge(let model, _) = kind { return [model] }
        return []
    }
    /// Whether it yields a reward (and so can be a best-of-N scorer).
    public var givesReward: Bool {
        if case .simulatedReward = kind { return true }
        if case .oracle = kind { return true }
        if case .reward = kind { return true }
        return false
    }
    /// Whether it calls something outside the process (a model of the suite, an HTTP endpoint):
    /// such verifiers are never called when a leaderboard is regenerated from the database.
    public var callsOut: Bool {
        if case .reward = kind { return true }
        return !referencedModels.isEmpty
    }
}

