import TTSCore
import TTSSuite
import Foundation

/// `ttsbench import lm-eval|inspect`: reads other harnesses' logs and writes, in one directory,
/// `NAME.replay.jsonl` (the completions, with `sample_index`), `NAME.items.jsonl` (id, question,
/// answer) and `NAME.yaml` (a suite that replays them), so that ttsbench's estimators,
/// comparisons and leaderboards run on completions that were already paid for.
///
///     let result = try HarnessImporter.run(.init(harness: .lmEval, files: ["samples_gsm8k.jsonl"], outputDirectory: "imported"))
///     // then: ttsbench run imported/lm-eval-gsm8k.yaml
public enum HarnessImporter {
    public enum Harness: String, Sendable, CaseIterable {
        case lmEval = "lm-eval"
        case inspect
    }

    public struct Options: Sendable {
        public var harness: Harness
        public var files: [String]
        public var outputDirectory: String
        /// The suite's name and the files' stem (default: HARNESS-TASK).
        public var name: String?
        public var temperature: Double?
        public var perSeed: Int?
        public var lmEval = LMEvalLog.Options()
        /// The command line, quoted in the suite's header.
        public var command: String = "ttsbench import"
        public init(harness: Harness, files: [String], outputDirectory: String) {
            self.harness = harness
            self.files = files
            self.outputDirectory = outputDirectory
        }
    }

    public struct Result: Sendable {
        public var run: HarnessImport
        public var plan: HarnessImport.SeedPlan
        public var replayPath: String
        public var itemsPath: String
        public var suitePath: String
    }

    public static func run(_ options: Options) throws -> Result {
        guard !options.files.isEmpty else { throw ImportError(description: "no log files given") }
        var merged: HarnessImport?
        for file in options.files {
            let one: HarnessImport
            switch options.harness {
            case .lmEval:
                var o = options.lmEval
                o.temperature = options.temperature ?? o.temperature
                one = try LMEvalLog.read(path: file, shownAs: file, options: o)
            case .inspect:
                one = try InspectLog.read(path: file, shownAs: file, options: .init(temperature: options.temperature))
            }
            if merged == nil {
                merged = HarnessImport(harness: one.harness, task: one.task, model: one.model, sources: [])
            }
            try merged!.append(one)
        }
        let run = merged!
        let plan = try run.seedPlan(perSeed: options.perSeed)
        let stem = sanitized(options.name ?? "\(run.harness)-\(run.task)")
        let dir = options.outputDirectory
        let replay = stem + ".replay.jsonl"
        let items = stem + ".items.jsonl"
        let suite = (dir as NSString).appendingPathComponent(stem + ".yaml")
        try AtomicWriter.write(run.replayJSONL(), to: (dir as NSString).appendingPathComponent(replay))
        try AtomicWriter.write(run.itemsJSONL(), to: (dir as NSString).appendingPathComponent(items))
        try AtomicWriter.write(run.suiteYAML(name: stem, replayFile: replay, itemsFile: items, plan: plan, command: options.command), to: suite)
        return Result(run: run, plan: plan, replayPath: (dir as NSString).appendingPathComponent(replay),
                      itemsPath: (dir as NSString).appendingPathComponent(items), suitePath: suite)
    }

    /// Letters, digits, `-`, `_` and `.`; anything else becomes `-`.
    static func sanitized(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "-" })
    }
}
