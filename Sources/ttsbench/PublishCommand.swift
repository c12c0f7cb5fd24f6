import ArgumentParser
import Foundation
import TTSBench
import TTSCore
import TTSStore
import TTSSuite
import TTSRuntime
import TTSReport

struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Run a suite (resuming: a finished suite generates nothing) and write its published leaderboard: "
            + "leaderboard.md, leaderboard.csv, leaderboard.json, index.html and provenance.json in OUT/<suite>/.")

    @Argument(help: "The suite file (YAML).") var suite: String
    @Option(help: "The SQLite database.") var db = "results/ttsbench.sqlite"
    @Option(help: "Where leaderboards go (a folder per suite).") var out = "results"
    @Option(help: "Items in flight at once.") var workers = 8
    @Flag(help: "No progress line.") var quiet = false

    func validate() throws {
        if workers < 1 { throw ValidationError("--workers must be at least 1") }
    }

    func run() async throws {
        var options = Session.Options()
        options.databasePath = db
        options.outputDirectory = out
        options.workers = workers
        options.showProgress = !quiet
        let settings = options
        let report = try await runInterruptibly(database: db) { try await Session.open(suitePath: suite, options: settings).publish() }
        print(MarkdownRenderer().render(report.leaderboard))
        print("\(report.samplesGenerated) new samples. Published: \(report.files.joined(separator: ", "))")
    }
}
