import TTSCore
import AdaStop

/// The metric a suite compares its systems on (`compare.metric`); stored by name.
public enum Metric: String, Sendable, Codable, CaseIterable {
    case accuracy
    case tokensPerItem = "tokens_per_item"
    case callsPerItem = "calls_per_item"

    /// Whether a larger value is better (accuracy), rather than a smaller one (a cost).
    public var higherIsBetter: Bool { self == .accuracy }
}

/// The AdaStop settings of a suite as recorded with it (`suites.compare_json`): written once
/// when a run registers its suite and read back, as this one record, by the reports and by the
/// check that a started test keeps its design.
///
/// The stored text is canonical JSON (sorted keys, integral numbers with ".0", others in their
/// shortest round-trip form), so a suite's settings are byte-stable across runs and releases.
/// Keys that older releases did not write (`permutation`, `futility`) stay optional when read,
/// and a record without them is written back without them. A stored value this release does
/// not know (a rule, a permutation scheme, a metric) is an error naming it, never a default.
public struct CompareSettings: Sendable, Equatable {
    /// Which pairs the test compares.
    public enum Comparisons: Sendable, Equatable {
        case all
        case pairs([[String]])
        case reference(String)
    }
    public enum PoolPolicy: String, Sendable, Codable {
        /// Systems on the same model and temperature read the same samples (paired, cheaper).
        case shared
        /// Every system draws its own samples (independent runs, as the permutation test assumes).
        case independent
    }
    /// The early-accept setting as recorded: off, or on with its parameters.
    public enum FutilitySetting: Sendable, Equatable {
        case off
        case on(Futility)
    }
    /// A spending limit of one run (`compare.budget`, or `run --max-samples/--max-tokens/--max-usd`):
    /// what the run may newly generate. Samples already recorded are free. Each limit is optional.
    public struct Budget: Sendable, Equatable {
        /// Generations: pooled samples plus auxiliary calls (fuser, refinement, continuation).
        public var samples: Int?
        /// Prompt plus completion tokens.
        public var tokens: Int?
        /// US dollars, from the models' prices.
        public var usd: Double?
        public init(samples: Int? = nil, tokens: Int? = nil, usd: Double? = nil) {
            (self.samples, self.tokens, self.usd) = (samples, tokens, usd)
        }
        public var isEmpty: Bool { samples == nil && tokens == nil && usd == nil }

        /// This budget with the limits `other` sets replacing its own (the command's flags over
        /// the suite's `compare.budget`).
        public func overridden(by other: Budget?) -> Budget {
            guard let other else { return self }
            return Budget(samples: other.samples ?? samples, tokens: other.tokens ?? tokens, usd: other.usd ?? usd)
        }

        /// "100000 samples, 2000000 tokens, $5.0" (the limits that are set).
        public var description: String {
            var parts: [String] = []
            if let samples { parts.append("\(samples) samples") }
            if let tokens { parts.append("\(tokens) tokens") }
            if let usd { parts.append("$\(usd)") }
            return parts.isEmpty ? "no limit" : parts.joined(separator: ", ")
        }
    }

    public var alpha: Double
    public var budget: Budget?
    public var comparisons: Comparisons
    /// nil when the settings predate early accept.
    public var futility: FutilitySetting?
    public var groupSize: Int
    public var maxInterims: Int
    public var metric: Metric
    /// nil when the settings predate the choice (they ran `pairwise`).
    public var permutation: PermutationScheme?
    public var permutations: Int
    public var pool: PoolPolicy
    public var rule: BoundaryRule

    public init(alpha: Double, budget: Budget? = nil, comparisons: Comparisons, futility: FutilitySetting?, groupSize: Int,
                maxInterims: Int, metric: Metric, permutation: PermutationScheme?, permutations: Int, pool: PoolPolicy,
                rule: BoundaryRule) {
        self.alpha = alpha
        self.budget = budget
        self.comparisons = comparisons
        self.futility = futility
        self.groupSize = groupSize
        self.maxInterims = maxInterims
        self.metric = metric
        self.permutation = permutation
        self.permutations = permutations
        self.pool = pool
        self.rule = rule
    }

    /// The scheme the settings ran with (`pairwise` for settings that predate the choice).
    public var scheme: PermutationScheme { permutation ?? .pairwise }
}

// MARK: stored form

extension CompareSettings {
    /// The stored text: canonical JSON (sorted keys, no whitespace).
    public var canonicalJSON: String { jsonValue.canonicalString }

    /// The settings without the budget: the test's design (the budget limits one run's
    /// spending, not what the test is).
    public var design: CompareSettings {
        var d = self
        d.budget = nil
        return d
    }

    public var jsonValue: JSONValue {
        var o: [String: JSONValue] = [
            "alpha": .double(alpha), "comparisons": comparisons.jsonValue, "group_size": .int(Int64(groupSize)),
            "max_interims": .int(Int64(maxInterims)), "metric": .string(metric.rawValue), "permutations": .int(Int64(permutations)),
            "pool": .string(pool.rawValue), "rule": .string(rule.rawValue),
        ]
        if let budget { o["budget"] = budget.jsonValue }
        if let futility { o["futility"] = futility.jsonValue }
        if let permutation { o["permutation"] = .string(permutation.rawValue) }
        return .object(o)
    }

