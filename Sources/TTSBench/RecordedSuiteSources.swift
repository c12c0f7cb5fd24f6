import TTSCore
import TTSRuntime
import TTSStore
import TTSSuite
import Foundation

/// A recorded suite's `SuiteSources`, worked out from the suite text it recorded: which sample
/// pool each system reads (the pool id hashes the model, task, prompt and decoding limits), and,
/// when the task's data can be loaded, each item's prompt and reference answer. The viewer
/// (`ttsbench view`) shows samples and items through it.
///
/// ```swift
/// let sources = RecordedSuiteSources.load(try reader.suite("demo"))
/// let pool = sources.systems["mid/maj8"]?.pool
/// ```
public enum RecordedSuiteSources {
    /// Parses the recorded suite text (resolving a data file relative to the working directory)
    /// and loads its task; never throws: what cannot be worked out is left out, with a note. An
    /// item id listed twice keeps its first item.
    public static func load(_ record: SuiteRecord) -> SuiteSources {
        var out = SuiteSources()
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
            out.items = Dictionary(task.items.map { ($0.id, SuiteSources.Item(prompt: task.prompt(for: $0), answer: $0.answer, choices: $0.choices)) },
                                   uniquingKeysWith: { first, _ in first })
            if task.digest != record.taskDigest {
                out.items = [:]
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
            out.systems[system.name] = SuiteSources.System(fingerprint: system.fingerprint, pool: pool,
                                                           temperatures: strategy.family == "multi_temperature" ? nil : [strategy.temperature],
                                                           otherPools: others)
        }
        return out
    }
}
