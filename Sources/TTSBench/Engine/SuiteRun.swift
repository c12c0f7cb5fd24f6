import Foundation

/// What `ttsbench run` does, as a library call: validate, expand, run seeds, record, report.
public struct RunOptions: Sendable {
    public var databasePath: String = "results/ttsbench.sqlite"
    public var outputDirectory: String = "results"
    /// Seeds per system; nil means the suite's `compare.group_size`.
    public var seeds: Int?
    public var workers: Int = 8
    public var showProgress: Bool = true

    public init() {}
}

public struct RunReport: Sendable {
    public var leaderboard: Leaderboard
    public var files: [String]
    public var samplesGenerated: Int
    public var seconds: Double
}

public enum SuiteRun {
    public static func run(suitePath: String, options: RunOptions) async throws -> RunReport {
        let clock = ContinuousClock()
        let start = clock.now
        let suite = try SuiteLoader.load(path: suitePath)
        let task = try TaskLoader.load(suite.task, suiteSeed: suite.seed)
        // An output directory that cannot be written fails the run now, not after hours of generation.
        try AtomicWriter.checkWritable((options.outputDirectory as NSString).appendingPathComponent(suite.name))
        let lock = try RunLock(database: options.databasePath)
        defer { withExtendedLifetime(lock) {} }
        let store = try Store(path: options.databasePath)
        try await store.register(suite, taskDigest: task.digest)
        let progress = Progress(enabled: options.showProgress)
        let runner = try Runner(suite: suite, task: task, store: store, workers: options.workers, progress: progress)
        let before = try await store.sampleCount()
        var seedsUsed: [Int]
        do {
            if let seeds = options.seeds {
                // Fixed design: the same number of seeds for every system, no sequential test.
                try await runner.ensureSeeds(suite.systems.map { ($0, seeds) })
                try await store.clearDecisions(scope: suite.name)
                seedsUsed = suite.systems.map { _ in seeds }
            } else {
                let schedule = SequentialSchedule(systems: suite.systems, comparisons: SequentialSchedule.comparisons(for: suite),
                                                  config: SequentialSchedule.config(for: suite), scope: suite.name)
                seedsUsed = try await schedule.run(runner: runner, progress: progress).scoresUsed
            }
        } catch {
            progress.finish()
            try? await store.flush()
            throw error
        }
        progress.finish()
        for (system, seeds) in zip(suite.systems, seedsUsed) {
            try await store.setSeedsUsed(suite: suite.name, system: system.name, seeds: seeds)
        }
        let after = try await store.sampleCount()
        let board = try await Publish.board(reader: store.reader, suite: suite.name)
        let files = try writeLeaderboard(board, directory: (options.outputDirectory as NSString).appendingPathComponent(suite.name))
        let elapsed = clock.now - start
        return RunReport(leaderboard: board, files: files, samplesGenerated: after - before,
                         seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    public static func writeLeaderboard(_ board: Leaderboard, directory: String,
                                        renderers: [any LeaderboardRenderer] = [MarkdownRenderer(), JSONRenderer()]) throws -> [String] {
        try renderers.map { renderer in
            let path = (directory as NSString).appendingPathComponent(renderer.fileName)
            try AtomicWriter.write(renderer.render(board), to: path)
            return path
        }
    }
}
