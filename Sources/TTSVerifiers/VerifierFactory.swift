import TTSSeams
import TTSSuite

/// A runtime verifier made from its kind's spec. Each verifier type conforms once (in its own
/// file) and is listed once in `VerifierFactory.makers`.
public protocol VerifierMaker: Verifier {
    associatedtype Kind: VerifierKind
    /// The verifier for `kind`; `resources` are what a verifier that calls out uses (a judge's model).
    static func make(_ kind: Kind, spec: VerifierSpec, suiteSeed: UInt64, resources: VerifierResources) -> Self
}

extension VerifierMaker {
    static var kindName: String { Kind.name }
    static func instance(for spec: VerifierSpec, suiteSeed: UInt64, resources: VerifierResources) -> (any Verifier)? {
        (spec.kind as? Kind).map { make($0, spec: spec, suiteSeed: suiteSeed, resources: resources) }
    }
}

public enum VerifierFactory {
    /// The registry: the verifier of each verifier kind, one line per kind.
    static let makers: [any VerifierMaker.Type] = [
        ExactVerifier.self,
        NumericVerifier.self,
        MathVerifier.self,
        CodeVerifier.self,
        JudgeVerifier.self,
        RewardEndpointVerifier.self,
        OracleRewardVerifier.self,
        SimulatedRewardVerifier.self,
        ProcessRewardEndpointVerifier.self,
        SimulatedPRMVerifier.self,
    ]

    static let byKind: [String: any VerifierMaker.Type] = Dictionary(uniqueKeysWithValues: makers.map { ($0.kindName, $0) })

    /// `resources` are what a verifier that calls out uses (the runtime's model clients and HTTP).
    public static func make(_ spec: VerifierSpec, suiteSeed: UInt64, resources: VerifierResources = VerifierResources()) -> any Verifier {
        let name = type(of: spec.kind).name
        guard let maker = byKind[name] else { preconditionFailure("no verifier is registered for kind '\(name)' (VerifierFactory.makers)") }
        return maker.instance(for: spec, suiteSeed: suiteSeed, resources: resources)!
    }
}
