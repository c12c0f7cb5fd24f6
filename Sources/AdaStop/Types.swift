// Public value types of the AdaStop module. See ../shared/adastop/SPEC.md.

/// Outcome of one comparison `(a, b)`.
public enum Decision: String, Sendable, Codable {
    /// `a` has the larger mean and the difference is significant.
    case larger
    /// `a` has the smaller mean and the difference is significant.
    case smaller
    /// No difference detected within the `K` interims (not a proof of equality).
    case equal
}

/// How the boundary is computed from the permutation paths.
public enum BoundaryRule: String, Sendable, Codable {
    /// The test as the paper states it: maximum of `|S_c|` over comparisons, and the
    /// normalisation equal to the number of paths the list stands for. Default.
    case absolute
    /// Compatibility with PyPI `adastop` 0.1.3: signed maximum of `S_c` (Q1 in REFERENCE.md)
    /// and its normalisation `P^floor(ln B / ln P)` at random interims k >= 1 (Q2).
    case adastop013 = "adastop-0.1.3"
}

/// How the permutation distribution permutes a block's scores.
public enum PermutationScheme: String, Sendable, Codable, CaseIterable {
    /// SPEC.md: each comparison splits its own pair's 2n scores, the same positions for every
    /// comparison (exact enumeration when B > P^(k+1)). Matches the reference cases. Default.
    case pairwise
    /// One random permutation of the block scores of every active agent, dealt into groups of
    /// n, shared by all comparisons. A permutation of the data itself, so under the global null
    /// (all active agents equal) the maximum over comparisons has exactly its permutation
    /// distribution. Always the random regime (N = B). A departure from SPEC.md.
    case joint
    /// Closed testing over equality partitions (docs/statistics.md): a pair is decided once
    /// every partition hypothesis that puts both systems in one class of equals is rejected,
    /// each by its own group-sequential test permuting jointly within its classes. Holds the
    /// family-wise error in the strong sense for any number of systems without pooling unequal
    /// ones. Always the random regime (N = B). ttsbench's default; a departure from SPEC.md.
    /// Beyond `ClosedTesting.maxAgents` systems or `ClosedTesting.maxCells` path cells it runs
    /// `holm`, valid in the strong sense too (see `AdaStopTest.effectiveScheme`).
    case closed
    /// Holm's step-down over exact pairwise group-sequential permutation tests, with alpha
    /// recycled from decided pairs (Maurer & Bretz 2013). A departure from SPEC.md.
    case holm
}

/// Early accept: a comparison whose difference is shown to be small is decided "equal" before
/// the last interim (non-binding, so the rejection boundaries and the family-wise error are
/// unchanged).
///
/// At interim k < K-1, with m = (k+1)·n scores per system, d the difference of means, s the
/// pooled standard deviation and q the one-sided Student quantile 1 - beta/(K-1) with 2m-2
/// degrees of freedom, the pair is "equal" when `|d| + q·s·sqrt(2/m) < margin` (the upper
/// confidence bound on |Δ| lies below the margin). The margin is `marginSD · s` (relative, the
/// default) or an absolute difference in score units. Spending beta/(K-1) at each of the K-1
/// early looks bounds the chance of an early "equal" when |Δ| >= margin by beta (union bound;
/// measured in docs/statistics.md).
public struct Futility: Sendable, Codable, Equatable {
    /// The difference an early "equal" rules out.
    public enum Margin: Sendable, Codable, Equatable {
        /// In units of the pooled seed standard deviation.
        case standardDeviations(Double)
        /// In score units (e.g. 0.02 = two accuracy points).
        case absolute(Double)
    }
    public var margin: Margin
    /// Error of an early "equal" when the true difference is at least the margin.
    public var beta: Double

    public init(margin: Margin = .standardDeviations(0.9), beta: Double = 0.25) {
        self.margin = margin
        self.beta = beta
    }

    /// ttsbench's default: 0.9 seed standard deviations, beta 0.25 (chosen by stats-bench: two equal
    /// systems use under 60% of K·n seeds while the 0 / 0.7 / 1.4 power case keeps the pairwise power).
    public static let standard = Futility()

    /// Throws unless the parameters are usable.
    public func validate() throws {
        if !(beta > 0 && beta < 1) {
            throw AdaStopError.invalidParameter(name: "futility beta", value: "\(beta)", requirement: "strictly between 0 and 1")
        }
        switch margin {
        case .standardDeviations(let x), .absolute(let x):
            if !(x > 0 && x.isFinite) {
                throw AdaStopError.invalidParameter(name: "futility margin", value: "\(x)", requirement: "a positive number")
            }
        }
    }
}

