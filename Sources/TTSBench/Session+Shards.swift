import TTSCore
import TTSSuite
import TTSRuntime
import Foundation

extension Session {
    /// `ttsbench run SUITE --shard i/M [--seeds N]`: generates the shard's items for seeds
    /// 0..<N of every system (without `--seeds`: every seed the sequential test could ask for,
    /// `max_interims × group_size`, and `group_size` for systems outside every comparison),
    /// recording each item's outcome. No seed run is committed, no test is run, no leaderboard
    /// is written: `ttsbench merge` the shards' databases, then `ttsbench run` or `publish` on
    /// the merged database decides, without generating.
    ///
    /// ```swift
    /// var options = Session.Options()
    /// options.shard = try Shard(parsing: "1/3")
    /// let report = try await Session.open(suitePath: "suites/demo.yaml", options: options, checkOutput: false).runShard(seeds: 5)
    /// ```
    public func runShard(seeds: Int?) async throws -> ShardReport {
        guard let shard = options.shard else { throw ShardError(message: "runShard needs options.shard") }
        let clock = ContinuousClock()
        let start = clock.now
        let before = try await store.sampleCount()
        let work = Self.shardSeeds(suite: suite, seeds: seeds)
        try await running { try await runner.ensureSeeds(work) }
        let after = try await store.sampleCount()
        let elapsed = clock.now - start
        return ShardReport(shard: shard, items: runner.task.items.count, totalItems: task.items.count,
                           seeds: work.map { ($0.system.name, $0.seeds) }, samplesGenerated: after - before,
                           seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
                           database: options.databasePath)
    }

    /// Seeds per system a shard generates: `seeds`, or all the sequential test could use.
    static func shardSeeds(suite: Suite, seeds: Int?) -> [(system: SystemSpec, seeds: Int)] {
        if let seeds { return suite.systems.map { ($0, seeds) } }
        let schedule = SequentialSchedule(systems: suite.systems, comparisons: SequentialSchedule.comparisons(for: suite),
                                          config: SequentialSchedule.config(for: suite), scope: suite.name)
        let outside = Set(schedule.uncompared)
        let all = suite.compare.maxInterims * suite.compare.groupSize
        return suite.systems.enumerated().map { i, s in (s, outside.contains(i) ? suite.compare.groupSize : all) }
    }
}

/// What a shard generated.
public struct ShardReport: Sendable {
    public var shard: Shard
    /// The shard's items, of `totalItems`.
    public var items: Int
    public var totalItems: Int
    public var seeds: [(system: String, seeds: Int)]
    public var samplesGenerated: Int
    public var seconds: Double
    public var database: String

    public var message: String {
        let counts = Set(seeds.map(\.seeds)).sorted().map(String.init).joined(separator: " or ")
        return "shard \(shard): \(items) of \(totalItems) items, \(seeds.count) systems x \(counts) seeds; "
            + String(format: "%d new samples in %.1f s. ", samplesGenerated, seconds)
            + "Recorded in \(database). When every shard has run: ttsbench merge --into MERGED.sqlite SHARD1.sqlite ... "
            + "then ttsbench run (or publish) on MERGED.sqlite decides, generating nothing."
    }
}
