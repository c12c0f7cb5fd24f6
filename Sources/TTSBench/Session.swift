import TTSCore
import TTSStore
import TTSSuite
import TTSRuntime
import TTSReport
import AdaStop
import Foundation

/// The use cases of ttsbench (run, compare, publish) as one type: a suite loaded, its task
/// loaded, the database locked and opened, the suite and everything reports will need recorded,
/// and a runner ready. The CLI parses arguments and calls one method.
///
/// ```swift
/// let session = try await Session.open(suitePath: "suites/demo.yaml", options: .init())
/// let board = try await session.run()
/// ```
public struct Session: Sendable {
    public struct Options: Sendable {
        public var databasePath = "results/ttsbench.sqlite"
        /// Leaderboards go to `<outputDirectory>/<suite>/`.
        public var outputDirectory = "results"
        /// `--workers`: the most items in flight at once. nil (the default): enough items that
        /// every endpoint model keeps its `max_concurrency` requests in flight
        /// (`Runner.defaultItemWindow`).
        public var workers: Int? = nil
        public var showProgress = true
        /// `--max-samples/--max-tokens/--max-usd`: replace the suite's `compare.budget` limits.
        public var budget: Budget? = nil
        /// `--shard i/M`: generate this share of the items, record item outcomes, decide nothing (`runShard`).
        public var shard: Shard? = nil
        /// `--replace`: record the suite over one of the same name with another fingerprint
        /// (refused otherwise, naming both).
        public var replace = false
        public init() {}
    }

    public let suite: Suite
    public let task: LoadedTask
    public let store: Store
    public let options: Options
    /// Held for the session's lifetime: one writer per database.
    let lock: RunLock
    let runner: Runner
    let progress: TTSRuntime.Progress

    /// Loads the suite and its task, locks and opens the database, and records the suite.
    public static func open(suitePath: String, options: Options, checkOutput: Bool = true) async throws -> Session {
        try await open(suite: try SuiteLoader.loadResolvingReplays(path: suitePath), options: options, checkOutput: checkOutput)
    }

    /// The same, for a suite already loaded.
    public static func open(suite: Suite, options: Options, checkOutput: Bool = true) async throws -> Session {
        let task = try TaskLoader.load(suite.task, suiteSeed: suite.seed)
        // An output directory that cannot be written fails the run now, not after hours of generation.
        if checkOutput { try AtomicWriter.checkWritable((options.outputDirectory as NSString).appendingPathComponent(suite.name)) }
        let lock = try RunLock(database: options.databasePath)
        let store = try Store(path: options.databasePath)
        try Registration.checkChanges(suite: suite, in: store, database: options.databasePath, replace: options.replace)
        try await Registration.record(suite: suite, task: task, in: store)
        let progress = TTSRuntime.Progress(enabled: options.showProgress)
        let runner = try Runner(suite: suite, task: task, store: store, workers: options.workers, progress: progress, shard: options.shard)
        return Session(suite: suite, task: task, store: store, options: options, lock: lock, runner: runner, progress: progress)
    }

    /// Runs `operation`, flushing what was generated when it fails or is cancelled.
    func running<T: Sendable>(_ operation: () async throws -> T) async throws -> T {
        do {
            let result = try await operation()
            progress.finish()
            return result
        } catch {
            progress.finish()
            try? await store.flush()
            throw error
        }
    }

    // MARK: run

    /// `ttsbench run`: adds seeds interim by interim until every comparison is decided (or
    /// `seeds` seeds per system, with no test), records how many seeds each system used, and
    /// writes leaderboard.md and leaderboard.json.
    public func run(seeds: Int? = nil) async throws -> RunReport {
        try await run(seeds: seeds, formats: [.md, .json])
    }

    /// `ttsbench publish`: a run (a resume: nothing is generated when the suite is complete),
    /// then the five files of a published leaderboard, built once from the database.
    public func publish() async throws -> RunReport {
        try await run(seeds: nil, formats: LeaderboardFormat.allCases)
    }

    /// The budget of a run: the suite's `compare.budget`, each limit replaced by the command's
    /// flag when given.
    public var budget: Budget? {
        let b = (suite.compare.budget ?? Budget()).overridden(by: options.budget)
        return b.isEmpty ? nil : b
    }

