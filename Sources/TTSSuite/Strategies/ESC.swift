/// `kind: esc`: Early-Stopping Self-Consistency (Li et al., ICLR 2024, "Escape Sky-high Cost:
/// Early-stopping Self-Consistency for Multi-step Reasoning"): read pooled samples in windows of
/// `window` (each window's samples in parallel, one round) and stop after a window whose samples
/// all gave the same answer, or at `max_n`; the answer is the majority over every sample read.
///
/// ```yaml
/// esc16: {kind: esc, max_n: 16, window: 4}
/// ```
public struct ESCKind: ParsableStrategyKind, Equatable {
    public static let name = "esc"
    public static let fingerprintTag = "esc"
    static let keys = ["max_n", "window", "min_n"]
    /// The paper's window.
    public static let defaultWindow = 5

    public var maxN: Int
    public var window: Int
    public var minN: Int

    public init(maxN: Int, window: Int = Self.defaultWindow, minN: Int? = nil) {
        self.maxN = maxN
        self.window = window
        self.minN = minN ?? min(window, maxN)
    }

    static func parse(_ s: YAMLCursor, context: inout StrategyParseContext) throws -> Self {
        let maxN = try s.required("max_n", expected: "the most samples read per item, at least 1").int(min: 1, max: 4096)
        let window = try s.optional("window").map { try $0.int(min: 1, max: maxN) } ?? min(defaultWindow, maxN)
        let minN = try s.optional("min_n").map { try $0.int(min: 1, max: maxN) } ?? window
        return Self(maxN: maxN, window: window, minN: minN)
    }

    public var samplesPerItem: Int { maxN }
    /// At most `max_n` pooled samples: budgets price the cap, the run records what was read.
    public func calls(temperature: Double, ownModel: String) -> StrategyCalls { .pooled(temperature, maxN) }
    public var label: String {
        "esc-w\(window)\(minN != window ? "-min\(minN)" : "")@\(maxN)"
    }
}
