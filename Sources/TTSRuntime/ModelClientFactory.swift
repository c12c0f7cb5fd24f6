import TTSCore
import TTSModels
import TTSSeams
import TTSStore
import TTSSuite

/// Builds the client for a model of the suite.
public enum ModelClientFactory {
    /// `store` gives real endpoints the database's request cache; a replayed database is opened
    /// through the store's reader.
    public static func make(_ spec: ModelSpec, suiteSeed: UInt64, store: Store? = nil) throws -> any ModelClient {
        switch spec.kind {
        case .simulated(let p):
            return SimulatedModel(name: spec.name, parameters: p, fingerprint: spec.fingerprint)
        case .openai(let p):
            return try OpenAIClient(name: spec.name, parameters: p, cache: p.cache ? store.map { StoreRequestCache(store: $0) } : nil)
        case .replay(let p):
            return try ReplayModel(name: spec.name, parameters: p, openDatabase: StoreRecordedSamples.init(path:))
        }
    }

    /// What the verifiers are handed: the clients, the simulated models among them as judges, and
    /// scoring endpoints over HTTP.
    public static func verifierResources(clients: [String: any ModelClient]) -> VerifierResources {
        VerifierResources(clients: clients, simulatedJudges: clients.compactMapValues { $0 as? SimulatedModel },
                          endpoints: HTTPScoringEndpoints())
    }
}
