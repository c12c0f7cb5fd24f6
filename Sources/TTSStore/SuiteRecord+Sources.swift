/// What a recorded suite's database does not say directly: the sample pool each system reads,
/// and the items' prompts and reference answers. The database records samples by pool and
/// outcomes by system; the link between them is worked out from the suite text it recorded
/// (`RecordedSuiteSources.load`, in the use cases), and the viewer (`ttsbench view`) shows
/// samples and items through it, so the viewer needs no suite parser.
///
/// ```swift
/// let sources = SuiteSources(systems: ["a": .init(fingerprint: fp, pool: "p1")])
/// let pool = sources.systems["a"]?.pool
/// ```
public struct SuiteSources: Sendable, Equatable {
    public struct System: Sendable, Equatable {
        /// The system fingerprint these pools were worked out for (a page trusts the pool only
        /// when it equals the recorded system's).
        public var fingerprint: String
        /// The pool of the system's own model.
        public var pool: String
        /// The temperatures its samples are drawn at (nil: every temperature of the pool, when the
        /// strategy mixes several).
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
    /// By item id.
    public var items: [String: Item]
    /// Why something is missing (shown on the pages); nil when all is there.
    public var note: String?

    public init(systems: [String: System] = [:], items: [String: Item] = [:], note: String? = nil) {
        self.systems = systems
        self.items = items
        self.note = note
    }
}
