import Foundation
import Testing

/// `ttsbench run --shard i/M` and `ttsbench merge`, through the binary; and the fleet recipes'
/// example suites load.
@Suite struct ShardCLITests {
    func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// Three shards merged, then a sequential run on the merge: the leaderboard of one machine, nothing generated.
    @Test func threeShardsMergedAndDecidedGiveOneMachinesLeaderboard() async throws {
        let dir = try makeTempDir("ttsbench-e2e-shards")
        let suite = smallSuiteYAML(name: "e2e", seed: 11, taskName: nil, items: 30) + "compare: {group_size: 2, max_interims: 2, permutations: 500}\n"
        try suite.write(toFile: dir + "/e2e.yaml", atomically: true, encoding: .utf8)
        let one = try await Binary.run(["run", "e2e.yaml", "--db", "one.sqlite", "--out", "one", "--quiet"], in: dir, timeout: .seconds(300))
        #expect(one.status == 0, "\(one.stderr)")

        for i in 1...3 {
            let shard = try await Binary.run(["run", "e2e.yaml", "--shard", "\(i)/3", "--db", "shard-\(i).sqlite", "--quiet"], in: dir,
                                             timeout: .seconds(300))
            #expect(shard.status == 0, "\(shard.stderr)")
            #expect(shard.stdout.contains("shard \(i)/3: ") && shard.stdout.contains("of 30 items"), "\(shard.stdout)")
            #expect(try storeCounts(dir + "/shard-\(i).sqlite").seedRuns == 0)
        }
        let badShard = try await Binary.run(["run", "e2e.yaml", "--shard", "4/3", "--db", "x.sqlite"], in: dir)
        #expect(badShard.status == 2 && badShard.stderr.contains("--shard"), "\(badShard.stderr)")

        let merge = try await Binary.run(["merge", "--into", "merged.sqlite", "shard-1.sqlite", "shard-2.sqlite", "shard-3.sqlite"], in: dir)
        #expect(merge.status == 0, "\(merge.stderr)")
        #expect(merge.stdout.contains("merged 3 databases into merged.sqlite"), "\(merge.stdout)")
        let again = try await Binary.run(["merge", "--into", "merged.sqlite", "shard-1.sqlite"], in: dir)
        #expect(again.status == 2 && again.stderr.contains("--force"), "an existing output is refused: \(again.stderr)")

        let samples = try storeCounts(dir + "/merged.sqlite").samples
        let decided = try await Binary.run(["run", "e2e.yaml", "--db", "merged.sqlite", "--out", "merged", "--quiet"], in: dir,
                                           timeout: .seconds(300))
        #expect(decided.status == 0, "\(decided.stderr)")
        #expect(decided.stdout.contains("\n0 new samples in "), "the run on the merged database generates nothing: \(decided.stdout)")
        #expect(try storeCounts(dir + "/merged.sqlite").samples == samples)
        for file in ["leaderboard.md", "leaderboard.json"] {
            #expect(try bytes(dir + "/one/e2e/" + file) == bytes(dir + "/merged/e2e/" + file), "\(file) differs")
        }
    }

    static let examples: [String] = {
        let dir = Binary.root + "/suites/examples"
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
    }()
    static let datasets = ProcessInfo.processInfo.environment["TTSBENCH_DATASETS"].flatMap { $0.isEmpty ? nil : $0 }
        ?? Binary.root + "/../shared/datasets"
    static let haveDatasets = FileManager.default.fileExists(atPath: datasets + "/math500.jsonl")

    /// The recipes' suites (docs/models.md#recipes) read MATH-500 and GSM8K from suites/data/, which
    /// the repository does not ship: the test lays the examples beside a data/ folder linking the
    /// shared datasets, as a user who followed the README has them.
    @Test(.enabled(if: haveDatasets || requireInputs, Comment(rawValue: "the example suites read suites/data/ (../shared/datasets here)")))
    func theExampleSuitesValidate() async throws {
        try #require(Self.haveDatasets, "TTSBENCH_REQUIRE_INPUTS=1 but \(Self.datasets)/math500.jsonl is missing")
        #expect(Self.examples.contains("slurm-shards.yaml") && Self.examples.count >= 6, "\(Self.examples)")
        let dir = try makeTempDir("ttsbench-e2e-examples")  // the binary's output files go here, not into the repository
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir + "/suites/examples", withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: dir + "/suites/data", withDestinationPath: Self.datasets)
        for example in Self.examples {
            try fm.copyItem(atPath: Binary.root + "/suites/examples/" + example, toPath: dir + "/suites/examples/" + example)
            let result = try await Binary.run(["validate", dir + "/suites/examples/" + example], in: dir)
            #expect(result.status == 0 && result.stdout.contains(": valid"), "\(example): \(result.stdout)\(result.stderr)")
        }
    }
}
