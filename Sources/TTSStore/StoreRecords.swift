import TTSDesign
import TTSCore
import AdaStop
import GRDB

// The store's own record types: what is written and read, with no knowledge of the runtime
// types (models, strategies, verifiers) that produce them. The runtime converts its values
// into these records; reports read them back through `StoreReader`.

/// A suite as recorded by a run: its settings and everything a report shows about where the
/// numbers come from (`provenance`), so that no report needs the suite file or the data file.
public struct SuiteRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "suites"

    public var name: String
    public var fingerprint: String
    /// The version of the fingerprint scheme (`Fingerprint.version` when recorded).
    public var fingerprintVersion: Int
    /// The suite file's text, as run.
    public var yaml: String
    public var taskDigest: String
    /// The AdaStop settings: `CompareSettings.canonicalJSON` (read with `compareSettings()`).
    public var compareJSON: String
    /// `ProvenanceRecord` as canonical JSON.
    public var provenanceJSON: String
    /// When the suite was first recorded, and when its fingerprint last changed (ISO 8601).
    public var createdAt: String
    public var updatedAt: String

    public init(name: String, fingerprint: String, fingerprintVersion: Int, yaml: String, taskDigest: String,
                compareJSON: String, provenanceJSON: String, createdAt: String = "", updatedAt: String = "") {
        self.name = name
        self.fingerprint = fingerprint
        self.fingerprintVersion = fingerprintVersion
        self.yaml = yaml
        self.taskDigest = taskDigest
        self.compareJSON = compareJSON
        self.provenanceJSON = provenanceJSON
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case name, fingerprint, yaml
        case fingerprintVersion = "fingerprint_version", taskDigest = "task_digest"
        case compareJSON = "compare_json", provenanceJSON = "provenance_json"
        case createdAt = "created_at", updatedAt = "updated_at"
    }
}

/// Where a suite's numbers come from, recorded at run time (API keys are never part of it).
public struct ProvenanceRecord: Codable, Sendable, Equatable {
    public struct Dataset: Codable, Sendable, Equatable {
        public var name: String
        /// "generated: arithmetic, items 200, ..." or "file: data/q.jsonl" (as written in the suite).
        public var source: String
        /// SHA-256 of the data file's bytes (nil for a generated task).
        public var fileSHA256: String?
        public var limit: Int?
        public var items: Int
        public var taskDigest: String
        public init(name: String, source: String, fileSHA256: String?, limit: Int?, items: Int, taskDigest: String) {
            self.name = name
            self.source = source
            self.fileSHA256 = fileSHA256
            self.limit = limit
            self.items = items
            self.taskDigest = taskDigest
        }
        enum CodingKeys: String, CodingKey {
            case name, source, limit, items
            case fileSHA256 = "file_sha256", taskDigest = "task_digest"
        }
    }
    public struct Endpoint: Codable, Sendable, Equatable {
        public var api: String
        /// The name of the variable holding the key, never the key.
        public var apiKeyEnv: String?
        /// Without user info, query or fragment.
        public var baseURLs: [String]
        public var model: String
        public init(api: String, apiKeyEnv: String?, baseURLs: [String], model: String) {
            self.api = api
            self.apiKeyEnv = apiKeyEnv
            self.baseURLs = baseURLs
            self.model = model
        }
        enum CodingKeys: String, CodingKey {
            case api, model
            case apiKeyEnv = "api_key_env", baseURLs = "base_urls"
        }
    }
    public struct Model: Codable, Sendable, Equatable {
        public var name: String
        public var kind: String
        public var label: String
        public var fingerprint: String
        public var endpoint: Endpoint?
        public init(name: String, kind: String, label: String, fingerprint: String, endpoint: Endpoint?) {
            self.name = name
            self.kind = kind
            self.label = label
            self.fingerprint = fingerprint
            self.endpoint = endpoint
        }
    }
    public struct Dependency: Codable, Sendable, Equatable {
        public var name: String
        public var version: String
        public init(name: String, version: String) {
            self.name = name
            self.version = version
        }
    }
    public var dataset: Dataset
    public var models: [Model]
    public var suiteSeed: UInt64
    public var ttsbenchVersion: String
    /// The commit ttsbench was built from (stamped at build time), or "unknown".
    public var ttsbenchCommit: String
    /// Resolved versions of ttsbench's package dependencies (stamped at build time).
    public var dependencies: [Dependency]
    public var fingerprintVersion: Int

