/// `kind: beam_search`: step-level beam search guided by a process reward model (Snell et al.
/// 2024; search-and-learn): n/beam_width beams, each expanded into beam_width continuations per
/// step, the best n/beam_width kept by the PRM, finished solutions set aside, the best finished
/// one by the PRM is the answer.
public struct BeamSearchKind: StepSearchKind, Equatable {
    public static let name = "beam_search"
    public static let fingerprintTag = "beamSearch"
    static let keys = StepSearchParameters.keys + ["beam_width"]

    public var search: StepSearchParameters
    public var beamWidth: Int

    public init(search: StepSearchParameters, beamWidth: Int) {
        self.search = search
        self.beamWidth = beamWidth
    }

    static func parse(_ s: YAMLCursor, context: inout StrategyParseContext) throws -> Self {
        let search = try StepSearchParameters.parse(s, context: context)
        return Self(search: search, beamWidth: try StepSearchParameters.beamWidth(s, n: search.n))
    }

    public var label: String { "beam_search@\(search.n)x\(beamWidth)" }
}
