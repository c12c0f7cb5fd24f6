/// The samples recorded in a database that a replay model serves (`kind: replay`,
/// `source: database`): the completion recorded for (item, temperature, request seed), as
/// served (no attempts, marked cached), or nil when none was recorded. The runtime hands in the
/// store-backed one; the models never see the store.
public protocol RecordedSamples: Sendable {
    func completion(itemID: String, temperature: Double, requestSeed: UInt64) throws -> Completion?
}
