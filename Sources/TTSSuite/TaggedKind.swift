import TTSCore

/// `{tag: kind}`: a kind as fingerprints encode it (the shape of the enum the kind registries
/// replaced, so that no fingerprint changed).
struct TaggedKind: Encodable {
    let tag: String
    let kind: any Encodable

    init(_ kind: any StrategyKind) {
        tag = type(of: kind).fingerprintTag
        self.kind = kind
    }
    init(_ kind: any VerifierKind) {
        tag = type(of: kind).fingerprintTag
        self.kind = kind
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(kind, forKey: Key(stringValue: tag))
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

extension TaggedKind {
    /// Whether two kinds are the same kind with the same parameters (their canonical JSON); two
    /// absent kinds are the same. Backs `==` of strategy kinds and of verifier kinds.
    static func same(_ lhs: TaggedKind?, _ rhs: TaggedKind?) -> Bool {
        switch (lhs, rhs) {
        case (nil, nil): true
        case (let a?, let b?): Fingerprint.canonicalJSON(a) == Fingerprint.canonicalJSON(b)
        default: false
        }
    }
}
