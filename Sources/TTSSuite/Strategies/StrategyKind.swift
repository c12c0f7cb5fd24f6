import TTSCore

/// One kind of strategy (`kind: majority`, `kind: fusion`, ...): its parameters as read from the
/// suite, and what the rest of the harness asks of a strategy spec.
///
/// Each kind is declared once, in its own file under `Sources/TTSSuite/Strategies/`, and listed
/// once in `StrategyKinds.all`; its runtime strategy is listed once in TTSRuntime's
/// `StrategyFactory.makers`. Nothing else names the kinds.
///
/// Fingerprints hash the kind's canonical JSON, `{fingerprintTag: <the kind's encoding>}` (see
/// `StrategyFingerprint`): the encoding of a kind is part of every recorded database, and
/// changing it is a change of what is hashed (`Fingerprint.version`).
public protocol StrategyKind: Sendable, Encodable {
    /// The name written in suites (`kind: best_of_n`).
    static var name: String { get }
    /// The kind's key in its canonical JSON (`bestOfN`). Never change it: fingerprints hash it.
    static var fingerprintTag: String { get }
    /// Pooled samples drawn per item (at most, for strategies that can stop early).
    var samplesPerItem: Int { get }
    /// The reward verifier the strategy scores with, if any (`StrategySpec.scorer`).
    var scorerName: String? { get }
    /// Other models of the suite the strategy calls (a fuser), if any (part of the system fingerprint).
    var referencedModels: [String] { get }
    /// How reports name the strategy: `majority@8`, `pdr@4x2r`.
    var label: String { get }
    /// N when the strategy is a base for the leaderboard's twins (`Variants`): it draws N samples
    /// at one temperature and combines them. Nil otherwise.
    var variantBaseSamples: Int? { get }
    /// Whether the strategy asks the model to continue a partial solution (step-level search):
    /// its model must support it (`ModelSpec.canContinuePartialSolutions`).
    var continuesPartialSolutions: Bool { get }
    /// The calls one seed run makes per item, at most (pooled samples, auxiliary calls by model,
    /// verifications): what budgets and `ttsbench plan` price. Declared by every kind, no default.
    func calls(temperature: Double, ownModel: String) -> StrategyCalls
}

extension StrategyKind {
    public var scorerName: String? { nil }
    public var referencedModels: [String] { [] }
    public var variantBaseSamples: Int? { nil }
    public var continuesPartialSolutions: Bool { false }
}

/// Whether two kinds are the same kind with the same parameters (their canonical JSON).
public func == (lhs: (any StrategyKind)?, rhs: (any StrategyKind)?) -> Bool {
    TaggedKind.same(lhs.map { TaggedKind($0) }, rhs.map { TaggedKind($0) })
}

/// How a strategy kind is read from the suite (the suite parser's side of `StrategyKind`).
protocol ParsableStrategyKind: StrategyKind {
    /// The kind's own keys, beside `kind`, `temperature`, `top_p` and `max_tokens`, in the order
    /// error messages list them.
    static var keys: [String] { get }
    /// Common keys the kind does not take, because it sets them itself (`multi_temperature` has
    /// `temperatures`, `budget_forcing` has `budget`).
    static var replacedKeys: [String] { get }
    /// The sampling temperature when the suite gives none.
    static var defaultTemperature: Double { get }
    /// Reads the kind's own keys (the allowed keys are checked before). May set the decoding
    /// settings of `context`.
    static func parse(_ s: YAMLCursor, context: inout StrategyParseContext) throws -> Self
}

extension ParsableStrategyKind {
    static var replacedKeys: [String] { [] }
    static var defaultTemperature: Double { 0.8 }
}

/// What a kind's parser may read beside its own node: the suite's verifiers and models (for
/// references), and the strategy's decoding settings, which it may set.
struct StrategyParseContext {
    let verifiers: [VerifierSpec]
    let models: [ModelSpec]
    var temperature: Double
    var topP: Double
    var maxTokens: Int

    /// `n`: the number of samples.
    func samples(_ s: YAMLCursor) throws -> Int {
        try s.required("n", expected: "the number of samples, at least 1").int(min: 1, max: 4096)
    }

    /// `n` and `k` (how many of the n vote; 1...n, default 1) of the finish-order searches.
    func samplesAndVoters(_ s: YAMLCursor) throws -> (n: Int, k: Int) {
        let n = try samples(s)
        return (n, try s.optional("k").map { try $0.int(min: 1, max: n) } ?? 1)
    }

    /// The `scorer` of a strategy: it must name a reward verifier.
    func scorer(_ s: YAMLCursor, kind: String) throws -> String {
        let scorerCursor = try s.required("scorer", expected: "the name of a reward verifier")
        let scorer = try scorerCursor.string()
        guard let v = verifiers.first(where: { $0.name == scorer }) else {
            let suggestion = closest(scorer, in: verifiers.map(\.name)).map { " (did you mean '\($0)'?)" } ?? ""
            throw scorerCursor.error("'\(scorerCursor.pathString)' names verifier '\(scorer)', which is not defined in 'verifiers'\(suggestion) (defined: \(verifiers.map(\.name).joined(separator: ", ")))")
        }
        guard v.givesReward else {
            throw scorerCursor.error("'\(scorerCursor.pathString)' names verifier '\(scorer)', which gives no reward; a \(kind) scorer must be a reward verifier (kind: reward, simulated or oracle)")
        }
        return scorer
    }

    /// A model of the suite named at `c`.
    func model(_ c: YAMLCursor) throws -> String {
        let name = try c.string()
        guard models.contains(where: { $0.name == name }) else {
            let suggestion = closest(name, in: models.map(\.name)).map { " (did you mean '\($0)'?)" } ?? ""
            throw c.error("'\(c.pathString)' names model '\(name)', which is not defined in 'models'\(suggestion) (defined: \(models.map(\.name).joined(separator: ", ")))")
        }
        return name
    }
}
