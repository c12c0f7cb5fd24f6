import TTSCore

/// One kind of verifier (`kind: math`, `kind: judge`, ...): its parameters as read from the
/// suite, and what the rest of the harness asks of a verifier spec.
///
/// Each kind is declared once, in its own file under `Sources/TTSSuite/Verifiers/`, and listed
/// once in `VerifierKinds.all`; its runtime verifier is listed once in TTSRuntime's
/// `VerifierFactory.makers`. Fingerprints hash `{fingerprintTag: <the kind's encoding>}`
/// (`VerifierFingerprint`), the shape of the enum this registry replaced.
public protocol VerifierKind: Sendable, Encodable {
    /// The name written in suites (`kind: simulated`).
    static var name: String { get }
    /// The kind's key in its canonical JSON (`simulatedReward`). Never change it: fingerprints hash it.
    static var fingerprintTag: String { get }
    /// Whether it can decide correctness (and so be a system's verifier).
    var judgesCorrectness: Bool { get }
    /// Whether it yields a reward (and so can be a best-of-N scorer).
    var givesReward: Bool { get }
    /// Models of the suite it calls (a judge): their fingerprints shape its verdicts.
    var referencedModels: [String] { get }
    /// Whether it calls something outside the process (a model of the suite, an HTTP endpoint).
    var callsOut: Bool { get }
    /// Whether it scores the steps of a partial solution (a process reward model), and so can
    /// guide a step-level search.
    var scoresSteps: Bool { get }
    /// Model calls of one verification (or one scoring), by the suite model that answers: what
    /// budgets and `ttsbench plan` price. Declared by every kind, no default: `[]` for a kind that
    /// calls no model of the suite (an HTTP scoring endpoint is declared apart, below).
    var modelCallsPerVerification: [(model: String, calls: Int)] { get }
    /// Calls of one verification (or one scoring) to the kind's own scoring endpoint (a reward
    /// model's score, a PRM's step scores), with the endpoint and its price: what budgets and
    /// `ttsbench plan` price beside the model calls. Declared by every kind, no default: nil for
    /// a kind that calls no endpoint.
    var endpointCallsPerVerification: EndpointCalls? { get }
}

/// The calls one verification makes to a verifier's scoring endpoint (`kind: reward`, `kind:
/// prm`), which is not a model of the suite: how many, which endpoint (the canonical description
/// its calls are recorded under), and its price per million (input, output) tokens when given.
///
/// ```swift
/// RewardKind(p).endpointCallsPerVerification   // EndpointCalls(calls: 1, endpoint: p.description, price: p.price)
/// ```
public struct EndpointCalls: Sendable {
    public var calls: Int
    public var endpoint: String
    public var price: (input: Double, output: Double)?
    public init(calls: Int, endpoint: String, price: (input: Double, output: Double)?) {
        self.calls = calls
        self.endpoint = endpoint
        self.price = price
    }
}

extension VerifierKind {
    public var judgesCorrectness: Bool { true }
    public var givesReward: Bool { false }
    public var referencedModels: [String] { [] }
    public var callsOut: Bool { !referencedModels.isEmpty }
    public var scoresSteps: Bool { false }
}

/// Whether two kinds are the same kind with the same parameters (their canonical JSON).
public func == (lhs: (any VerifierKind)?, rhs: (any VerifierKind)?) -> Bool {
    TaggedKind.same(lhs.map { TaggedKind($0) }, rhs.map { TaggedKind($0) })
}

/// How a verifier kind is read from the suite (the suite parser's side of `VerifierKind`).
protocol ParsableVerifierKind: VerifierKind {
    /// Reads the verifier's node (its keys checked by the kind), with `parser` for the rest of the suite.
    static func parse(_ v: YAMLCursor, parser: SuiteParser) throws -> Self
}

/// The registry of verifier kinds: one line per kind, in the order error messages list them.
enum VerifierKinds {
    static let all: [any ParsableVerifierKind.Type] = [
        ExactKind.self,
        NumericKind.self,
        MathKind.self,
        CodeKind.self,
        JudgeKind.self,
        RewardKind.self,
        OracleKind.self,
        SimulatedRewardKind.self,
        PRMKind.self,
        SimulatedPRMKind.self,
    ]

    static let names = all.map { $0.name }

    static func named(_ name: String) -> (any ParsableVerifierKind.Type)? {
        all.first { $0.name == name }
    }
}
