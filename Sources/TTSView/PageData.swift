import TTSStore

// What each page shows, as plain values: the HTML pages render them and the JSON API encodes
// them, so both say the same. Texts longer than the page's limit are clipped here, with the
// full length and a link to the rest.

/// A suite as the home page lists it.
public struct SuiteSummary: Sendable, Codable, Equatable {
    public var name: String
    public var systems: Int
    public var metric: String
    public var dataset: String
    public var items: Int
    public var createdAt: String
    public var updatedAt: String
}

/// A leaderboard row as the suite page shows it (the numbers of the published leaderboard).
public struct BoardRow: Sendable, Codable, Equatable {
    public var rank: String
    public var name: String
    public var model: String
    public var strategy: String
    public var verifier: String
    public var mean: Double
    public var ciLow: Double
    public var ciHigh: Double
    public var seeds: Int
    public var tokensPerItem: Double
    public var failures: Int
    public var noAnswerRate: Double?
    public var variantOf: String?
}

/// A decided (or open) comparison of the suite's test.
public struct DecisionData: Sendable, Codable, Equatable {
    public var a: String
    public var b: String
    public var decision: String
    public var interim: Int
    public var meanA: Double
    public var meanB: Double
}

public struct SuitePage: Sendable, Codable, Equatable {
    public var suite: String
    public var metric: String
    public var rows: [BoardRow]
    public var decisions: [DecisionData]
    public var note: String?
}

/// One item in a system's list.
public struct ItemRow: Sendable, Codable, Equatable {
    public var index: Int
    public var id: String
    /// Per seed in seed order: correct (true), wrong (false), or not recorded (nil).
    public var correct: [Bool?]
    /// The answers the system gave per seed.
    public var answers: [String?]
    /// The pool's answers over the seeds (most frequent first), when the pool is known.
    public var poolAnswers: [AnswerCount]?
    public var noAnswer: Int
    public var failures: Int
    public var truncated: Bool?
    public var accuracy: Double
}

/// The filters of a system's item list.
public enum ItemFilter: String, Sendable, Codable, CaseIterable {
    case all, wrong, noAnswer = "no-answer", failed, truncated, disagree
}

/// The orders of a system's item list.
public enum ItemSort: String, Sendable, Codable, CaseIterable {
    case item, accuracy, accuracyDesc = "accuracy-desc", noAnswer = "no-answer"
}

public struct SystemPage: Sendable, Codable, Equatable {
    public var suite: String
    public var system: String
    public var row: BoardRow?
    public var seeds: Int
    public var pool: String?
    public var filter: ItemFilter
    public var sort: ItemSort
    public var query: String
    public var page: Int
    public var pageSize: Int
    /// Items that pass the filter and search (all pages).
    public var matching: Int
    public var total: Int
    public var items: [ItemRow]
    public var note: String?
}

/// A text as a page carries it: at most the page's limit, with the full length.
public struct ClippedText: Sendable, Codable, Equatable {
    public var text: String
    /// Characters left out (0: the text is whole).
    public var omitted: Int
    init(_ full: String, limit: Int) {
        let (shown, omitted) = HTML.clip(full, limit: limit)
        text = shown
        self.omitted = omitted
    }
}

/// A sample or auxiliary call as the item page shows it.
public struct SampleData: Sendable, Codable, Equatable {
    public var id: Int64
    public var auxiliary: Bool
    public var callID: String?
    public var sampleIndex: Int?
    public var temperature: Double
    public var text: ClippedText?
    public var thinking: ClippedText?
    public var answer: String?
    public var extractRule: String?
    public var finishReason: String?
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var thinkingTokens: Int?
    public var latencyMs: Double?
    public var error: String?
    public var attempts: Int?
    public var retryLog: String?
    public var cached: Bool
    /// The strategy's view of it: its answer class, verdict and reward (from the pool scores).
    public var answerClass: Int?
    public var verdict: Bool?
    public var reward: Double?
}

/// One system's record of one item: every seed's outcome, and the chosen seed's samples.
public struct ItemSystemData: Sendable, Codable, Equatable {
    public var system: String
    public var outcomes: [BrowsedOutcome]
    public var samples: [SampleData]
    public var calls: [SampleData]
    /// The strategy's outcome at the chosen seed in words (votes and winner, chosen sample).
    public var strategyOutcome: String?
}

public struct ItemPage: Sendable, Codable, Equatable {
    public var suite: String
    public var item: String
    public var index: Int
    public var seed: Int
    public var seeds: Int
    public var prompt: ClippedText?
    public var reference: String?
    public var systems: [ItemSystemData]
    public var note: String?
}

/// One item where two systems differ.
public struct CompareRow: Sendable, Codable, Equatable {
    public var id: String
    public var accuracyA: Double
    public var accuracyB: Double
    public var answersA: [String?]
    public var answersB: [String?]
}

public struct ComparePage: Sendable, Codable, Equatable {
    public var suite: String
    public var a: String
    public var b: String
    public var seeds: Int
    /// The paired difference A − B over items and seeds, with its 95% interval.
    public var difference: Double?
    public var ciLow: Double?
    public var ciHigh: Double?
    public var itemPValue: Double?
    /// The AdaStop decision for the pair, as recorded ("larger": A better), if compared.
    public var decision: DecisionData?
    public var items: Int
    public var disagreements: [CompareRow]
}
