/// `kind: particle_filtering`: n partial solutions (particles) advanced one step at a time and
/// resampled with replacement by softmax(PRM score / `resample_temperature`) after each step
/// (Puri et al. 2025, "A probabilistic inference approach to inference-time scaling of LLMs").
/// The best finished particle by the PRM is the answer.
public struct ParticleFilteringKind: StepSearchKind, Equatable {
    public static let name = "particle_filtering"
    public static let fingerprintTag = "particleFiltering"
    static let keys = StepSearchParameters.keys + ["resample_temperature"]

    public var search: StepSearchParameters
    /// The softmax temperature of the resampling weights: lower follows the PRM more greedily.
    public var resampleTemperature: Double

    public init(search: StepSearchParameters, resampleTemperature: Double = 1) {
        self.search = search
        self.resampleTemperature = resampleTemperature
    }

    static func parse(_ s: YAMLCursor, context: inout StrategyParseContext) throws -> Self {
        let search = try StepSearchParameters.parse(s, context: context)
        let t = try s.optional("resample_temperature").map { try $0.double(min: 0, max: 100, exclusiveMin: true) } ?? 1
        return Self(search: search, resampleTemperature: t)
    }

    public var label: String { "particle_filtering@\(search.n)" }
}
