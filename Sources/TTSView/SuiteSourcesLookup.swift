import TTSStore

/// Works out a recorded suite's `SuiteSources` (called once per suite fingerprint). The CLI hands
/// in the use cases' `RecordedSuiteSources.load`, so this target needs no suite parser.
///
/// ```swift
/// let sources: SuiteSourcesLookup = { record in SuiteSources(systems: ["a": .init(fingerprint: fp, pool: "p1")]) }
/// ```
public typealias SuiteSourcesLookup = @Sendable (SuiteRecord) -> SuiteSources
