/// `kind: dvts`: diverse verifier tree search (search-and-learn; Beeching et al. 2024): n/beam_width
/// independent subtrees, each expanded into beam_width continuations per step and kept greedy
/// by the PRM (its best continuation), until it finishes; the best finished subtree by the PRM
/// is the answer.
public struct DVTSKind: StepSearchKind, Equatable {
    public static let name = "dvts"
    public static let fingerprintTag = "dvts"
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

    public var label: String { "dvts@\(search.n)x\(beamWidth)" }
}
