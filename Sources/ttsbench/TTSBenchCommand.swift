import ArgumentParser
import Foundation
import AdaStop
import BuildInfo
import TTSBench
import TTSCore
import TTSSuite
import TTSRuntime
import TTSReport

@main
struct TTSBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ttsbench",
        abstract: "Benchmark test-time scaling of language models, with sequential statistical stopping.",
        discussion: "Exit status: 0 success, 1 a failed run, 2 bad input (arguments, suite, data), 130 interrupted.",
        version: BuildInfo.versionText,
        subcommands: [Run.self, Validate.self, PlanCommand.self, Compare.self, AdaStopCommand.self, LeaderboardCommand.self, PublishCommand.self, MergeCommand.self, VerifyCommand.self, ImportCommand.self, ViewCommand.self])

    /// Parses, runs and exits with the tool's one exit-code mapping: every usage error (unknown
    /// option, missing or malformed argument, failed validation; ArgumentParser's 64) exits 2 like
    /// any other bad input; help and --version exit 0; a command's own `ExitCode` passes through.
    static func main() async {
        await runAndExit(Array(CommandLine.arguments.dropFirst()))
    }

    static func runAndExit(_ arguments: [String]) async -> Never {
        do {
            var command = try await asyncParseAsRoot(arguments)
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
            Foundation.exit(0)
        } catch {
            let code = Exit.status(for: exitCode(for: error))
            let message = fullMessage(for: error)
            if code == 0 {
                if !message.isEmpty { print(message) }  // help and --version, after anything printed before
            } else if !message.isEmpty {
                FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
            }
            Foundation.exit(code)
        }
    }
}

/// Exit codes: 0 success, 1 run failure, 2 bad input (suite, data, arguments), 130 interrupted.
enum Exit {
    static func fail(_ message: String, code: Int32) -> ExitCode {
        FileHandle.standardError.write(Data("\(message)\n".utf8))
        return ExitCode(code)
    }

    /// The exit of `ttsbench <command>` after `error`: a broken suite (its located message) or an
    /// AdaStop setting it cannot take is bad input (2); anything else is a run failure (1).
    static func failure(_ error: any Error, command: String) -> ExitCode {
        switch error {
        case let error as SuiteError: fail(error.description, code: 2)
        case let error as AdaStopError: fail("ttsbench \(command): \(error)", code: 2)
        default: fail("ttsbench: \(error)", code: 1)
        }
    }