/// Parameters of one AdaStop test.
public struct AdaStopConfig: Sendable, Codable, Equatable {
    /// K: maximum number of interims.
    public var interims: Int
    /// n: scores added per agent per interim.
    public var groupSize: Int
    /// B: permutation budget.
    public var permutations: Int
    /// Family-wise level.
    public var alpha: Double
    /// Seed of the random splits (used only in the random regime).
    public var seed: UInt64
    public var rule: BoundaryRule
    public var scheme: PermutationScheme
    /// Early accept of small differences; `nil` (SPEC.md, the reference) decides "equal" only at
    /// the last interim.
    public var futility: Futility?

    /// Defaults are SPEC.md's (pairwise, no early accept), which the reference cases pin;
    /// ttsbench's own rule is `AdaStopConfig.ttsbench(...)`.
    public init(interims: Int = 5, groupSize: Int = 5, permutations: Int = 10_000,
                alpha: Double = 0.05, seed: UInt64 = 0, rule: BoundaryRule = .absolute, scheme: PermutationScheme = .pairwise,
                futility: Futility? = nil) {
        self.interims = interims
        self.groupSize = groupSize
        self.permutations = permutations
        self.alpha = alpha
        self.seed = seed
        self.rule = rule
        self.scheme = scheme
        self.futility = futility
    }

    /// ttsbench's default rule: closed testing with early accept.
    public static func ttsbench(interims: Int, groupSize: Int, permutations: Int, alpha: Double, seed: UInt64) -> AdaStopConfig {
        AdaStopConfig(interims: interims, groupSize: groupSize, permutations: permutations, alpha: alpha, seed: seed,
                      rule: .absolute, scheme: .closed, futility: .standard)
    }

    private enum CodingKeys: String, CodingKey { case interims, groupSize, permutations, alpha, seed, rule, scheme, futility }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(interims: try c.decode(Int.self, forKey: .interims), groupSize: try c.decode(Int.self, forKey: .groupSize),
                  permutations: try c.decode(Int.self, forKey: .permutations), alpha: try c.decode(Double.self, forKey: .alpha),
                  seed: try c.decode(UInt64.self, forKey: .seed), rule: try c.decode(BoundaryRule.self, forKey: .rule),
                  scheme: try c.decodeIfPresent(PermutationScheme.self, forKey: .scheme) ?? .pairwise,
                  futility: try c.decodeIfPresent(Futility.self, forKey: .futility))
    }

    /// ", closed testing, early accept below 0.9 seed sd (beta 0.25)"; nothing for SPEC.md's
    /// test (pairwise, no early accept). The reports of `ttsbench adastop` and `compare` use it.
    public var schemeDescription: String {
        var out = ""
        switch scheme {
        case .pairwise: break
        case .joint: out += ", joint permutation"
        case .closed: out += ", closed testing"
        case .holm: out += ", Holm over exact pairwise tests"
        }
        if let f = futility {
            switch f.margin {
            case .standardDeviations(let x): out += ", early accept below \(formatNumber(x)) seed sd (beta \(formatNumber(f.beta)))"
            case .absolute(let x): out += ", early accept below \(formatNumber(x)) (beta \(formatNumber(f.beta)))"
            }
        }
        return out
    }

    /// Throws `AdaStopError.invalidParameter` unless every parameter is usable.
    public func validate() throws {
        if interims < 1 {
            throw AdaStopError.invalidParameter(name: "interims (K)", value: "\(interims)", requirement: "at least 1")
        }
        if groupSize < 1 || groupSize > maxGroupSize {
            throw AdaStopError.invalidParameter(name: "group size (n)", value: "\(groupSize)",
                                                requirement: "between 1 and \(maxGroupSize)")
        }
        if permutations < 1 {
            throw AdaStopError.invalidParameter(name: "permutations (B)", value: "\(permutations)", requirement: "at least 1")
        }
        if !(alpha > 0 && alpha < 1) {
            throw AdaStopError.invalidParameter(name: "alpha", value: "\(alpha)", requirement: "strictly between 0 and 1")
        }
        if scheme == .holm && groupSize > PairwiseHolm.maxGroupSize {
            throw AdaStopError.invalidParameter(name: "group size (n)", value: "\(groupSize)",
                                                requirement: "at most \(PairwiseHolm.maxGroupSize) with the holm permutation")
        }
        if scheme != .pairwise && rule != .absolute {
            throw AdaStopError.invalidParameter(name: "permutation scheme", value: scheme.rawValue,
                                                requirement: "the absolute rule (the reference's rule permutes pairs)")
        }
        if let futility {
            if rule != .absolute {
                throw AdaStopError.invalidParameter(name: "futility", value: "on",
                                                    requirement: "off with the reference's rule (adastop-0.1.3 has no early accept)")
            }
            try futility.validate()
        }
        // K*n must not overflow and the flat buffers must be addressable.
        let (_, overflow) = interims.multipliedReportingOverflow(by: groupSize)
        if overflow {
            throw AdaStopError.invalidParameter(name: "interims (K) x group size (n)", value: "\(interims) x \(groupSize)",
                                                requirement: "a representable number of scores")
        }
    }
}

