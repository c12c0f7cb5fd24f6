import ArgumentParser
import Foundation
import TTSBench

@main
struct TTSBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ttsbench",
        abstract: "Benchmark test-time scaling of language models, with sequential statistical stopping.",
        subcommands: [Run.self, Validate.self])
}

/// Exit codes: 0 success, 1 run failure, 2 bad input (suite, data, arguments).
enum Exit {
    static func fail(_ message: String, code: Int32) -> ExitCode {
        FileHandle.standardError.write(Data("\(message)\n".utf8))
        return ExitCode(code)
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check a suite without running it; exit 0 when valid, 2 otherwise.")

    @Argument(help: "The suite file (YAML).") var suite: String

    func run() throws {
        do {
            let s = try SuiteLoader.load(path: suite)
            let task = try TaskLoader.load(s.task, suiteSeed: s.seed)
            print("\(suite): valid — suite '\(s.name)', \(task.items.count) items, \(s.models.count) models, \(s.strategies.count) strategies, \(s.systems.count) systems")
        } catch let error as SuiteError {
            throw Exit.fail(error.description, code: 2)
        }
    }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a suite, record everything in SQLite, and write its leaderboard.")

    @Argument(help: "The suite file (YAML).") var suite: String
    @Option(help: "The SQLite database.") var db = "results/ttsbench.sqlite"
    @Option(help: "Where leaderboards go (a folder per suite).") var out = "results"
    @Option(help: "Seeds per system (default: the suite's compare.group_size).") var seeds: Int?
    @Option(help: "Items in flight at once.") var workers = 8
    @Flag(help: "No progress line.") var quiet = false

    func validate() throws {
        if let seeds, seeds < 1 { throw ValidationError("--seeds must be at least 1") }
        if workers < 1 { throw ValidationError("--workers must be at least 1") }
    }

    func run() async throws {
        var options = RunOptions()
        options.databasePath = db
        options.outputDirectory = out
        options.seeds = seeds
        options.workers = workers
        options.showProgress = !quiet
        let report: RunReport
        do {
            report = try await SuiteRun.run(suitePath: suite, options: options)
        } catch let error as SuiteError {
            throw Exit.fail(error.description, code: 2)
        } catch {
            throw Exit.fail("ttsbench: \(error)", code: 1)
        }
        print(MarkdownRenderer().render(report.leaderboard))
        let rate = report.seconds > 0 ? Double(report.samplesGenerated) / report.seconds : 0
        print(String(format: "%d new samples in %.1f s (%.0f samples/s). Leaderboard: %@", report.samplesGenerated, report.seconds, rate,
                     report.files.joined(separator: ", ")))
    }
}
