import ArgumentParser
import Foundation
import TTSBench
import TTSSuite

/// `ttsbench import lm-eval|inspect`: turn another harness's logged completions into a replay
/// file, an items file and a ready-to-run suite (see docs/importing.md).
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import completions from lm-evaluation-harness or Inspect AI logs as a replay suite.",
        subcommands: [LMEval.self, Inspect.self])

    struct Common: ParsableArguments {
        @Option(name: .customLong("out"), help: ArgumentHelp("Where to write NAME.replay.jsonl, NAME.items.jsonl and NAME.yaml.", valueName: "DIR"))
        var out = "imported"
        @Option(help: "The suite's name and the files' stem (default: HARNESS-TASK).") var name: String?
        @Option(help: ArgumentHelp("The temperature the completions were drawn at (default: what the log records).", valueName: "T"))
        var temperature: Double?
        @Option(help: ArgumentHelp("Repeats each seed takes: the suite's majority@K (default: every repeat an item has, in one seed).", valueName: "K"))
        var perSeed: Int?

        func validate() throws {
            if let temperature, !(temperature >= 0 && temperature.isFinite) { throw ValidationError("--temperature must be a number at least 0") }
            if let perSeed, perSeed < 1 { throw ValidationError("--per-seed must be at least 1") }
        }
    }

    struct LMEval: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lm-eval",
            abstract: "Import lm-evaluation-harness --log_samples files (samples_TASK_DATE.jsonl; generate_until tasks).")
        @Argument(help: "The samples files; several runs of one task pool their repeats.") var files: [String]
        @OptionGroup var common: Common
        @Option(help: ArgumentHelp("The document field that is the item id (default: doc.id, else doc_id).", valueName: "FIELD")) var idField: String?
        @Option(help: "Read only lines of this filter (lm-eval writes each document once per filter).") var filter: String?
        @Flag(help: "Import filtered_resps (the filter's output) instead of the raw resps.") var filtered = false

        func run() throws {
            var options = HarnessImporter.Options(harness: .lmEval, files: files, outputDirectory: common.out)
            options.lmEval = LMEvalLog.Options(idField: idField, filter: filter, filtered: filtered)
            try ImportCommand.perform(options, common: common)
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inspect",
            abstract: "Import Inspect AI logs (.eval archives or --log-format json).")
        @Argument(help: "The log files; several runs of one task pool their epochs.") var logs: [String]
        @OptionGroup var common: Common

        func run() throws {
            try ImportCommand.perform(HarnessImporter.Options(harness: .inspect, files: logs, outputDirectory: common.out), common: common)
        }
    }

    static func perform(_ base: HarnessImporter.Options, common: Common) throws {
        var options = base
        options.name = common.name
        options.temperature = common.temperature
        options.perSeed = common.perSeed
        options.command = (["ttsbench"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        let result: HarnessImporter.Result
        do { result = try HarnessImporter.run(options) } catch let error as ImportError {
            throw Exit.fail("ttsbench import: \(error.description)", code: 2)
        } catch {
            throw Exit.fail("ttsbench import: \(error)", code: 1)
        }
        let r = result.run
        let p = result.plan
        print("\(r.items.count) items, \(r.completions.count) completions from \(r.harness) (task \(r.task), model \(r.model)); "
              + "\(p.repeats) or more an item at temperature \(p.temperature): \(p.seeds) seed\(p.seeds == 1 ? "" : "s") of \(p.perSeed)")
        for s in r.skipped { print("skipped \(s)") }
        if r.harnessRepeatsLookSeeded {
            print("warning: every item's repeats at temperature > 0 are identical: lm-eval's API models send one fixed seed with every request, "
                  + "so a server that honours seeds repeats itself; these are not independent samples (see docs/importing.md)")
        }
        print("wrote \(result.replayPath), \(result.itemsPath), \(result.suitePath)")
        print("run it: ttsbench run \(result.suitePath)")
    }
}