    func run(seeds: Int?, formats: [LeaderboardFormat]) async throws -> RunReport {
        let clock = ContinuousClock()
        let start = clock.now
        let before = try await store.sampleCount()
        var stop: BudgetStop? = nil
        var incomplete: IncompleteRunError? = nil
        let seedsUsed: [Int] = try await running {
            if let seeds {
                // Fixed design: the same number of seeds for every system, no sequential test.
                do {
                    try await runner.ensureSeeds(suite.systems.map { ($0, seeds) })
                } catch let error as IncompleteRunError {
                    incomplete = error
                }
                try await store.clearDecisions(scope: suite.name)
                return suite.systems.map { _ in seeds }
            }
            let schedule = SequentialSchedule(systems: suite.systems, comparisons: SequentialSchedule.comparisons(for: suite),
                                              config: SequentialSchedule.config(for: suite), scope: suite.name, budget: budget)
            let outcome = try await schedule.run(runner: runner, progress: progress)
            if let interim = outcome.stoppedByBudget, let budget {
                stop = BudgetStop(budget: budget, interim: interim, spent: outcome.spent, refused: outcome.refused ?? CostModel.Cost(),
                                  undecided: outcome.results.filter { $0.decision == nil }.count)
            }
            incomplete = outcome.incomplete
            return outcome.scoresUsed
        }
        for (system, seeds) in zip(suite.systems, seedsUsed) {
            try await store.setSeedsUsed(suite: suite.name, system: system.name, seeds: seeds)
        }
        // Complete: whatever failed before is no longer missing.
        if incomplete == nil { try await store.resolveFailures(systemFingerprints: suite.systems.map(\.fingerprint)) }
        let after = try await store.sampleCount()
        let (board, files) = try LeaderboardFiles.write(reader: store.reader, suite: suite.name, directory: outputDirectory,
                                                        formats: formats)
        let elapsed = clock.now - start
        return RunReport(leaderboard: board, files: files, samplesGenerated: after - before,
                         seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
                         budgetStop: stop, incomplete: incomplete,
                         designProblem: seeds == nil ? try DesignReview.problem(suite) : nil)
    }

    var outputDirectory: String { (options.outputDirectory as NSString).appendingPathComponent(suite.name) }

    // MARK: compare

    /// `ttsbench compare`: two systems of the suite with statistical stopping. Its interims and
    /// decisions are recorded under their own scope (`<suite>:compare:<a>|<b>|design=<design>`),
    /// never as the suite's decisions; its seed runs are shared with the suite's systems. A pair
    /// once compared with one design is refused another (alpha, group size, interims,
    /// permutations, rule, scheme): the error guarantee assumes the design was fixed in advance,
    /// so a new design must not continue a test whose results were seen.
    public func compare(_ a: String, _ b: String, overrides: CompareOverrides = CompareOverrides()) async throws -> CompareReport {
        try Self.checkComparable(a, b, in: suite)
        var config = SequentialSchedule.config(for: suite)
        if let alpha = overrides.alpha { config.alpha = alpha }
        if let n = overrides.groupSize { config.groupSize = n }
        if let k = overrides.maxInterims { config.interims = k }
        if let p = overrides.permutations { config.permutations = p }
        try config.validate()
        if !(try DesignCheck.decidability(agentCount: 2, comparisons: [Comparison(0, 1)], config: config).canDecide) {
            let sizes = try DesignCheck.smallestDecidingSizes(agentCount: 2, comparisons: [Comparison(0, 1)], config: config)
            throw SuiteError(file: suite.path, line: suite.compare.designLine, column: suite.compare.designColumn,
                             message: "compare cannot decide with group size \(config.groupSize) and \(config.interims) interims at alpha "
                                + "\(shortNumber(config.alpha)) (\(config.permutations) permutations): even completely separated seed scores "
                                + "never reach the boundary"
                                + (sizes.groupSize.map { "; --group-size \($0) would" } ?? "")
                                + (sizes.interims.map { "; --max-interims \($0) would" } ?? ""))
        }
        let pairScope = "\(suite.name):compare:\(a)|\(b)|design="
        let design = "alpha \(shortNumber(config.alpha)), group size \(config.groupSize), \(config.interims) interims, "
            + "\(config.permutations) permutations, rule \(config.rule.rawValue)" + config.schemeDescription
        if let earlier = try store.reader.scopes(withPrefix: pairScope).first(where: { $0 != pairScope + design }) {
            throw ArgumentError(message: "ttsbench compare: \(a) and \(b) were compared with another design ("
                                + earlier.dropFirst(pairScope.count) + "); this one (" + design + ") would continue a test whose "
                                + "results were seen, which its error guarantee does not allow. Run the earlier design again, or "
                                + "compare them in a suite of another name and seed for a new test")
        }
        let schedule = SequentialSchedule(systems: [suite.system(a)!, suite.system(b)!], comparisons: [Comparison(a: 0, b: 1)],
                                          config: config, scope: pairScope + design)
        let outcome = try await running { try await schedule.run(runner: runner, progress: progress) }
        if let incomplete = outcome.incomplete { throw incomplete }
        let result = outcome.results[0]
        let xs = Array(outcome.scores[0].prefix(outcome.scoresUsed[0]))
        let ys = Array(outcome.scores[1].prefix(outcome.scoresUsed[1]))
        // Seeds with the same index read the same samples only when both systems draw from one
        // pool (same model and decoding limits, shared pool): only then are they paired.
        let paired = xs.count == ys.count && Self.sharePool(a, b, suite: suite, task: task)
        let (lo, hi) = Bootstrap.differenceInterval(xs, ys, paired: paired, seed: "\(suite.seed)|\(a)|\(b)")
        let items = try PairedItems.compare(reader: store.reader, a: suite.system(a)!.fingerprint, seedsA: xs.count,
                                            b: suite.system(b)!.fingerprint, seedsB: ys.count, seed: PairedItems.seed(a, b))
        let decision = result.decision ?? .equal
        let interim = result.interim ?? outcome.interims.count - 1
        // An early accept rules out differences at or above the margin on the scores it used.
        let ruledOut: Double? = decision == .equal && interim + 1 < config.interims
            ? config.futility?.ruledOutDifference(xs[...], ys[...]) : nil
        return CompareReport(a: a, b: b, decision: decision, interim: interim,
                             seedsA: xs.count, seedsB: ys.count, meanA: Bootstrap.mean(xs), meanB: Bootstrap.mean(ys),
                             difference: Bootstrap.mean(xs) - Bootstrap.mean(ys), ciLow: lo, ciHigh: hi, config: config,
                             metric: suite.compare.metric.rawValue, paired: paired, overItems: items.difference, itemTest: items.itemTest,
                             ruledOut: ruledOut)
    }
}

