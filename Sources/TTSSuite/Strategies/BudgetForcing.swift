/// `kind: budget_forcing`: one trace held to a token budget, extended with a cue when it stops
/// early (see `BudgetForcingParameters`).
public struct BudgetForcingKind: ParsableStrategyKind, Equatable {
    public static let name = "budget_forcing"
    public static let fingerprintTag = "budgetForcing"
    static let keys = ["budget", "min_tokens", "max_waits", "cue", "answer_tokens"]
    static let replacedKeys = ["max_tokens"]  // it has `budget`

    public var parameters: BudgetForcingParameters
    public init(_ parameters: BudgetForcingParameters) { self.parameters = parameters }
    // The canonical JSON of the enum case this replaced, `budgetForcing(BudgetForcingParameters)`.
    enum CodingKeys: String, CodingKey { case parameters = "_0" }

    static func parse(_ s: YAMLCursor, context: inout StrategyParseContext) throws -> Self {
        let budgetCursor = try s.required("budget", expected: "the completion-token budget per item")
        let budget = try budgetCursor.int(min: 16, max: 1_000_000)
        var p = BudgetForcingParameters(budget: budget, minTokens: budget / 2, maxWaits: 2, cue: "Wait", answerTokens: 16)
        if let a = s.optional("answer_tokens") {
            p.answerTokens = try a.int(min: 1, max: 4096)
            guard p.answerTokens < budget else {
                throw a.error("'\(a.pathString)' must be less than 'budget' (\(budget)), found \(p.answerTokens)")
            }
        }
        if p.answerTokens >= budget { p.answerTokens = max(1, budget / 4) }
        if let m = s.optional("min_tokens") { p.minTokens = try m.int(min: 0, max: budget) }
        if let w = s.optional("max_waits") { p.maxWaits = try w.int(min: 0, max: 64) }
        if let c = s.optional("cue") { p.cue = try c.string() }
        context.maxTokens = p.budget - p.answerTokens
        return Self(p)
    }

    public var samplesPerItem: Int { 1 }
    public func calls(temperature: Double, ownModel: String) -> StrategyCalls {
        StrategyCalls(samples: [(temperature, 1)], auxiliary: [(ownModel, parameters.maxWaits + 1)])
    }
    public var label: String { "budget_forcing@\(parameters.budget)" }
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