    /// Reads stored settings; a malformed text or an unknown value is an error naming it.
    public init(json text: String) throws {
        guard let value = JSONValue.parse(Array(text.utf8)), value.objectValue != nil else {
            throw CompareSettingsError(message: "the recorded AdaStop settings are not a JSON object: \(text)")
        }
        func fail(_ key: String, _ what: String) -> CompareSettingsError {
            CompareSettingsError(message: "the recorded AdaStop settings cannot be read: '\(key)' \(what) (in \(text))")
        }
        func number(_ key: String) throws -> Double {
            guard let d = value[key]?.doubleValue else { throw fail(key, "is missing or not a number") }
            return d
        }
        func integer(_ key: String) throws -> Int {
            guard let i = value[key]?.intValue else { throw fail(key, "is missing or not an integer") }
            return i
        }
        func word<E: RawRepresentable<String>>(_ key: String, _ type: E.Type, known: [E]) throws -> E {
            guard let s = value[key]?.stringValue else { throw fail(key, "is missing or not a string") }
            guard let e = E(rawValue: s) else {
                throw fail(key, "is '\(s)', which this version does not know (known: \(known.map(\.rawValue).joined(separator: ", ")))")
            }
            return e
        }
        self.alpha = try number("alpha")
        self.groupSize = try integer("group_size")
        self.maxInterims = try integer("max_interims")
        self.permutations = try integer("permutations")
        self.metric = try word("metric", Metric.self, known: Metric.allCases)
        self.pool = try word("pool", PoolPolicy.self, known: [.shared, .independent])
        self.rule = try word("rule", BoundaryRule.self, known: [.absolute, .adastop013])
        self.permutation = value["permutation"] == nil ? nil : try word("permutation", PermutationScheme.self, known: PermutationScheme.allCases)
        self.comparisons = try Comparisons(value["comparisons"]) ?? { throw fail("comparisons", "is not 'all', a list of pairs or {reference}") }()
        if let f = value["futility"] {
            guard let setting = FutilitySetting(f) else { throw fail("futility", "is neither \"off\" nor {beta, margin_sd | margin}") }
            self.futility = setting
        } else {
            self.futility = nil
        }
        if let b = value["budget"] {
            guard let o = b.objectValue, o.keys.allSatisfy(["samples", "tokens", "usd"].contains) else {
                throw fail("budget", "is not {samples, tokens, usd}")
            }
            self.budget = Budget(samples: b["samples"]?.intValue, tokens: b["tokens"]?.intValue, usd: b["usd"]?.doubleValue)
        } else {
            self.budget = nil
        }
    }
}

extension CompareSettings.Comparisons {
    /// `"all"`, `[["a","b"],...]` or `{"reference":"a"}`.
    public var jsonValue: JSONValue {
        switch self {
        case .all: .string("all")
        case .reference(let r): .object(["reference": .string(r)])
        case .pairs(let p): .array(p.map { .array($0.map(JSONValue.string)) })
        }
    }

    init?(_ value: JSONValue?) {
        switch value {
        case nil: self = .all
        case .string("all")?: self = .all
        case .object(let o)? where o.count == 1:
            guard let r = o["reference"]?.stringValue else { return nil }
            self = .reference(r)
        case .array(let a)?:
            var pairs: [[String]] = []
            for pair in a {
                guard let names = pair.arrayValue?.compactMap(\.stringValue), names.count == 2, pair.arrayValue?.count == 2 else { return nil }
                pairs.append(names)
            }
            self = .pairs(pairs)
        default: return nil
        }
    }
}

extension CompareSettings.FutilitySetting {
    /// `"off"`, `{"beta":0.25,"margin_sd":0.9}` or `{"beta":0.1,"margin":0.02}`.
    public var jsonValue: JSONValue {
        switch self {
        case .off: return .string("off")
        case .on(let f):
            switch f.margin {
            case .standardDeviations(let x): return .object(["beta": .double(f.beta), "margin_sd": .double(x)])
            case .absolute(let x): return .object(["beta": .double(f.beta), "margin": .double(x)])
            }
        }
    }

    init?(_ value: JSONValue) {
        if value.stringValue == "off" { self = .off; return }
        guard let beta = value["beta"]?.doubleValue else { return nil }
        if let sd = value["margin_sd"]?.doubleValue {
            self = .on(Futility(margin: .standardDeviations(sd), beta: beta))
        } else if let m = value["margin"]?.doubleValue {
            self = .on(Futility(margin: .absolute(m), beta: beta))
        } else {
            return nil
        }
    }

    /// In words: "off", "0.9 seed sd, beta 0.25" or "0.02 (score units), beta 0.1".
    public var summary: String {
        switch self {
        case .off: return "off"
        case .on(let f):
            switch f.margin {
            case .standardDeviations(let sd): return "\(shortNumber(sd)) seed sd, beta \(shortNumber(f.beta))"
            case .absolute(let m): return "\(shortNumber(m)) (score units), beta \(shortNumber(f.beta))"
            }
        }
    }
}

extension CompareSettings.Budget {
    /// Only the limits that are set.
    public var jsonValue: JSONValue {
        var o: [String: JSONValue] = [:]
        if let samples { o["samples"] = .int(Int64(samples)) }
        if let tokens { o["tokens"] = .int(Int64(tokens)) }
        if let usd { o["usd"] = .double(usd) }
        return .object(o)
    }
}

/// Stored compare settings that cannot be read: malformed, or a value this release does not know.
public struct CompareSettingsError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
    public init(message: String) { self.message = message }
}
