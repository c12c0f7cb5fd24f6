import TTSCore
/// A verifier of the suite: its name and its kind with the kind's parameters (`VerifierKind`,
/// one type per kind under `Verifiers/`).
public struct VerifierSpec: Sendable, Equatable {
    public var name: String
    public var kind: any VerifierKind

    public init(name: String, kind: any VerifierKind) {
        self.name = name
        self.kind = kind
    }

    /// Whether this verifier can decide correctness (and so be a system's verifier).
    public var judgesCorrectness: Bool { kind.judgesCorrectness }
    /// Models of the suite this verifier calls (a judge): their fingerprints shape its verdicts.
    public var referencedModels: [String] { kind.referencedModels }
    /// Whether it yields a reward (and so can be a best-of-N scorer).
    public var givesReward: Bool { kind.givesReward }
    /// Whether it calls something outside the process (a model of the suite, an HTTP endpoint):
    /// such verifiers are never called when a leaderboard is regenerated from the database.
    public var callsOut: Bool { kind.callsOut }

    /// Same name, and the same canonical JSON of the kind and its parameters.
    public static func == (a: Self, b: Self) -> Bool { a.name == b.name && a.kind == b.kind }
}
