/// `kind: single`: one sample per item (greedy by default).
public struct SingleKind: ParsableStrategyKind, Equatable {
    public static let name = "single"
    public static let fingerprintTag = "single"
    static let keys: [String] = []
    static let defaultTemperature = 0.0

    public init() {}

    static func parse(_ s: YAMLCursor, context: inout StrategyParseContext) throws -> Self { Self() }

    public var samplesPerItem: Int { 1 }
    public func calls(temperature: Double, ownModel: String) -> StrategyCalls { .pooled(temperature, 1) }
    public var label: String { "single" }
}
