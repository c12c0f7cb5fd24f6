// What a report says about the test that ran: the procedure's name and its guarantee, from the
// scheme the test actually ran (`AdaStopTest.effectiveScheme`), never from the setting alone.

/// The procedure that decided a set of comparisons, and what it guarantees.
public struct Procedure: Sendable, Equatable {
    /// The scheme that ran.
    public var scheme: PermutationScheme
    public var rule: BoundaryRule
    public var comparisons: Int

    public init(scheme: PermutationScheme, rule: BoundaryRule, comparisons: Int) {
        self.scheme = scheme
        self.rule = rule
        self.comparisons = comparisons
    }

    /// The procedure of a test with these comparisons and settings.
    public init(agentCount: Int, comparisons: [Comparison], config: AdaStopConfig) {
        self.init(scheme: AdaStopTest.effectiveScheme(agentCount: agentCount, comparisons: comparisons, config: config),
                  rule: config.rule, comparisons: comparisons.count)
    }

    /// A short name for JSON: "closed", "holm", "pairwise", "joint" or "adastop-0.1.3".
    public var key: String { rule == .adastop013 ? BoundaryRule.adastop013.rawValue : scheme.rawValue }

    /// The procedure in words.
    public var name: String {
        if rule == .adastop013 { return "the reference's pairwise step-down (adastop 0.1.3 boundary rule)" }
        switch scheme {
        case .closed: return "closed testing over equality partitions"
        case .holm: return "Holm's step-down over exact pairwise permutation tests"
        case .pairwise: return "pairwise permutation step-down"
        case .joint: return "joint permutation step-down"
        }
    }

    /// Whether the family-wise error is held at alpha whatever the true differences.
    public var strong: Bool {
        guard rule == .absolute else { return false }
        switch scheme {
        case .closed, .holm: return true
        case .pairwise, .joint: return comparisons <= 1
        }
    }

    /// The guarantee in words, with the measured error where there is none (figures from
    /// stats-bench, docs/statistics.md).
    public var guarantee: String {
        if rule == .adastop013 {
            return "no guarantee: the reference's signed boundary runs a two-sided test at about twice alpha "
                + "(measured 0.097 with 2 equal systems, 2000 runs)"
        }
        if strong {
            return comparisons <= 1
                ? "the error of the verdict is at most alpha"
                : "family-wise error at most alpha whatever the true differences (strong control)"
        }
        switch scheme {
        case .joint:
            return "family-wise error at most alpha only when every compared system is equal (weak control): "
                + "no guarantee when some differ"
        default:
            return "no family-wise guarantee with several comparisons: measured error 0.0615 ± 0.0054 with 10 equal "
                + "systems (2000 runs) at alpha 0.05"
        }
    }

    /// "Holm's step-down over exact pairwise permutation tests: family-wise error at most ...".
    public var sentence: String { "Procedure: \(name); \(guarantee)." }
}
