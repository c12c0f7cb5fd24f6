@testable import TTSBench
@testable import TTSRuntime
@testable import TTSSuite
@testable import TTSStore
import Foundation
import GRDB
import Testing

/// Generate apart, decide together: shards (`run --shard i/M`) merged (`StoreMerge`) and run
/// again give the leaderboard one machine gives, and that last run generates nothing.
@Suite struct ShardMergeTests {
    /// Pooled samples (shared between maj4 and bon4), a simulated scorer, and fusion twins (auxiliary calls on another model).
    static let suite = suiteYAML(
        name: "shards", seed: 7, task: ["{generate: {kind: arithmetic, items: 24, digits: 2}}"],
        models: ["a: {kind: simulated, ability: -0.3}", "b: {kind: simulated, ability: 0.8}"],
        systems: ["matrix: {model: [a, b], strategy: [single, maj4, bon4], verifier: [math]}"],
        tail: ["compare: {group_size: 2, max_interims: 3, permutations: 500}", "leaderboard:",
               "  variants: [fusion]", "  fusion: {fuser: b}"])

    func options(_ dir: String, db: String, out: String = "out", shard: String? = nil) throws -> Session.Options {
        var o = Session.Options()
        o.databasePath = dir + "/" + db
        o.outputDirectory = dir + "/" + out
        o.showProgress = false
        o.workers = 3
        o.shard = try shard.map { try Shard(parsing: $0) }
        return o
    }

    func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// One machine, then three shards merged, with and without `--seeds`.
    @Test(arguments: [3, nil] as [Int?])
    func threeShardsMergedWriteTheLeaderboardOfOneRun(seeds: Int?) async throws {
        let dir = try makeTempDir("shards")
        let path = try writeFile(dir, "shards.yaml", Self.suite)

        let one = try await Session.open(suitePath: path, options: try options(dir, db: "one.sqlite", out: "one")).run(seeds: seeds)
        #expect(one.samplesGenerated > 0)

        var shardItems: [Int] = []
        for i in 1...3 {
            let report = try await Session.open(suitePath: path, options: try options(dir, db: "shard-\(i).sqlite", shard: "\(i)/3"),
                                                checkOutput: false).runShard(seeds: seeds)
            shardItems.append(report.items)
            #expect(try storeCounts(dir + "/shard-\(i).sqlite").seedRuns == 0, "a shard commits no seed run")
            #expect(try storeCounts(dir + "/shard-\(i).sqlite").decisions == 0, "a shard decides nothing")
            // Run again: the shard is complete, nothing is generated.
            let again = try await Session.open(suitePath: path, options: try options(dir, db: "shard-\(i).sqlite", shard: "\(i)/3"),
                                               checkOutput: false).runShard(seeds: seeds)
            #expect(again.samplesGenerated == 0)
        }
        #expect(shardItems.reduce(0, +) == 24 && shardItems.allSatisfy { $0 > 0 }, "the shards partition the items: \(shardItems)")

        let merged = dir + "/merged.sqlite"
        let report = try StoreMerge.merge((1...3).map { dir + "/shard-\($0).sqlite" }, into: merged)
        #expect(report.suites == ["shards"])
        let samples = try storeCounts(merged).samples
        let aux = try storeCounts(merged).auxCalls
        #expect(samples == (1...3).map { try! storeCounts(dir + "/shard-\($0).sqlite").samples }.reduce(0, +))
        #expect(aux > 0, "the fusion twins' fuser calls travel too")

        let session = try await Session.open(suitePath: path, options: try options(dir, db: "merged.sqlite", out: "merged"))
        let final = try await session.run(seeds: seeds)
        #expect(final.samplesGenerated == 0, "the run on the merged database generates no sample")
        #expect(session.runner.pool.generated == 0)
        #expect(session.runner.pool.generatedCalls == 0)
        #expect(try storeCounts(merged).auxCalls == aux)
        #expect(try storeCounts(merged).samples == samples)
        let oneSamples = try storeCounts(dir + "/one.sqlite").samples
        if seeds != nil {
            #expect(samples == oneSamples, "the same seeds: the shards drew exactly the samples one machine drew")
        } else {
            #expect(samples >= oneSamples, "the shards drew every seed the test could use, one machine only those it used")
        }
        for file in ["leaderboard.md", "leaderboard.json"] {
            #expect(try bytes(dir + "/one/shards/" + file) == bytes(dir + "/merged/shards/" + file), "\(file) differs")
        }
    }