    /// ArgumentParser's usage-error status (64, EX_USAGE) becomes 2; every other status is kept.
    static func status(for code: ExitCode) -> Int32 {
        code == .validationFailure ? 2 : code.rawValue
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check a suite without running it; exit 0 when valid, 2 otherwise.")

    @Argument(help: "The suite file (YAML).") var suite: String

    func run() throws {
        do {
            let s = try SuiteLoader.loadResolvingReplays(path: suite)
            let task = try TaskLoader.load(s.task, suiteSeed: s.seed)
            try DesignReview.requireDecidable(s)
            print("\(suite): valid — suite '\(s.name)', \(task.items.count) items, \(s.models.count) models, \(s.strategies.count) strategies, \(s.systems.count) systems")
            // A key the environment lacks is a warning, not an error: CI validates suites where
            // no secret is set; `run` then fails on the model's first request.
            for model in s.models {
                if case .openai(let p) = model.kind, let env = p.apiKeyEnv, ProcessInfo.processInfo.environment[env]?.isEmpty ?? true {
                    FileHandle.standardError.write(Data(("warning: \(suite): model '\(model.name)' reads its API key from $\(env), "
                        + "which is not set here: `run` will fail until it is\n").utf8))
                }
            }
            let outside = s.uncomparedSystems
            if !outside.isEmpty {
                print("outside every comparison (run for one interim, \(s.compare.groupSize) seeds, and ranked by their mean without decisions): "
                      + outside.joined(separator: ", "))
            }
        } catch let error as SuiteError {
            throw Exit.fail(error.description, code: 2)
        } catch let error as AdaStopError {
            throw Exit.fail("\(suite): \(error)", code: 2)
        }
    }
}

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Before spending anything: per system and in total, the samples, requests, tokens and cost at minimum, expected and maximum.",
        discussion: "min: every comparison decided at the first interim; expected: a model of the AdaStop schedule around each system's "
            + "prior (recorded seeds as a pilot, else the simulated backend's parameters; named per system); max: max_interims x group_size "
            + "seeds. Samples already in the database are free; totals count distinct pool samples. Reads the database, never writes it.")

    @Argument(help: "The suite file (YAML).") var suite: String
    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Print the plan as JSON.") var json = false

    func run() throws {
        do {
            let plan = try Plan.make(suitePath: suite, databasePath: database.db)
            print(json ? plan.json() : plan.text(), terminator: "")
        } catch {
            throw Exit.failure(error, command: "plan")
        }
    }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a suite, record everything in SQLite, and write its leaderboard.")

    @Argument(help: "The suite file (YAML).") var suite: String
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Run exactly N seeds per system, without the sequential test (default: AdaStop decides).") var seeds: Int?
    @Option(help: ArgumentHelp("Generate share i of M of the items (1 <= i <= M) into --db, deciding nothing; then `ttsbench merge` the shards and run on the merged database. With --seeds N: seeds 0..N-1; without: all max_interims x group_size seeds the test could use.",
                               valueName: "i/M"))
    var shard: String?
    @OptionGroup(title: "Budget (default: the suite's compare.budget, else none)") var budget: BudgetOptions
    @OptionGroup var execution: ExecutionOptions
    @OptionGroup var replacing: ReplaceOptions

    func validate() throws {
        if let seeds, seeds < 1 { throw ValidationError("--seeds must be at least 1") }
        if let shard {
            do { _ = try Shard(parsing: shard) } catch { throw ValidationError("--shard: \(error)") }
            if budget.budget != nil { throw ValidationError("--max-samples, --max-tokens and --max-usd limit the sequential test; a shard runs none") }
        }
        if seeds != nil && budget.budget != nil {
            throw ValidationError("--max-samples, --max-tokens and --max-usd limit the sequential test; they do not apply with --seeds")
        }
    }

    func run() async throws {
        var options = Session.Options(database: database, output: output, execution: execution, budget: budget, replacing: replacing)
        if let shard {
            options.shard = try Shard(parsing: shard)
            let settings = options
            let report = try await runInterruptibly(database: database.db) {
                try await Session.open(suitePath: suite, options: settings, checkOutput: false).runShard(seeds: seeds)
            }
            print(report.message)
            return
        }
        let settings = options
        let report = try await runInterruptibly(database: database.db) {
            try await Session.open(suitePath: suite, options: settings).run(seeds: seeds)
        }
        print(MarkdownRenderer().render(report.leaderboard))
        if let stop = report.budgetStop { print(stop.message) }
        if let problem = report.designProblem {
            FileHandle.standardError.write(Data("warning: \(suite): \(problem) (`ttsbench validate` refuses this suite)\n".utf8))
        }
        let rate = report.seconds > 0 ? Double(report.samplesGenerated) / report.seconds : 0
        print(String(format: "%d new samples in %.1f s (%.0f samples/s). Leaderboard: %@", report.samplesGenerated, report.seconds, rate,
                     report.files.joined(separator: ", ")))
        if let incomplete = report.incomplete { throw Exit.fail("ttsbench: \(incomplete)", code: 1) }
    }
}

struct Compare: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare two systems of a suite with AdaStop: adds seeds only while the comparison is undecided.")

    @Argument(help: "The suite file (YAML).") var suite: String
    @Argument(help: "System A (as named on the leaderboard, e.g. mid/maj8).") var systemA: String
    @Argument(help: "System B.") var systemB: String
    @OptionGroup(title: "Statistics overrides (default: the suite's compare settings)") var statistics: StatisticsOverrides
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var execution: ExecutionOptions
    @OptionGroup var replacing: ReplaceOptions
    @Flag(help: "Print the result as JSON.") var json = false

    func run() async throws {
        var options = Session.Options()
        options.databasePath = database.db
        options.replace = replacing.replace
        options.workers = execution.workers
        options.showProgress = !execution.quiet && !json
        let overrides = CompareOverrides(alpha: statistics.alpha, groupSize: statistics.groupSize,
                                         maxInterims: statistics.maxInterims, permutations: statistics.permutations)
        do {
            let report = try await Session.compare(suitePath: suite, systemA, systemB, overrides: overrides, options: options)
            print(json ? report.json() : report.text(), terminator: json ? "\n" : "")
        } catch let error as SuiteConflict {
            throw Exit.fail(error.description, code: 2)
        } catch let error as ArgumentError {
            throw Exit.fail(error.description, code: 2)
        } catch {
            throw Exit.failure(error, command: "compare")
        }
    }
}

