/// `kind: dvts`: diverse verifier tree search (search-and-learn; Beeching et al. 2024): n/beam_width
/// independent subtrees, each expanded into beam_width continuations per step and kept greedy
/// by the PRM (its best continuation), until it finishes; the best finished subtree by the PRM
/// is the answer.
public struct DVTSKind: BeamWidthSearchKind, Equatable {
    public static let name = "dvts"
    public static let fingerprintTag = "dvts"
    public var search: StepSearchParameters
    public var beamWidth: Int
}
