import TTSCore

/// `kind: multi_temperature`: N samples spread over several temperatures, with an early exit when
/// they agree (see `MultiTemperatureParameters`).
public struct MultiTemperatureKind: ParsableStrategyKind, Equatable {
    public static let name = "multi_temperature"
    public static let fingerprintTag = "multiTemperature"
    static let keys = ["temperatures", "n", "min_per_temp", "tau_intra", "tau_cross", "final_rule"]
    static let replacedKeys = ["temperature"]  // it has `temperatures`

    public var parameters: MultiTemperatureParameters
    public init(_ parameters: MultiTemperatureParameters) { self.parameters = parameters }
    // The canonical JSON of the enum case this replaced, `multiTemperature(MultiTemperatureParameters)`.
    enum CodingKeys: String, CodingKey { case parameters = "_0" }

    static func parse(_ s: YAMLCursor, context: inout StrategyParseContext) throws -> Self {
        let listCursor = try s.required("temperatures", expected: "a list of sampling temperatures")
        let list = try listCursor.list(what: "a list of sampling temperatures, e.g. [0.4, 0.8, 1.2]")
        guard !list.isEmpty else { throw listCursor.error("'\(listCursor.pathString)' must not be empty") }
        var temperatures: [Double] = []
        for t in list {
            let value = try t.double(min: 0, max: 5)
            if temperatures.contains(value) { throw t.error("'\(t.pathString)' repeats temperature \(shortNumber(value)); temperatures must be distinct") }
            temperatures.append(value)
        }
        temperatures.sort()
        let nCursor = try s.required("n", expected: "the total number of samples, spread over the temperatures")
        let n = try nCursor.int(min: 1, max: 4096)
        guard n >= temperatures.count else {
            throw nCursor.error("'\(nCursor.pathString)' must be at least the number of temperatures (\(temperatures.count)), found \(n)")
        }
        var p = MultiTemperatureParameters(temperatures: temperatures, n: n, minPerTemperature: 2, tauIntra: 0.6, tauCross: 1.0, finalRule: .pooled)
        if let m = s.optional("min_per_temp") {
            p.minPerTemperature = try m.int(min: 1, max: 4096)
            let smallest = p.allocation.min()!
            guard p.minPerTemperature <= smallest else {
                throw m.error("'\(m.pathString)' is \(p.minPerTemperature), but n = \(n) over \(temperatures.count) temperatures gives some temperature only \(smallest) samples, so the early exit could never happen")
            }
        } else {
            p.minPerTemperature = min(2, p.allocation.min()!)
        }
        if let t = s.optional("tau_intra") { p.tauIntra = try t.double(min: 0, max: 1) }
        if let t = s.optional("tau_cross") { p.tauCross = try t.double(min: 0, max: 1) }
        if let r = s.optional("final_rule") {
            p.finalRule = MultiTemperatureParameters.FinalRule(rawValue: try r.oneOf(MultiTemperatureParameters.FinalRule.allCases.map(\.rawValue)))!
        }
        context.temperature = p.temperatures[0]
        return Self(p)
    }

    public var samplesPerItem: Int { parameters.n }
    public func calls(temperature: Double, ownModel: String) -> StrategyCalls {
        StrategyCalls(samples: zip(parameters.temperatures, parameters.allocation).map { (temperature: $0.0, count: $0.1) })
    }
    public var label: String {
        "multi_temperature@\(parameters.n)[\(parameters.temperatures.map { shortNumber($0) }.joined(separator: ","))]"
    }
}

public struct MultiTemperatureParameters: Sendable, Equatable, Encodable {
    /// Ascending, distinct.
    public var temperatures: [Double]
    /// The total sample budget, split over the temperatures.
    public var n: Int
    public var minPerTemperature: Int
    public var tauIntra: Double
    public var tauCross: Double
    public var finalRule: FinalRule

    public enum FinalRule: String, Sendable, CaseIterable, Encodable {
        /// Majority over all samples drawn, pooled across temperatures.
        case pooled
        /// The two-stage vote: majority within each temperature, then across their winners.
        case twoStage = "two_stage"
    }

    /// Samples per temperature: `n` split evenly, the remainder to the lowest temperature.
    public var allocation: [Int] {
        let base = n / temperatures.count
        var out = [Int](repeating: base, count: temperatures.count)
        out[0] += n - base * temperatures.count
        return out
    }
}
