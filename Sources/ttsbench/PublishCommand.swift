import ArgumentParser
import Foundation
import TTSBench
import TTSCore
import TTSSuite
import TTSRuntime
import TTSReport

struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Run a suite (resuming: a finished suite generates nothing) and write its published leaderboard: "
            + "leaderboard.md, leaderboard.csv, leaderboard.json, index.html and provenance.json in OUT/<suite>/.")

    @Argument(help: "The suite file (YAML).") var suite: String
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup(title: "Budget (default: the suite's compare.budget, else none)") var budget: BudgetOptions
    @OptionGroup var execution: ExecutionOptions
    @OptionGroup var replacing: ReplaceOptions

    func run() async throws {
        let settings = Session.Options(database: database, output: output, execution: execution, budget: budget, replacing: replacing)
        let report = try await runInterruptibly(database: database.db) { try await Session.open(suitePath: suite, options: settings).publish() }
        print(MarkdownRenderer().render(report.leaderboard))
        if let stop = report.budgetStop { print(stop.message) }
        if let problem = report.designProblem {
            FileHandle.standardError.write(Data("warning: \(suite): \(problem) (`ttsbench validate` refuses this suite)\n".utf8))
        }
        print("\(report.samplesGenerated) new samples. Published: \(report.files.joined(separator: ", "))")
        if let incomplete = report.incomplete { throw Exit.fail("ttsbench: \(incomplete)", code: 1) }
    }
}