    public init(dataset: Dataset, models: [Model], suiteSeed: UInt64, ttsbenchVersion: String, ttsbenchCommit: String,
                dependencies: [Dependency], fingerprintVersion: Int) {
        self.dataset = dataset
        self.models = models
        self.suiteSeed = suiteSeed
        self.ttsbenchVersion = ttsbenchVersion
        self.ttsbenchCommit = ttsbenchCommit
        self.dependencies = dependencies
        self.fingerprintVersion = fingerprintVersion
    }
    enum CodingKeys: String, CodingKey {
        case dataset, models, dependencies
        case suiteSeed = "suite_seed", ttsbenchVersion = "ttsbench_version", ttsbenchCommit = "ttsbench_commit"
        case fingerprintVersion = "fingerprint_version"
    }
}

/// A model of a suite (what a replay model looks up).
public struct ModelRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "models"
    public var suite: String
    public var name: String
    public var fingerprint: String
    public var label: String
    public init(suite: String, name: String, fingerprint: String, label: String) {
        self.suite = suite
        self.name = name
        self.fingerprint = fingerprint
        self.label = label
    }
}

/// One system of a suite, with everything a leaderboard shows about it.
public struct SystemRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "systems"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var suite: String
    public var name: String
    public var fingerprint: String
    public var model: String
    public var modelLabel: String
    public var strategy: String
    public var strategyLabel: String
    public var verifier: String
    public var simulated: Bool
    public var position: Int
    public var seedsUsed: Int
    /// For a leaderboard twin: its base system and which twin ("multi_temperature", "fusion").
    public var variantOf: String?
    public var variant: String?
    /// The strategy kind ("majority", "best_of_n", ...): curves and plot colours group by it.
    public var family: String
    /// Pooled samples per item (N).
    public var samplesPerItem: Int
    /// Every generation at temperature 0 on a deterministic model: one seed's samples serve every
    /// seed index (nil in databases recorded before schema 11: not deterministic).
    public var deterministic: Bool? = nil

    public init(suite: String, name: String, fingerprint: String, model: String, modelLabel: String, strategy: String,
                strategyLabel: String, verifier: String, simulated: Bool, position: Int, seedsUsed: Int = 0,
                variantOf: String? = nil, variant: String? = nil, family: String, samplesPerItem: Int) {
        self.suite = suite
        self.name = name
        self.fingerprint = fingerprint
        self.model = model
        self.modelLabel = modelLabel
        self.strategy = strategy
        self.strategyLabel = strategyLabel
        self.verifier = verifier
        self.simulated = simulated
        self.position = position
        self.seedsUsed = seedsUsed
        self.variantOf = variantOf
        self.variant = variant
        self.family = family
        self.samplesPerItem = samplesPerItem
    }
}

/// One generated sample (or the error that prevented it) of a pool, or an auxiliary call.
public struct StoredSample: Sendable, Hashable {
    public var itemID: String
    public var seedIndex: Int
    public var temperature: Double
    /// The sample's index in the pool; -1 for an auxiliary call.
    public var sampleIndex: Int
    public var requestSeed: UInt64
    public var text: String?
    public var answer: String?
    public var finishReason: String?
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var latencyMs: Double?
    public var error: String?
    public var tokensEstimated: Bool
    public var attempts: Int?
    public var retryLog: String?
    public var cost: Double?
    public var logprobs: String?
    public var cached: Bool
    /// The extraction rule that found `answer` ("boxed", "marker", "latex", "number", ...); nil
    /// when no answer was found or the sample predates schema 5.
    public var extractRule: String?
    /// The thinking, recorded apart from `text` (the answer part); nil without thinking.
    public var reasoning: String?
    /// Thinking tokens (part of `completionTokens`); nil for samples recorded before them.
    public var reasoningTokens: Int?