    func sampleDatabases() async throws -> (dir: String, a: String, b: String) {
        let dir = try makeTempDir("merge")
        let path = try writeFile(dir, "shards.yaml", Self.suite)
        for i in 1...2 {
            _ = try await Session.open(suitePath: path, options: try options(dir, db: "s\(i).sqlite", shard: "\(i)/2"), checkOutput: false)
                .runShard(seeds: 1)
        }
        return (dir, dir + "/s1.sqlite", dir + "/s2.sqlite")
    }

    @Test func aTrueConflictIsRefusedNamingTheKeyAndNothingIsWritten() async throws {
        let (dir, a, b) = try await sampleDatabases()
        // The same sample recorded by both inputs with another text: a true conflict.
        let queue = try DatabaseQueue(path: a)
        let row = try await queue.read { db -> [DatabaseValue] in
            let r = try Row.fetchOne(db, sql: "SELECT pool, item_id, seed_index, temperature, sample_index, request_seed FROM samples ORDER BY id LIMIT 1")!
            return r.databaseValues.map { $0 }
        }
        let itemID = String.fromDatabaseValue(row[1])!
        let other = try DatabaseQueue(path: b)
        try await other.write { db in
            try db.execute(sql: """
                INSERT INTO samples(pool, item_id, seed_index, temperature, sample_index, request_seed, text)
                VALUES (?, ?, ?, ?, ?, ?, 'something else')
                """, arguments: StatementArguments(row))
        }
        try queue.close()
        try other.close()
        let out = dir + "/out.sqlite"
        let error = #expect(throws: StoreError.self) { _ = try StoreMerge.merge([a, b], into: out) }
        let message = error?.message ?? ""
        #expect(message.contains("samples") && message.contains("item_id='\(itemID)'") && message.contains("text"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: out), "nothing written")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains("merging") }.isEmpty, "no temporary file left")
    }

    @Test func aDifferentSuiteFingerprintAndAnExistingOutputAreRefused() async throws {
        let (dir, a, b) = try await sampleDatabases()
        // The same suite name with another seed: another fingerprint.
        let changed = try writeFile(dir, "changed.yaml", Self.suite.replacingOccurrences(of: "seed: 7", with: "seed: 8"))
        _ = try await Session.open(suitePath: changed, options: try options(dir, db: "c.sqlite", shard: "1/2"), checkOutput: false).runShard(seeds: 1)
        let error = #expect(throws: StoreError.self) { _ = try StoreMerge.merge([a, dir + "/c.sqlite"], into: dir + "/x.sqlite") }
        #expect(error?.message.contains("suite 'shards' with fingerprint") == true, "\(String(describing: error))")

        let out = dir + "/out.sqlite"
        _ = try StoreMerge.merge([a, b], into: out)
        let before = try storeCounts(out).samples
        let exists = #expect(throws: StoreError.self) { _ = try StoreMerge.merge([a], into: out) }
        #expect(exists?.message.contains("--force") == true)
        #expect(try storeCounts(out).samples == before)
        _ = try StoreMerge.merge([a], into: out, force: true)
        #expect(try storeCounts(out).samples == storeCounts(a).samples)
        // Merging a database with itself (the same rows twice) is conflict-free.
        _ = try StoreMerge.merge([out, a], into: dir + "/twice.sqlite")
        #expect(try storeCounts(dir + "/twice.sqlite").samples == storeCounts(a).samples)
    }

    @Test func theShardsPartitionTheItems() throws {
        let ids = (0..<500).map { "item-\($0)" }
        for m in [1, 2, 3, 7] {
            let shards = try (1...m).map { try Shard(index: $0, count: m) }
            for id in ids { #expect(shards.filter { $0.contains(itemID: id) }.count == 1) }
            let sizes = shards.map { s in ids.filter { s.contains(itemID: $0) }.count }
            #expect(sizes.allSatisfy { Double($0) > 0.7 * Double(500 / m) }, "balanced: \(sizes)")
        }
        #expect(throws: ShardError.self) { try Shard(parsing: "0/3") }
        #expect(throws: ShardError.self) { try Shard(parsing: "4/3") }
        #expect(throws: ShardError.self) { try Shard(parsing: "2-3") }
    }
}
