import TTSCore
import TTSStore
public struct StrategySpec: Sendable {
    public enum Kind: Sendable, Equatable, Encodable {
        case single
        case majority(n: Int)
        case bestOfN(n: Int, scorer: String)
        case weightedMajority(n: Int, scorer: String, weighting: VoteWeighting)
        case multiTemperature(MultiTemperatureParameters)
        case fusion(FusionParameters)
        case firstFinish(n: Int)
        case refine(RefineParameters)
        case budgetForcing(BudgetForcingParameters)
    }
    public var name: String
    public var kind: Kind
    /// Sampling temperature. For `multi_temperature`, the lowest of its temperatures.
    public var temperature: Double
    public var topP: Double
    /// Completion budget of each pooled sample. For `budget_forcing`, `budget − answer_tokens`.
    public var maxTokens: Int

    /// Pooled samples drawn per item (at most, for strategies that can stop early).
    public var samplesPerItem: Int {
        switch kind {
        case .single, .budgetForcing: 1
        case .majority(let n), .bestOfN(let n, _), .weightedMajority(let n, _, _), .firstFinish(let n): n
        case .multiTemperature(let p): p.n
        case .fusion(let p): p.n
        case .refine(let p): p.mode == .sequential ? 1 : p.drafts
        }
    }

    /// The reward verifier the strategy scores with, if any (part of the system fingerprint).
    public var scorer: String? {
        switch kind {
        case .bestOfN(_, let s), .weightedMajority(_, let s, _): s
        default: nil
        }
    }

    /// Other models the strategy calls (the fuser), if any (part of the system fingerprint).
    public var referencedModels: [String] {
        if case .fusion(let p) = kind, let fuser = p.fuser { return [fuser] }
        return []
    }

    public var label: String {
        switch kind {
        case .single: "single"
        case .majority(let n): "majority@\(n)"
        case .bestOfN(let n, _): "best_of_n@\(n)"
        case .weightedMajority(let n, _, _): "weighted_majority@\(n)"
        case .multiTemperature(let p): "multi_temperature@\(p.n)[\(p.temperatures.map { shortNumber($0) }.joined(separator: ","))]"
        case .fusion(let p): "fusion@\(p.n)" + (p.fuser.map { " (fuser \($0))" } ?? "")
        case .firstFinish(let n): "first_finish@\(n)"
        case .refine(let p):
            p.mode == .sequential ? "refine@\(p.rounds)r" : "pdr@\(p.drafts)x\(p.rounds)r"
        case .budgetForcing(let p): "budget_forcing@\(p.budget)"
        }
    }
}

/// How a weighted-majority vote turns a reward into a vote weight.
public enum VoteWeighting: String, Sendable, CaseIterable, Encodable {
    /// σ(reward): for rewards on the logit scale (a classifier's score), always positive.
    case sigmoid
    /// The reward itself, with negative rewards counted as 0 (for rewards already in [0, 1]).
    case raw
}

public struct MultiTemperatureParameters: Sendable, Equatable, Encodable {
    /// Ascending, distinct.
    public var temperatures: [Double]
    /// The total sample budget, split over the temperatures.
    public var n: Int
    public var minPerTemperature: Int
    public var tauIntra: Double
    public var tauCross: Double
    public var finalRule: FinalRule

    public enum FinalRule: String, Sendable, CaseIterable, Encodable {
        /// Majority over all samples drawn, pooled across temperatures.
        case pooled
        /// The two-stage vote: majority within each temperature, then across their winners.
        case twoStage = "two_stage"
    }

    /// Samples per temperature: `n` split evenly, the remainder to the lowest temperature.
    public var allocation: [Int] {
        let base = n / temperatures.count
        var out = [Int](repeating: base, count: temperatures.count)
        out[0] += n - base * temperatures.count
        return out
    }
}

public struct FusionParameters: Sendable, Equatable, Encodable {
    public var n: Int
    /// The fuser model's name; nil means self-fusion (the system's own model).
    public var fuser: String?
    public var fuserTemperature: Double
    /// Must contain `{question}` and `{candidates}`; may contain `{n}`.
    public var prompt: String
    /// Each candidate is cut to its last this-many characters (the end holds the answer).
    public var maxCandidateChars: Int

    public static let defaultPrompt = """
        You are given a problem and {n} candidate solutions written independently. Some of them may be wrong, \
        and the most common answer is not always right. Compare them, check their reasoning, and write one \
        final solution of your own: reuse correct steps, fix mistakes, and put the final answer in \\boxed{}.

        Problem:
        {question}

        {candidates}
        """
}

public struct RefineParameters: Sendable, Equatable, Encodable {
    public enum Mode: String, Sendable, CaseIterable, Encodable {
        /// Draft, then `rounds` rounds of "improve your answer" with the previous answer in context.
        case sequential
        /// Parallel-Distill-Refine: `drafts` drafts, a bounded workspace distilled from them, a refined answer.
        case parallel
    }
    public var mode: Mode
    public var rounds: Int
    /// Parallel drafts per round (parallel mode).
    public var drafts: Int
    /// Maximum characters of the distilled workspace (parallel mode).
    public var workspace: Int

    public static let refineInstruction = """
        Review your solution above carefully. If you find a mistake, correct it; if it is right, confirm it. \
        Then give the final answer in \\boxed{}.
        """

    public static let distillInstruction = """
        Below is a summary of several independent attempts at this problem: the answers they reached and how \
        many attempts reached each, with an excerpt of the reasoning. The attempts may be wrong. Using it as \
        a workspace, solve the problem once more, carefully, and put the final answer in \\boxed{}.
        """
}

public struct BudgetForcingParameters: Sendable, Equatable, Encodable {
    /// Total completion tokens per item, over all calls.
    public var budget: Int
    /// A trace that stops before this many completion tokens is extended with the cue.
    public var minTokens: Int
    /// At most this many cue extensions.
    public var maxWaits: Int
    public var cue: String
    /// Tokens kept back for the forced final answer when the trace is cut at the budget.
    public var answerTokens: Int

    public static let concludeCue = "\n\nTime is up. The final answer is $\\boxed{"
}

