/// The model calls one seed run of a strategy makes per item, at most: what budgets and
/// `ttsbench plan` price. Every kind declares its own (`StrategyKind.calls(temperature:ownModel:)`),
/// so a new kind is priced as it runs rather than by a guess.
///
/// ```swift
/// let calls = FusionKind(p).calls(temperature: 0.7, ownModel: "gen")
/// // calls.samples == [(0.7, p.n)], calls.auxiliary == [(p.fuser ?? "gen", 1)]
/// ```
public struct StrategyCalls: Sendable {
    /// Prefixes of the shared pool read at each temperature.
    public var samples: [(temperature: Double, count: Int)]
    /// Calls outside the pool (fuser, refinement, continuation, step calls), by the model that answers.
    public var auxiliary: [(model: String, calls: Int)]
    /// Candidates handed to the system's verifier per item (each may cost verifier calls).
    public var verifications: Int
    /// Candidates (or partial solutions) handed to the strategy's reward scorer per item.
    public var scorings: Int

    public init(samples: [(temperature: Double, count: Int)], auxiliary: [(model: String, calls: Int)] = [], verifications: Int = 1,
                scorings: Int = 0) {
        self.samples = samples
        self.auxiliary = auxiliary
        self.verifications = verifications
        self.scorings = scorings
    }

    /// `count` pooled samples at one temperature, verified once, `scorings` of them scored.
    public static func pooled(_ temperature: Double, _ count: Int, scorings: Int = 0) -> StrategyCalls {
        StrategyCalls(samples: [(temperature, max(1, count))], scorings: scorings)
    }
}
