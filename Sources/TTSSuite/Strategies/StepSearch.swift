import TTSCore

/// What every step-level search strategy (`beam_search`, `dvts`, `particle_filtering`) shares:
/// how a solution is cut into steps, how far the search may go, and the process reward model
/// (PRM) that scores the steps.
///
/// ```yaml
/// strategies:
///   beam16:
///     kind: beam_search
///     n: 16
///     beam_width: 4
///     prm: prm          # a verifier of kind prm (an endpoint) or simulated_prm
///     aggregation: last # last | min | prod, as search-and-learn's agg_strategy
///     max_steps: 40     # the 40th step is generated to the end, without the delimiter stop
///     delimiter: "\n\n" # a step ends here (the stop string of every step call)
/// ```
/// A step-level search kind: it draws no pooled sample, scores with its PRM, makes at most
/// n step calls per search step, and needs a model that can continue a partial solution.
protocol StepSearchKind: ParsableStrategyKind {
    var search: StepSearchParameters { get }
}

extension StepSearchKind {
    public var samplesPerItem: Int { 0 }
    public var scorerName: String? { search.prm }
    public func calls(temperature: Double, ownModel: String) -> StrategyCalls {
        StrategyCalls(samples: [], auxiliary: [(ownModel, search.n * search.maxSteps)], scorings: search.n * search.maxSteps)
    }
    public var continuesPartialSolutions: Bool { true }
}

/// A step-level search over n/beam_width beams or subtrees of `beam_width` continuations each
/// (`beam_search`, `dvts`): the same keys, parsing and label (`<name>@<n>x<beam_width>`); the
/// kinds differ in what their runtime keeps at each step.
protocol BeamWidthSearchKind: StepSearchKind {
    var beamWidth: Int { get }
    init(search: StepSearchParameters, beamWidth: Int)
}

extension BeamWidthSearchKind {
    static var keys: [String] { StepSearchParameters.keys + ["beam_width"] }

    static func parse(_ s: YAMLCursor, context: inout StrategyParseContext) throws -> Self {
        let search = try StepSearchParameters.parse(s, context: context)
        return Self(search: search, beamWidth: try StepSearchParameters.beamWidth(s, n: search.n))
    }

    public var label: String { "\(Self.name)@\(search.n)x\(beamWidth)" }
}

public struct StepSearchParameters: Sendable, Hashable, Encodable {
    /// The total width: step calls per search step (at most).
    public var n: Int
    /// The process reward model: a verifier of the suite that scores steps.
    public var prm: String
    public var aggregation: PRMAggregation
    /// Steps per solution at most; the last one is generated without the delimiter stop.
    public var maxSteps: Int
    /// The text that ends a step (`stop` of every step call but the last).
    public var delimiter: String
    /// A step containing this text is the final step of its solution (it states the answer).
    public var finalMarker: String

    public static let defaultDelimiter = "\n\n"
    public static let defaultFinalMarker = "\\boxed"
    public static let defaultMaxSteps = 40

    public init(n: Int, prm: String, aggregation: PRMAggregation = .last, maxSteps: Int = StepSearchParameters.defaultMaxSteps,
                delimiter: String = StepSearchParameters.defaultDelimiter, finalMarker: String = StepSearchParameters.defaultFinalMarker) {
        self.n = n
        self.prm = prm
        self.aggregation = aggregation
        self.maxSteps = maxSteps
        self.delimiter = delimiter
        self.finalMarker = finalMarker
    }

    /// The keys every search kind takes, beside its own.
    static let keys = ["n", "prm", "aggregation", "max_steps", "delimiter", "final_marker"]

    /// Reads the shared keys of a search strategy.
    static func parse(_ s: YAMLCursor, context: StrategyParseContext) throws -> Self {
        var p = Self(n: try context.samples(s), prm: try context.prm(s))
        if let c = s.optional("aggregation") { p.aggregation = PRMAggregation(rawValue: try c.oneOf(PRMAggregation.allCases.map(\.rawValue)))! }
        if let c = s.optional("max_steps") { p.maxSteps = try c.int(min: 1, max: 1000) }
        for (key, keyPath) in [("delimiter", \Self.delimiter), ("final_marker", \Self.finalMarker)] {
            guard let c = s.optional(key) else { continue }
            // Whitespace is a fine delimiter ("\n\n" is the default); only the empty string is not.
            let text = try c.string(nonEmpty: false)
            guard !text.isEmpty else { throw c.error("'\(c.pathString)' must not be empty") }
            p[keyPath: keyPath] = text
        }
        return p
    }

    /// `beam_width`, which must divide `n` (n/beam_width beams or subtrees).
    static func beamWidth(_ s: YAMLCursor, n: Int) throws -> Int {
        let c = try s.required("beam_width", expected: "continuations per beam and step, a divisor of n")
        let w = try c.int(min: 1, max: 4096)
        guard w <= n, n % w == 0 else {
            throw c.error("'\(c.pathString)' must divide n (\(n)): the search keeps n/beam_width beams, found \(w)")
        }
        return w
    }
}

/// How the step scores of a path become one score (search-and-learn's `agg_strategy`): the last
/// step's, the lowest, or their product.
public enum PRMAggregation: String, Sendable, Hashable, CaseIterable, Encodable {
    case last, min, prod

    /// The aggregate of a path's step scores; −∞ for a path without scores.
    public func aggregate(_ scores: [Double]) -> Double {
        guard let last = scores.last else { return -.infinity }
        switch self {
        case .last: return last
        case .min: return scores.min()!
        case .prod: return scores.reduce(1, *)
        }
    }
}

extension StrategyParseContext {
    /// The `prm` of a search strategy: it must name a verifier that scores steps.
    func prm(_ s: YAMLCursor) throws -> String {
        let c = try s.required("prm", expected: "the name of a process reward verifier (kind: prm or simulated_prm)")
        let name = try c.string()
        guard let v = verifiers.first(where: { $0.name == name }) else {
            let suggestion = closest(name, in: verifiers.map(\.name)).map { " (did you mean '\($0)'?)" } ?? ""
            throw c.error("'\(c.pathString)' names verifier '\(name)', which is not defined in 'verifiers'\(suggestion) (defined: \(verifiers.map(\.name).joined(separator: ", ")))")
        }
        guard v.kind.scoresSteps else {
            throw c.error("'\(c.pathString)' names verifier '\(name)', which does not score steps; a search's prm must be a process reward verifier (kind: prm or simulated_prm)")
        }
        return name
    }
}
