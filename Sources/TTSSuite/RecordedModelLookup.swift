import Foundation

/// What a ttsbench database recorded about one model, as a `kind: replay` model with a
/// `database` needs it: the suite parser sees databases only through this seam, so parsing a
/// suite needs no store. The use cases that open a suite (TTSBench) hand in the store's reader.
public protocol RecordedModelLookup: Sendable {
    /// The fingerprint and label of model `name` of suite `suite` as the database at
    /// `databasePath` recorded them (nil: not recorded), and every recorded model as
    /// `suite/name`, for the error message.
    func recordedModel(databasePath: String, suite: String, name: String) throws -> (model: (fingerprint: String, label: String)?, known: [String])
}