/// Largest supported group size (split indices are stored as UInt16).
public let maxGroupSize = 10_000

/// A comparison of agent `a` against agent `b` (indices into the agent list).
public struct Comparison: Sendable, Hashable, Codable, CustomStringConvertible {
    public var a: Int
    public var b: Int
    public init(a: Int, b: Int) {
        self.a = a
        self.b = b
    }
    public init(_ a: Int, _ b: Int) {
        self.init(a: a, b: b)
    }
    public var description: String { "(\(a), \(b))" }

    /// Every pair `(i, j)` with `i < j`, in lexicographic order (the reference's default).
    public static func allPairs(agentCount: Int) -> [Comparison] {
        guard agentCount >= 2 else { return [] }
        var out: [Comparison] = []
        for i in 0..<agentCount {
            for j in (i + 1)..<agentCount { out.append(Comparison(i, j)) }
        }
        return out
    }

    /// `(0, j)` for every `j >= 1` (the reference's `--compare-to-first`).
    public static func toFirst(agentCount: Int) -> [Comparison] {
        guard agentCount >= 2 else { return [] }
        return (1..<agentCount).map { Comparison(0, $0) }
    }
}

/// State of one comparison.
public struct ComparisonResult: Sendable, Codable, Equatable {
    public var comparison: Comparison
    /// `nil` while undecided.
    public var decision: Decision?
    /// 0-based interim at which the decision was taken.
    public var interim: Int?
    /// Means of the scores the comparison was last evaluated on (the first `(k+1)·n` scores of
    /// each agent at the last interim it was active; 0 before the first interim).
    public var meanA: Double
    public var meanB: Double
    /// The observed statistic `T = (k+1)·|meanA − meanB|` at that interim (0 before the first).
    public var statistic: Double

    public init(comparison: Comparison, decision: Decision? = nil, interim: Int? = nil,
                meanA: Double = 0, meanB: Double = 0, statistic: Double = 0) {
        self.comparison = comparison
        self.decision = decision
        self.interim = interim
        self.meanA = meanA
        self.meanB = meanB
        self.statistic = statistic
    }
}

/// What happened at one interim.
public struct InterimRecord: Sendable, Codable, Equatable {
    public var interim: Int
    /// Final boundary `b_k` of the interim (after the step-down); `nil` means +infinity.
    public var boundary: Double?
    /// Cumulative level spent after this interim.
    public var levelSpent: Double
    /// Comparisons active at the start of this interim.
    public var active: [Comparison]
    /// Comparisons decided at this interim: step-down rejections in the order they were made,
    /// then, at the last interim, the ones declared "equal" (in comparison order).
    public var decided: [Comparison]
    /// Level added at this interim.
    public var levelAdded: Double
    /// Whether the permutation distribution was enumerated exactly (B > P^(k+1)).
    public var exact: Bool
    /// Number of permutation paths the boundary was computed on (after conditioning).
    public var paths: Int
    /// Normalisation N (number of equally likely paths the list stands for).
    public var normalization: Double

    public init(interim: Int, boundary: Double?, levelSpent: Double, active: [Comparison], decided: [Comparison],
                levelAdded: Double = 0, exact: Bool = false, paths: Int = 0, normalization: Double = 0) {
        self.interim = interim
        self.boundary = boundary
        self.levelSpent = levelSpent
        self.active = active
        self.decided = decided
        self.levelAdded = levelAdded
        self.exact = exact
        self.paths = paths
        self.normalization = normalization
    }
}

/// Every error the module throws.
public enum AdaStopError: Error, Sendable, Equatable, CustomStringConvertible {
    // Test set-up and use.
    case invalidParameter(name: String, value: String, requirement: String)
    case tooFewAgents(count: Int)
    case noComparisons
    case invalidComparison(Comparison, reason: String)
    case duplicateComparison(Comparison)
    case testFinished
    case wrongAgentCount(expected: Int, got: Int)
    case notEnoughScores(agent: Int, needed: Int, available: Int)
    case nonFiniteScore(agent: Int, index: Int)
    // CSV front end. Rows are 1-based file lines (the header is line 1), columns 1-based
    // file columns (an index column, if present, is column 1).
    case csvEmptyFile
    case csvTooFewAgents(count: Int)
    case csvEmptyAgentName(row: Int, column: Int)
    case csvDuplicateAgent(name: String, row: Int, column: Int, firstColumn: Int)
    case csvRaggedRow(row: Int, column: Int, agent: String?, expectedCells: Int, foundCells: Int)
    case csvNonNumeric(row: Int, column: Int, agent: String, text: String)
    case csvNonFinite(row: Int, column: Int, agent: String, text: String)
    case csvMissingValue(row: Int, column: Int, agent: String)
    case csvTooManyRows(row: Int, rows: Int, limit: Int)
    case csvUnterminatedQuote(row: Int, column: Int)

