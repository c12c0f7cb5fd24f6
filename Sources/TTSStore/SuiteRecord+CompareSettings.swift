import TTSDesign

extension SuiteRecord {
    /// The recorded AdaStop settings; throws naming what cannot be read.
    public func compareSettings() throws -> CompareSettings {
        do {
            return try CompareSettings(json: compareJSON)
        } catch let error as CompareSettingsError {
            throw StoreError(message: "suite '\(name)': \(error.message)")
        }
    }
}