struct AdaStopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adastop",
        abstract: "Run the AdaStop test on scores produced anywhere (CSV: a header of agent names, one column per agent, one row per run).")

    @Argument(help: "The scores file (CSV).") var scores: String
    @Option(help: "Maximum number of interims K.") var nGroups = 5
    @Option(help: "Scores per agent per interim n.") var sizeGroup = 5
    @Option(help: "Family-wise error level.") var alpha = 0.05
    @Option(help: "Permutations B.") var permutations = 10_000
    @Option(help: "Seed of the permutation sampler.") var seed: UInt64 = 0
    @Flag(help: "Compare every agent with the first only.") var compareToFirst = false
    @Option(help: "Reproduce another implementation's boundary rule: adastop-0.1.3 (signed maximum; about doubles the two-sided error).")
    var compat: CompatChoice?
    @Option(help: "How block scores are permuted: closed (closed testing, Holm over exact pairwise tests beyond 6 agents; default), holm, pairwise (SPEC.md; the default with --compat) or joint.")
    var permutation: PermutationChoice?
    @Option(help: "Early accept: decide \"equal\" before the last interim when the difference is below this many seed standard deviations (default 0.9; 0 turns it off; off with --compat).")
    var earlyAcceptSd: Double?
    @Option(help: "Error of an early \"equal\" when the true difference is the margin (default 0.25).") var beta: Double?
    @Flag(help: "Print the result as JSON.") var json = false

    func validate() throws {
        if compat != nil, let permutation, permutation != .pairwise {
            throw ValidationError("--compat adastop-0.1.3 permutes pairs: --permutation \(permutation.rawValue) does not apply")
        }
        if compat != nil, let sd = earlyAcceptSd, sd > 0 {
            throw ValidationError("--compat adastop-0.1.3 has no early accept: drop --early-accept-sd")
        }
        if let sd = earlyAcceptSd, !(sd >= 0 && sd.isFinite) { throw ValidationError("--early-accept-sd must be 0 (off) or positive") }
        if let beta, !(beta > 0 && beta < 1) { throw ValidationError("--beta must be strictly between 0 and 1") }
    }

    func run() throws {
        let rule = compat?.rule ?? .absolute
        let scheme = permutation?.scheme ?? (compat == nil ? .closed : .pairwise)
        var futility: Futility? = compat == nil ? .standard : nil
        if let sd = earlyAcceptSd { futility = sd > 0 ? Futility(margin: .standardDeviations(sd), beta: beta ?? Futility.standard.beta) : nil }
        if let beta, futility != nil { futility!.beta = beta }
        guard let data = FileManager.default.contents(atPath: scores) else {
            throw Exit.fail("\(scores): cannot read the scores file", code: 2)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Exit.fail("\(scores): the scores file is not valid UTF-8", code: 2)
        }
        let config = AdaStopConfig(interims: nGroups, groupSize: sizeGroup, permutations: permutations, alpha: alpha, seed: seed,
                                   rule: rule, scheme: scheme, futility: futility)
        do {
            let report = try AdaStopCSV.evaluate(text: text, config: config, compareToFirst: compareToFirst)
            let out = json ? report.json() : report.text()
            print(out, terminator: out.hasSuffix("\n") ? "" : "\n")
        } catch let error as AdaStopError {
            throw Exit.fail("\(scores): \(error)", code: 2)
        }
    }
}

/// Turns Ctrl-C into task cancellation, so a run stops cleanly: in-flight work is dropped,
/// buffered samples are flushed, and the next run resumes from the database.
enum Interrupt {
    static func onSIGINT(_ handler: @escaping @Sendable () -> Void) -> any DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler(handler: handler)
        source.resume()
        return source
    }
}

/// Runs a suite-driving operation that Ctrl-C cancels, and maps its errors to exit statuses:
/// 2 for a bad suite, 130 when interrupted (with how to resume), 1 otherwise.
func runInterruptibly<T: Sendable>(database: String, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let task = Task { try await operation() }
    let interrupt = Interrupt.onSIGINT { task.cancel() }
    defer { interrupt.cancel() }
    do {
        return try await task.value
    } catch let error as SuiteError {
        throw Exit.fail(error.description, code: 2)
    } catch let error as SuiteConflict {
        throw Exit.fail(error.description, code: 2)
    } catch is CancellationError {
        throw Exit.fail("\ninterrupted: everything generated so far is recorded in \(database). Run the same command again to resume.", code: 130)
    } catch let error as EndpointDownError {
        throw Exit.fail("ttsbench: \(error)", code: 1)
    } catch {
        throw Exit.fail("ttsbench: \(error)", code: 1)
    }
}
