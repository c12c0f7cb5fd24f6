import TTSStore

/// What the viewer needs to know about a suite beyond its database: the sample pool each
/// system reads, and the items' prompts and reference answers. The database records samples
/// by pool and outcomes by system; the link between them is worked out from the suite (the
/// CLI hands in `RecordedSuiteSources` from the use cases), so this target needs no suite parser.
///
/// ```swift
/// let sources: SuiteSourcesLookup = { record in SuiteSources(systems: ["a": .init(fingerprint: fp, pool: "p1")]) }
/// ```
public struct SuiteSources: Sendable, Equatable {
    public struct System: Sendable, Equatable {
        /// The system fingerprint these pools were worked out for.
        public var fingerprint: String
        public var pool: String
        /// The temperatures its samples are drawn at (nil: every temperature of the pool).
        public var temperatures: [Double]?
        /// Pools of other models its strategy calls (a fuser), which hold those calls.
        public var otherPools: [String]
        public init(fingerprint: String, pool: String, temperatures: [Double]? = nil, otherPools: [String] = []) {
            self.fingerprint = fingerprint
            self.pool = pool
            self.temperatures = temperatures
            self.otherPools = otherPools
        }
    }
    public struct Item: Sendable, Equatable, Codable {
        public var prompt: String
        public var answer: String
        public var choices: [String]?
        public init(prompt: String, answer: String, choices: [String]? = nil) {
            self.prompt = prompt
            self.answer = answer
            self.choices = choices
        }
    }
    public var systems: [String: System]
    public var items: [String: Item]
    /// Why something is missing (shown on the pages); nil when all is there.
    public var note: String?

    public init(systems: [String: System] = [:], items: [String: Item] = [:], note: String? = nil) {
        self.systems = systems
        self.items = items
        self.note = note
    }
}

/// Works out a recorded suite's `SuiteSources` (called once per suite fingerprint).
public typealias SuiteSourcesLookup = @Sendable (SuiteRecord) -> SuiteSources
