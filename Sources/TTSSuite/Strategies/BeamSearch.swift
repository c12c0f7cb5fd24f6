/// `kind: beam_search`: step-level beam search guided by a process reward model (Snell et al.
/// 2024; search-and-learn): n/beam_width beams, each expanded into beam_width continuations per
/// step, the best n/beam_width kept by the PRM, finished solutions set aside, the best finished
/// one by the PRM is the answer.
public struct BeamSearchKind: BeamWidthSearchKind, Equatable {
    public static let name = "beam_search"
    public static let fingerprintTag = "beamSearch"
    public var search: StepSearchParameters
    public var beamWidth: Int
}