    public init(itemID: String, seedIndex: Int, temperature: Double, sampleIndex: Int, requestSeed: UInt64, text: String?,
                answer: String?, finishReason: String?, promptTokens: Int?, completionTokens: Int?, latencyMs: Double?,
                error: String?, tokensEstimated: Bool = false, attempts: Int? = nil, retryLog: String? = nil, cost: Double? = nil,
                logprobs: String? = nil, cached: Bool = false, extractRule: String? = nil, reasoning: String? = nil,
                reasoningTokens: Int? = nil) {
        self.reasoning = reasoning
        self.reasoningTokens = reasoningTokens
        self.itemID = itemID
        self.seedIndex = seedIndex
        self.temperature = temperature
        self.sampleIndex = sampleIndex
        self.requestSeed = requestSeed
        self.text = text
        self.answer = answer
        self.finishReason = finishReason
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.latencyMs = latencyMs
        self.error = error
        self.tokensEstimated = tokensEstimated
        self.attempts = attempts
        self.retryLog = retryLog
        self.cost = cost
        self.logprobs = logprobs
        self.cached = cached
        self.extractRule = extractRule
    }
}

/// A sample to write, with the pool it belongs to.
public struct SampleRecord: Sendable {
    public var pool: String
    public var sample: StoredSample
    public init(pool: String, sample: StoredSample) {
        self.pool = pool
        self.sample = sample
    }
}

public struct SampleKey: Hashable, Sendable {
    public var item: String
    public var temperature: Double
    public var sampleIndex: Int
    public init(item: String, temperature: Double, sampleIndex: Int) {
        self.item = item
        self.temperature = temperature
        self.sampleIndex = sampleIndex
    }
}

/// What one seed run of one system scored on one item.
public struct OutcomeRecord: Codable, Sendable, Hashable {
    public var itemID: String
    public var answer: String?
    public var correct: Bool
    public var reward: Double?
    public var promptTokens: Int
    public var completionTokens: Int
    public var calls: Int
    public var failures: Int
    /// Generation time of every call the strategy made for the item, summed.
    public var latencyMs: Double
    public var detail: String
    /// The pool as the leaderboard's estimators see it (`PoolScores`), when recorded.
    public var poolScores: PoolScores?
    /// Completions the strategy read (failed calls excluded), and how many of them had no answer
    /// the task's extraction could read, with the first such completion; nil when not recorded.
    public var completions: Int?
    public var noAnswer: Int?
    public var noAnswerText: String?
    /// Generated tokens on the critical path (the longest chain of dependent calls); nil when
    /// not recorded (outcomes written before schema 6).
    public var sequentialTokens: Int?
    /// Thinking tokens of the item's calls, and how many completions read ended inside their
    /// thinking; nil when not recorded (outcomes written before thinking was recorded).
    public var thinkingTokens: Int?
    public var unfinishedThinking: Int?
    /// Pooled samples the strategy read, and the sequential rounds it read them in (strategies
    /// that read the pool round by round: the adaptive votes); nil when not recorded.
    public var samplesRead: Int? = nil
    public var rounds: Int? = nil
    /// US dollars of the generator's calls, each at the price of the model that answered it (a
    /// fuser at the fuser's price); nil when not priced this way (then `SeedRunRecord.price` prices the tokens).
    public var usd: Double? = nil
    /// The verifier's calls on the item (a judge): calls, tokens and US dollars at the judge's
    /// price; nil when the verifier made no recorded call.
    public var verifierCalls: Int? = nil
    public var verifierTokens: Int? = nil
    public var verifierUSD: Double? = nil

    public init(itemID: String, answer: String?, correct: Bool, reward: Double?, promptTokens: Int, completionTokens: Int,
                calls: Int, failures: Int, latencyMs: Double, detail: String, poolScores: PoolScores? = nil,
                completions: Int? = nil, noAnswer: Int? = nil, noAnswerText: String? = nil, sequentialTokens: Int? = nil,
                thinkingTokens: Int? = nil, unfinishedThinking: Int? = nil, samplesRead: Int? = nil, rounds: Int? = nil) {
        self.samplesRead = samplesRead
        self.rounds = rounds
        self.thinkingTokens = thinkingTokens
        self.unfinishedThinking = unfinishedThinking
        self.itemID = itemID
        self.answer = answer
        self.correct = correct
        self.reward = reward
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.calls = calls
        self.failures = failures
        self.latencyMs = latencyMs
        self.detail = detail
        self.poolScores = poolScores
        self.completions = completions
        self.noAnswer = noAnswer
        self.noAnswerText = noAnswerText
        self.sequentialTokens = sequentialTokens
    }
}

/// How often a system's completions had no answer its task's extraction could read.
public struct NoAnswerSummary: Sendable {
    /// Whether every outcome recorded the figures (outcomes written before schema 5 did not).
    public var recorded: Bool
    public var completions: Int
    public var noAnswer: Int
    /// A few completions with no answer: (item id, text).
    public var examples: [(item: String, text: String)]

