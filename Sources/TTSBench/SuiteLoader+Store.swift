import TTSStore
import TTSSuite
import Foundation

/// The store's answer to the suite parser's `RecordedModelLookup`: a `kind: replay` model with a
/// `database` takes the fingerprint and label that database recorded. It lives with the use
/// cases, which open databases, so that suite parsing itself needs no store.
public struct StoreRecordedModels: RecordedModelLookup {
    public init() {}

    public func recordedModel(databasePath: String, suite: String, name: String) throws -> (model: (fingerprint: String, label: String)?, known: [String]) {
        let found = try StoreReader(path: databasePath).model(suite: suite, name: name)
        return (found.model.map { ($0.fingerprint, $0.label) }, found.known)
    }
}

extension SuiteLoader {
    /// Loads a suite as the use cases do: replayed databases are read through the store.
    public static func loadResolvingReplays(path: String) throws -> Suite {
        try load(path: path, recordedModels: StoreRecordedModels())
    }
}
