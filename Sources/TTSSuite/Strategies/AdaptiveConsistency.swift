import TTSCore

/// `kind: adaptive_consistency`: Adaptive-Consistency (Aggarwal et al. 2023, "Let's Sample Step by
/// Step: Adaptive-Consistency for Efficient Reasoning and Coding with LLMs"): read pooled samples
/// 0, 1, 2, ... one at a time and stop when a posterior on the answer counts says the leading
/// answer stays the leader with probability `threshold`, or at `max_n`.
///
/// ```yaml
/// ac16: {kind: adaptive_consistency, max_n: 16}                    # Beta rule, threshold 0.95
/// ac16d: {kind: adaptive_consistency, max_n: 16, rule: dirichlet, threshold: 0.9, min_n: 3}
/// ```
public struct AdaptiveConsistencyKind: ParsableStrategyKind, Equatable {
    public static let name = "adaptive_consistency"
    public static let fingerprintTag = "adaptiveConsistency"
    static let keys = ["max_n", "min_n", "rule", "threshold"]
    public static let defaultThreshold = 0.95

    public enum Rule: String, Sendable, CaseIterable, Encodable {
        case beta, dirichlet
    }

    public var maxN: Int
    public var minN: Int
    public var rule: Rule
    public var threshold: Double

    public init(maxN: Int, minN: Int = 1, rule: Rule = .beta, threshold: Double = Self.defaultThreshold) {
        self.maxN = maxN
        self.minN = minN
        self.rule = rule
        self.threshold = threshold
    }

    static func parse(_ s: YAMLCursor, context: inout StrategyParseContext) throws -> Self {
        let (maxN, minN) = try context.adaptiveBudget(s, defaultMinimum: 1)
        let rule = try s.optional("rule").map { Rule(rawValue: try $0.oneOf(Rule.allCases.map(\.rawValue)))! } ?? .beta
        return Self(maxN: maxN, minN: minN, rule: rule, threshold: try context.stoppingThreshold(s) ?? defaultThreshold)
    }

    public var samplesPerItem: Int { maxN }
    /// At most `max_n` pooled samples: budgets price the cap, the run records what was read.
    public func calls(temperature: Double, ownModel: String) -> StrategyCalls { .pooled(temperature, maxN) }
    public var label: String {
        var parts: [String] = []
        if rule != .beta { parts.append(rule.rawValue) }
        if threshold != Self.defaultThreshold { parts.append(shortNumber(threshold)) }
        if minN != 1 { parts.append("min\(minN)") }
        return "adaptive_consistency\(parts.isEmpty ? "" : "-" + parts.joined(separator: "-"))@\(maxN)"
    }
}

extension StrategyParseContext {
    /// `max_n` (required, 1 to 4096) and `min_n` (1 to max_n) of an adaptive strategy.
    func adaptiveBudget(_ s: YAMLCursor, defaultMinimum: Int) throws -> (maxN: Int, minN: Int) {
        let maxN = try s.required("max_n", expected: "the most samples read per item, at least 1").int(min: 1, max: 4096)
        let minN = try s.optional("min_n").map { try $0.int(min: 1, max: maxN) } ?? min(defaultMinimum, maxN)
        return (maxN, minN)
    }

    /// `threshold`: a posterior probability above 1/2 and below 1.
    func stoppingThreshold(_ s: YAMLCursor) throws -> Double? {
        guard let t = s.optional("threshold") else { return nil }
        let value = try t.double(min: 0.5, max: 1, exclusiveMin: true)
        guard value < 1 else { throw t.error("'\(t.pathString)' must be below 1 (a posterior never reaches 1, so the rule would never stop), found \(shortNumber(value))") }
        return value
    }
}