    public init(recorded: Bool, completions: Int, noAnswer: Int, examples: [(item: String, text: String)]) {
        self.recorded = recorded
        self.completions = completions
        self.noAnswer = noAnswer
        self.examples = examples
    }

    /// The share of completions with no answer; nil when not recorded or nothing was read.
    public var rate: Double? { recorded && completions > 0 ? Double(noAnswer) / Double(completions) : nil }
}

/// Per-seed scores of a system (what AdaStop compares).
public struct SeedScores: Sendable, Hashable {
    public var accuracy: Double
    public var tokensPerItem: Double
    public var callsPerItem: Double
    public var failures: Int

    public init(accuracy: Double, tokensPerItem: Double, callsPerItem: Double, failures: Int) {
        self.accuracy = accuracy
        self.tokensPerItem = tokensPerItem
        self.callsPerItem = callsPerItem
        self.failures = failures
    }

    public func value(of metric: Metric) -> Double {
        switch metric {
        case .accuracy: accuracy
        case .tokensPerItem: tokensPerItem
        case .callsPerItem: callsPerItem
        }
    }
}

/// One finished seed run: a system over every item of the task.
public struct SeedRunRecord: Sendable {
    public var systemFingerprint: String
    public var systemName: String
    public var seedIndex: Int
    public var outcomes: [OutcomeRecord]
    /// USD per million (input, output) tokens, when the model is priced.
    public var price: (input: Double, output: Double)?

    public init(systemFingerprint: String, systemName: String, seedIndex: Int, outcomes: [OutcomeRecord],
                price: (input: Double, output: Double)? = nil) {
        self.systemFingerprint = systemFingerprint
        self.systemName = systemName
        self.seedIndex = seedIndex
        self.outcomes = outcomes
        self.price = price
    }

    public var accuracy: Double { outcomes.isEmpty ? 0 : Double(outcomes.filter(\.correct).count) / Double(outcomes.count) }
    public var tokensPerItem: Double {
        outcomes.isEmpty ? 0 : Double(outcomes.reduce(0) { $0 + $1.promptTokens + $1.completionTokens }) / Double(outcomes.count)
    }
    public var callsPerItem: Double { outcomes.isEmpty ? 0 : Double(outcomes.reduce(0) { $0 + $1.calls }) / Double(outcomes.count) }
    public var latencyMsPerItem: Double { outcomes.isEmpty ? 0 : outcomes.reduce(0) { $0 + $1.latencyMs } / Double(outcomes.count) }
    public var failures: Int { outcomes.reduce(0) { $0 + $1.failures } }
    /// Mean generated tokens on the critical path per item; nil unless every outcome has them.
    public var sequentialTokensPerItem: Double? {
        let values = outcomes.compactMap(\.sequentialTokens)
        guard !outcomes.isEmpty, values.count == outcomes.count else { return nil }
        return Double(values.reduce(0, +)) / Double(outcomes.count)
    }
    /// Mean thinking tokens per item; nil unless every outcome has them.
    public var thinkingTokensPerItem: Double? {
        let values = outcomes.compactMap(\.thinkingTokens)
        guard !outcomes.isEmpty, values.count == outcomes.count else { return nil }
        return Double(values.reduce(0, +)) / Double(outcomes.count)
    }
    /// US dollars per item, generator and verifier calls together, each call at its own model's
    /// price. Outcomes priced per call (`OutcomeRecord.usd`, `verifierUSD`) are summed; otherwise
    /// cost is linear in tokens, so the outcomes' token totals at `price` give the exact cost.
    /// Nil when nothing is priced.
    public var costPerItem: Double? {
        if outcomes.contains(where: { $0.usd != nil || $0.verifierUSD != nil }) {
            return outcomes.reduce(0.0) { $0 + ($1.usd ?? 0) + ($1.verifierUSD ?? 0) } / Double(outcomes.count)
        }
        return price.map { price in
            outcomes.isEmpty ? 0 : outcomes.reduce(0.0) {
                $0 + (Double($1.promptTokens) * price.input + Double($1.completionTokens) * price.output) / 1e6
            } / Double(outcomes.count)
        }
    }
    /// Verifier calls and tokens per item (a judge's), 0 when the verifier made none.
    public var verifierCallsPerItem: Double {
        outcomes.isEmpty ? 0 : Double(outcomes.reduce(0) { $0 + ($1.verifierCalls ?? 0) }) / Double(outcomes.count)
    }
    public var verifierTokensPerItem: Double {
        outcomes.isEmpty ? 0 : Double(outcomes.reduce(0) { $0 + ($1.verifierTokens ?? 0) }) / Double(outcomes.count)
    }
    /// The verifier's US dollars per item (part of `costPerItem`); nil when none of its calls was priced.
    public var verifierCostPerItem: Double? {
        guard !outcomes.isEmpty, outcomes.contains(where: { $0.verifierUSD != nil }) else { return nil }
        return outcomes.reduce(0.0) { $0 + ($1.verifierUSD ?? 0) } / Double(outcomes.count)
    }
}

