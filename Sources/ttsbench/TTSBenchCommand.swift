import ArgumentParser
import Foundation
import AdaStop
import TTSBench
import TTSCore
import TTSStore
import TTSSuite
import TTSRuntime
import TTSReport

@main
struct TTSBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ttsbench",
        abstract: "Benchmark test-time scaling of language models, with sequential statistical stopping.",
        subcommands: [Run.self, Validate.self, Compare.self, AdaStopCommand.self, LeaderboardCommand.self, PublishCommand.self, VerifyCommand.self])
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
    @Option(help: "Run exactly N seeds per system, without the sequential test (default: AdaStop decides).") var seeds: Int?
    @Option(help: "Items in flight at once.") var workers = 8
    @Flag(help: "No progress line.") var quiet = false

    func validate() throws {
        if let seeds, seeds < 1 { throw ValidationError("--seeds must be at least 1") }
        if workers < 1 { throw ValidationError("--workers must be at least 1") }
    }

    func run() async throws {
        var options = Session.Options()
        options.databasePath = db
        options.outputDirectory = out
        options.workers = workers
        options.showProgress = !quiet
        let settings = options
        let report = try await runInterruptibly(database: db) { try await Session.open(suitePath: suite, options: settings).run(seeds: seeds) }
        print(MarkdownRenderer().render(report.leaderboard))
        let rate = report.seconds > 0 ? Double(report.samplesGenerated) / report.seconds : 0
        print(String(format: "%d new samples in %.1f s (%.0f samples/s). Leaderboard: %@", report.samplesGenerated, report.seconds, rate,
                     report.files.joined(separator: ", ")))
    }
}

struct Compare: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare two systems of a suite with AdaStop: adds seeds only while the comparison is undecided.")

    @Argument(help: "The suite file (YAML).") var suite: String
    @Argument(help: "System A (as named on the leaderboard, e.g. mid/maj8).") var systemA: String
    @Argument(help: "System B.") var systemB: String
    @Option(help: "Family-wise error level (default: the suite's compare.alpha).") var alpha: Double?
    @Option(help: "Seeds per system per interim (default: compare.group_size).") var groupSize: Int?
    @Option(help: "Maximum number of interims K (default: compare.max_interims).") var maxInterims: Int?
    @Option(help: "Permutations B (default: compare.permutations).") var permutations: Int?
    @Option(help: "The SQLite database.") var db = "results/ttsbench.sqlite"
    @Option(help: "Items in flight at once.") var workers = 8
    @Flag(help: "Print the result as JSON.") var json = false
    @Flag(help: "No progress line.") var quiet = false

    func validate() throws {
        if let alpha, !(alpha > 0 && alpha <= 0.5) { throw ValidationError("--alpha must be in (0, 0.5]") }
        if let groupSize, groupSize < 1 { throw ValidationError("--group-size must be at least 1") }
        if let maxInterims, maxInterims < 1 { throw ValidationError("--max-interims must be at least 1") }
        if let permutations, permutations < 100 { throw ValidationError("--permutations must be at least 100") }
        if workers < 1 { throw ValidationError("--workers must be at least 1") }
    }

    func run() async throws {
        var options = Session.Options()
        options.databasePath = db
        options.workers = workers
        options.showProgress = !quiet && !json
        let overrides = CompareOverrides(alpha: alpha, groupSize: groupSize, maxInterims: maxInterims, permutations: permutations)
        do {
            let report = try await Session.open(suitePath: suite, options: options, checkOutput: false).compare(systemA, systemB, overrides: overrides)
            print(json ? report.json() : report.text(), terminator: json ? "\n" : "")
        } catch let error as SuiteError {
            throw Exit.fail(error.description, code: 2)
        } catch let error as AdaStopError {
            throw Exit.fail("ttsbench compare: \(error)", code: 2)
        } catch {
            throw Exit.fail("ttsbench: \(error)", code: 1)
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
    var compat: String?
    @Option(help: "How block scores are permuted: pairwise (SPEC.md, default) or joint (exact under the global null; fewer early decisions).")
    var permutation = "pairwise"
    @Flag(help: "Print the result as JSON.") var json = false

    func run() throws {
        var rule = BoundaryRule.absolute
        if let compat {
            guard let r = BoundaryRule(rawValue: compat), r != .absolute else {
                throw Exit.fail("ttsbench adastop: --compat takes adastop-0.1.3, found '\(compat)'", code: 2)
            }
            rule = r
        }
        guard let data = FileManager.default.contents(atPath: scores) else {
            throw Exit.fail("\(scores): cannot read the scores file", code: 2)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Exit.fail("\(scores): the scores file is not valid UTF-8", code: 2)
        }
        guard let scheme = PermutationScheme(rawValue: permutation) else {
            throw Exit.fail("ttsbench adastop: --permutation takes pairwise or joint, found '\(permutation)'", code: 2)
        }
        let config = AdaStopConfig(interims: nGroups, groupSize: sizeGroup, permutations: permutations, alpha: alpha, seed: seed,
                                   rule: rule, scheme: scheme)
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
    } catch is CancellationError {
        throw Exit.fail("\ninterrupted: everything generated so far is recorded in \(database). Run the same command again to resume.", code: 130)
    } catch {
        throw Exit.fail("ttsbench: \(error)", code: 1)
    }
}