    /// 1-based file line of a CSV error, if any.
    public var row: Int? {
        switch self {
        case .csvEmptyAgentName(let r, _), .csvDuplicateAgent(_, let r, _, _), .csvRaggedRow(let r, _, _, _, _),
             .csvNonNumeric(let r, _, _, _), .csvNonFinite(let r, _, _, _), .csvMissingValue(let r, _, _),
             .csvTooManyRows(let r, _, _), .csvUnterminatedQuote(let r, _):
            return r
        default:
            return nil
        }
    }

    /// 1-based file column of a CSV error, if any.
    public var column: Int? {
        switch self {
        case .csvEmptyAgentName(_, let c), .csvDuplicateAgent(_, _, let c, _), .csvRaggedRow(_, let c, _, _, _),
             .csvNonNumeric(_, let c, _, _), .csvNonFinite(_, let c, _, _), .csvMissingValue(_, let c, _),
             .csvUnterminatedQuote(_, let c):
            return c
        default:
            return nil
        }
    }

    /// Agent (column header) named by a CSV error, if any.
    public var agent: String? {
        switch self {
        case .csvDuplicateAgent(let name, _, _, _): return name
        case .csvRaggedRow(_, _, let a, _, _): return a
        case .csvNonNumeric(_, _, let a, _), .csvNonFinite(_, _, let a, _), .csvMissingValue(_, _, let a): return a
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .invalidParameter(let name, let value, let requirement):
            return "invalid \(name): \(value) (must be \(requirement))"
        case .tooFewAgents(let count):
            return "AdaStop needs at least 2 agents, got \(count)"
        case .noComparisons:
            return "AdaStop needs at least one comparison"
        case .invalidComparison(let c, let reason):
            return "invalid comparison \(c): \(reason)"
        case .duplicateComparison(let c):
            return "comparison \(c) is listed twice (in either order)"
        case .testFinished:
            return "the AdaStop test is already finished: no interim left to run"
        case .wrongAgentCount(let expected, let got):
            return "expected scores for \(expected) agents, got \(got)"
        case .notEnoughScores(let agent, let needed, let available):
            return "agent \(agent) needs \(needed) scores for the next interim, has \(available)"
        case .nonFiniteScore(let agent, let index):
            return "score \(index + 1) of agent \(agent) is not a finite number"
        case .csvEmptyFile:
            return "the CSV file is empty: expected a header row of agent names"
        case .csvTooFewAgents(let count):
            return "the CSV header names \(count) agent\(count == 1 ? "" : "s"); AdaStop needs at least 2"
        case .csvEmptyAgentName(let row, let column):
            return "row \(row), column \(column): empty agent name in the header"
        case .csvDuplicateAgent(let name, let row, let column, let first):
            return "row \(row), column \(column): duplicate agent name \"\(name)\" (already column \(first))"
        case .csvRaggedRow(let row, let column, let agent, let expected, let found):
            let what = found < expected
                ? "missing cell for column \(column)\(agent.map { " (\"\($0)\")" } ?? "")"
                : "extra cell in column \(column), beyond the header"
            return "row \(row): \(found) cell\(found == 1 ? "" : "s") where the header has \(expected): \(what)"
        case .csvNonNumeric(let row, let column, let agent, let text):
            return "row \(row), column \(column) (\"\(agent)\"): \"\(text)\" is not a number"
        case .csvNonFinite(let row, let column, let agent, let text):
            return "row \(row), column \(column) (\"\(agent)\"): \"\(text)\" is not a finite number (NaN and infinities are refused)"
        case .csvMissingValue(let row, let column, let agent):
            return "row \(row), column \(column) (\"\(agent)\"): empty cell followed by further scores in the same column "
                + "(a column may only end early, when its agent needs no more scores)"
        case .csvTooManyRows(let row, let rows, let limit):
            return "row \(row): the file has \(rows) score rows, more than K·n = \(limit) (the test uses at most K·n scores per agent)"
        case .csvUnterminatedQuote(let row, let column):
            return "row \(row), column \(column): unterminated quoted cell"
        }
    }
}
