import TTSCore
import TTSRuntime
import TTSStore
import TTSSuite
import Foundation

/// What a recorded suite's database does not say directly, worked out from the suite text it
/// recorded: which sample pool each system reads (the pool id hashes the model, task, prompt and
/// decoding limits), and, when the task's data can be loaded, each item's prompt and reference
/// answer. The viewer (`ttsbench view`) shows samples and items through it.
///
/// ```swift
/// let sources = RecordedSuiteSources.load(try reader.suite("demo"))
/// let pool = sources.systems["mid/maj8"]?.pool
/// ```
public struct RecordedSuiteSources: Sendable {
    public struct System: Sendable, Equatable {
        /// The system fingerprint the pool was worked out for (a page trusts the pool only when
        /// it equals the recorded system's).
        public var fingerprint: String
        /// The pool of the system's own model.
        public var pool: String
        /// The temperatures its samples are drawn at; nil when the strategy mixes several.
        public var temperatures: [Double]?
        /// The pools of the other models its strategy calls (a fuser), holding their calls.
        public var otherPools: [String]
    }
    public struct Item: Sendable, Equatable {
        public var id: String
        public var prompt: String
        public var answer: String
        public var choices: [String]?
    }
    public var systems: [String: System] = [:]
    public var items: [Item] = []
    /// Why the items (or the pools) are missing, for the pages to say; nil when all is there.
    public var note: String? = nil

    /// Parses the recorded suite text (resolving a data file relative to the working directory)
    /// and loads its task; never throws: what cannot be worked out is left out, with a note.
    public static func load(_ record: SuiteRecord) -> RecordedSuiteSources {
        var out = RecordedSuiteSources()
        let suite: Suite
        do {
            let path = FileManager.default.currentDirectoryPath + "/\(record.name).yaml"
            suite = try SuiteLoader.load(data: Data(record.yaml.utf8), path: path, recordedModels: StoreRecordedModels())
        } catch {
            out.note = "the recorded suite text cannot be read again (\(error)), so samples are not linked to systems"
            return out
        }
        let task: LoadedTask
        do {
            task = try TaskLoader.load(suite.task, suiteSeed: suite.seed)
            out.items = task.items.map { Item(id: $0.id, prompt: task.prompt(for: $0), answer: $0.answer, choices: $0.choices) }
            if task.digest != record.taskDigest {
                out.items = []
                out.note = "the task's data file has changed since the run, so prompts and reference answers are not shown"
            }
        } catch {
            task = LoadedTask(recorded: suite.task, digest: record.taskDigest)
            out.note = "the task's data cannot be loaded from here (\(error)), so prompts and reference answers are not shown"
        }
        for system in suite.systems {
            guard let model = suite.model(system.model), let strategy = suite.strategy(system.strategy) else { continue }
            let pool = Runner.poolID(suite: suite, task: task, model: model, strategy: strategy, system: system)
            let others = strategy.referencedModels.compactMap { suite.model($0) }.filter { $0.name != model.name }
                .map { Runner.poolID(suite: suite, task: task, model: $0, strategy: strategy, system: system) }
            out.systems[system.name] = System(fingerprint: system.fingerprint, pool: pool, temperatures: strategy.family == "multi_temperature" ? nil : [strategy.temperature],
                                              otherPools: others)
        }
        return out
    }
}