extension Session {
    /// Whether two systems read their samples from the same pool (so seed i of each saw the
    /// same samples).
    static func sharePool(_ a: String, _ b: String, suite: Suite, task: LoadedTask) -> Bool {
        guard let sa = suite.system(a), let sb = suite.system(b), let ma = suite.model(sa.model), let mb = suite.model(sb.model),
              let ta = suite.strategy(sa.strategy), let tb = suite.strategy(sb.strategy) else { return false }
        return Runner.poolID(suite: suite, task: task, model: ma, strategy: ta, system: sa)
            == Runner.poolID(suite: suite, task: task, model: mb, strategy: tb, system: sb)
    }

    /// Names two distinct systems of the suite, or an error naming the suite's systems (the
    /// names come from the command line, not from the file: the error is not located in it).
    static func checkComparable(_ a: String, _ b: String, in suite: Suite) throws {
        let names = suite.systems.map(\.name)
        for name in [a, b] where suite.system(name) == nil {
            let suggestion = closest(name, in: names).map { " (did you mean '\($0)'?)" } ?? ""
            throw ArgumentError(message: "ttsbench compare: \(suite.path) defines no system '\(name)'\(suggestion); "
                                + "systems: \(names.joined(separator: ", "))")
        }
        guard a != b else { throw ArgumentError(message: "ttsbench compare: give two different systems (both are '\(a)')") }
    }

    /// `ttsbench compare` from a suite file: the two names are checked before anything is
    /// opened or recorded.
    public static func compare(suitePath: String, _ a: String, _ b: String, overrides: CompareOverrides = CompareOverrides(),
                               options: Options) async throws -> CompareReport {
        let suite = try SuiteLoader.loadResolvingReplays(path: suitePath)
        try checkComparable(a, b, in: suite)
        return try await open(suite: suite, options: options, checkOutput: false).compare(a, b, overrides: overrides)
    }
}

public struct RunReport: Sendable {
    public var leaderboard: Leaderboard
    public var files: [String]
    public var samplesGenerated: Int
    public var seconds: Double
    /// Set when the budget stopped the test before it finished.
    public var budgetStop: BudgetStop? = nil
    /// Set when failed requests left items unfinished: the leaderboard marks their systems,
    /// and the command exits 1 saying to run again.
    public var incomplete: IncompleteRunError? = nil
    /// Set when the suite's design can decide no comparison (`validate` refuses such a suite;
    /// `run` warns, and its systems all rank equal).
    public var designProblem: String? = nil
}

/// Where a budget stopped a run: the interim it could not pay for, what the run had spent and
/// what that interim would have cost, and how many comparisons are left undecided.
public struct BudgetStop: Sendable {
    public var budget: Budget
    public var interim: Int
    public var spent: CostModel.Cost
    public var refused: CostModel.Cost
    public var undecided: Int

    public var message: String {
        func figures(_ c: CostModel.Cost) -> String {
            "\(c.samples) samples, \(Int(c.tokens.rounded())) tokens" + (budget.usd != nil ? String(format: ", $%.4f", c.usd) : "")
        }
        return "budget (\(budget.description)) reached: interim \(interim + 1) would add about \(figures(refused)) to the "
            + "\(figures(spent)) this run generated; \(undecided) comparison\(undecided == 1 ? "" : "s") left undecided (budget). "
            + "Run again with a larger budget to continue the test."
    }
}

/// `ttsbench compare`'s overrides of the suite's AdaStop settings.
public struct CompareOverrides: Sendable {
    public var alpha: Double?
    public var groupSize: Int?
    public var maxInterims: Int?
    public var permutations: Int?
    public init(alpha: Double? = nil, groupSize: Int? = nil, maxInterims: Int? = nil, permutations: Int? = nil) {
        self.alpha = alpha
        self.groupSize = groupSize
        self.maxInterims = maxInterims
        self.permutations = permutations
    }
}