/// A committed seed run as the leaderboard reads it.
public struct SeedRunRow: Codable, Sendable, Equatable, FetchableRecord {
    public var seedIndex: Int
    public var accuracy: Double
    public var tokensPerItem: Double
    public var callsPerItem: Double
    public var failures: Int
    public var costPerItem: Double?
    public var latencyMsPerItem: Double
    /// Generated tokens on the critical path per item; nil for runs recorded before schema 6.
    public var sequentialTokensPerItem: Double?
    /// Thinking tokens per item; nil for runs recorded before thinking was recorded.
    public var thinkingTokensPerItem: Double? = nil
    /// The verifier's (a judge's) calls, tokens and US dollars per item; nil for runs recorded
    /// before verifier calls were (schema 12). `costPerItem` includes the verifier's cost.
    public var verifierCallsPerItem: Double? = nil
    public var verifierTokensPerItem: Double? = nil
    public var verifierCostPerItem: Double? = nil
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
}

/// One interim of a sequential test, as recorded.
public struct InterimRow: Sendable, Equatable {
    public var interim: Int
    public var boundary: Double?
    public var levelSpent: Double
    /// The comparisons still undecided before the interim, by system names.
    public var active: [[String]]
    public init(interim: Int, boundary: Double?, levelSpent: Double, active: [[String]]) {
        self.interim = interim
        self.boundary = boundary
        self.levelSpent = levelSpent
        self.active = active
    }
}

/// A decided comparison: "larger" (a better), "smaller" (b better) or "equal".
public struct DecisionRecord: Codable, Sendable, Equatable, FetchableRecord {
    public var a: String
    public var b: String
    /// The test's decision; nil when undecided (the run stopped before the test decided, for
    /// `reason`).
    public var decision: Decision?
    /// The last interim the comparison was evaluated at (-1 when no interim ran).
    public var interim: Int
    public var meanA: Double
    public var meanB: Double
    /// Why an "undecided" comparison was left open ("budget"); nil for a decision.
    public var reason: String?
    public init(a: String, b: String, decision: Decision?, interim: Int, meanA: Double, meanB: Double, reason: String? = nil) {
        self.a = a
        self.b = b
        self.decision = decision
        self.interim = interim
        self.meanA = meanA
        self.meanB = meanB
        self.reason = reason
    }

    /// The `decision` column holds the decision ("larger", "smaller", "equal"), or "undecided"
    /// or "undecided:<reason>" (no column of its own: the schema stays version 4). Any other
    /// text is an error naming it.
    public init(row: Row) throws {
        a = row["a"]
        b = row["b"]
        let stored: String = row["decision"]
        let word: String
        if let colon = stored.firstIndex(of: ":") {
            word = String(stored[..<colon])
            reason = String(stored[stored.index(after: colon)...])
        } else {
            word = stored
            reason = nil
        }
        if word == "undecided" {
            decision = nil
        } else if let d = Decision(rawValue: word) {
            decision = d
        } else {
            throw StoreError(message: "the recorded decision of \(a) vs \(b) is '\(stored)', which this version does not know "
                + "(known: larger, smaller, equal, undecided)")
        }
        interim = row["interim"]
        meanA = row["mean_a"]
        meanB = row["mean_b"]
    }

    /// The text of the `decision` column.
    var storedDecision: String {
        let word = decision?.rawValue ?? "undecided"
        return reason.map { "\(word):\($0)" } ?? word
    }

    /// The decision in words: "larger", "smaller", "equal" or "undecided".
    public var word: String { decision?.rawValue ?? "undecided" }
}

public struct StoreError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
    public init(message: String) { self.message = message }
}
