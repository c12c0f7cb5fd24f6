@testable import TTSReport
@testable import TTSRuntime
@testable import TTSSuite
@testable import TTSStore
@testable import TTSCore
import Foundation
import GRDB
import Testing
@testable import TTSSeams

@Suite struct StoreTests {
    static func completion(_ text: String, tokens: Int = 120, latency: Double = 2345.678) -> Completion {
        Completion(text: text, finishReason: "stop", promptTokens: 31, completionTokens: tokens, latencyMs: latency)
    }

    static func record(_ pool: String, _ item: String, _ seed: Int, _ requestSeed: UInt64, _ sample: Sample) -> SampleRecord {
        SampleRecord(pool: pool, sample: sample.stored(itemID: item, seedIndex: seed, requestSeed: requestSeed))
    }

    /// Reads pool-a's seed 0 from `store`: its 4 samples, each as `written` holds it.
    static func expectPoolASeed0(of store: Store, asWritten written: [SampleRecord],
                                 sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let block = try await store.samples(pool: "pool-a", seedIndex: 0)
        #expect(block.count == 4, sourceLocation: sourceLocation)
        for r in written where r.pool == "pool-a" && r.sample.seedIndex == 0 {
            let key = SampleKey(item: r.sample.itemID, temperature: r.sample.temperature, sampleIndex: r.sample.sampleIndex)
            #expect(block[key] == r.sample, "\(key)", sourceLocation: sourceLocation)
        }
    }

    static func records() -> [SampleRecord] {
        [
            record("pool-a", "arith-0", 0, 0xFFFF_FFFF_FFFF_FFF0, Sample(sampleIndex: 0, temperature: 0.8, completion: completion("so \\boxed{12}$."), answer: "12", error: nil)),
            record("pool-a", "arith-0", 0, 7, Sample(sampleIndex: 1, temperature: 0.8, completion: completion("ünïcødé \\boxed{\\frac{1}{2}}", tokens: 9, latency: 0.125),
                                        answer: "\\frac{1}{2}", error: nil)),
            record("pool-a", "arith-1", 0, 8, Sample(sampleIndex: 0, temperature: 0.1, completion: nil, answer: nil, error: "model 'm': HTTP 500")),
            record("pool-a", "arith-0", 0, 9, Sample(sampleIndex: 0, temperature: 0, completion: Completion(text: "Wait, let me", finishReason: "length",
                                                                                                promptTokens: 31, completionTokens: 2048, latencyMs: 41000),
                                        answer: nil, error: nil)),
            // Another seed index and another pool: kept apart.
            record("pool-a", "arith-0", 1, 10, Sample(sampleIndex: 0, temperature: 0.8, completion: completion("\\boxed{13}"), answer: "13", error: nil)),
            record("pool-b", "arith-0", 0, 11, Sample(sampleIndex: 0, temperature: 0.8, completion: completion("\\boxed{14}"), answer: "14", error: nil)),
        ]
    }

    /// A block is read without flushing the buffer: buffered samples come with the recorded
    /// ones, each once, and nothing is on disk until a flush.
    @Test func aBlockReadIncludesBufferedSamplesWithoutFlushing() async throws {
        let dir = try makeTempDir("store")
        let path = dir + "/t.sqlite"
        let store = try Store(path: path, flushAge: .seconds(3600))  // no flush by age during the test
        let written = Self.records()
        try await store.record(Array(written.prefix(2)))
        try await store.flush()
        try await store.record(Array(written.dropFirst(2)))
        #expect(try storeCounts(path).samples == 2)  // the rest is buffered
        try await Self.expectPoolASeed0(of: store, asWritten: written)
        #expect(try await store.samples(pool: "pool-b", seedIndex: 0).values.map(\.answer) == ["14"])
        #expect(try storeCounts(path).samples == 2)  // reading flushed nothing
        try await store.flush()
        #expect(try storeCounts(path).samples == 6)
        #expect(try await store.samples(pool: "pool-a", seedIndex: 0).count == 4)
        #expect(store.samplesWritten == 6)
    }

    @Test func samplesRoundTripIdentically() async throws {
        let dir = try makeTempDir("store")
        let path = dir + "/nested/dir/t.sqlite"
        let written = Self.records()
        do {
            let store = try Store(path: path)
            try await store.record(written)
            try await store.flush()
            try await Self.expectPoolASeed0(of: store, asWritten: written)
            #expect(try await store.samples(pool: "pool-a", seedIndex: 1).values.map(\.answer) == ["13"])
            #expect(try await store.samples(pool: "pool-b", seedIndex: 0).values.map(\.answer) == ["14"])
            #expect(try await store.samples(pool: "pool-c", seedIndex: 0).isEmpty)
            #expect(try await store.sampleCount() == 6)
            // The request seed is stored bit for bit (as a signed 64-bit integer).
            let seed = try await store.reader.database.read { db in
                try Int64.fetchOne(db, sql: "SELECT request_seed FROM samples WHERE item_id = 'arith-0' AND sample_index = 0 AND temperature = 0.8 AND seed_index = 0 AND pool = 'pool-a'")
            }
            #expect(seed.map { UInt64(bitPattern: $0) } == 0xFFFF_FFFF_FFFF_FFF0)
        }
        // Reopened from disk: the same samples.
        let reopened = try Store(path: path)
        let again = try await reopened.samples(pool: "pool-a", seedIndex: 0)
        #expect(again.count == 4)
        #expect(Set(again.values) == Set(written.filter { $0.pool == "pool-a" && $0.sample.seedIndex == 0 }.map(\.sample)))
    }

    @Test func unflushedSamplesAreVisibleToReadsAndToTheCount() async throws {
        let dir = try makeTempDir("store-buffer")
        let store = try Store(path: dir + "/t.sqlite")
        try await store.record(Array(Self.records().prefix(2)))
        // `samples` and `sampleCount` flush first: a block read never misses a recorded sample.
        #expect(try await store.samples(pool: "pool-a", seedIndex: 0).count == 2)
        #expect(try await store.sampleCount() == 2)
    }

    @Test func theRequestCacheIsReadThroughItsKeyIndex() async throws {
        let dir = try makeTempDir("store-cache")
        let path = dir + "/t.sqlite"
        let keys = (0..<300).map { SHA256.hex("request \($0)") }
        do {
            let store = try Store(path: path)
            #expect(try await store.cachedResponses(keys).isEmpty)  // loads the (empty) index
            try await store.cacheResponses(keys.prefix(200).map { ($0, Array("response \($0)".utf8)) })
            // Buffered entries are found (the index learns them as they are stored)...
            let buffered = try await store.cachedResponses([keys[0], keys[250]])
            #expect(buffered.keys.sorted() == [keys[0]] && buffered[keys[0]] == Array("response \(keys[0])".utf8))
            try await store.flush()
            // ...and so are written ones.
            #expect(try await store.cachedResponses(Array(keys[150..<250])).count == 50)
        }
        // Another process opening the database reads the index from the table.
        let reopened = try Store(path: path)
        let found = try await reopened.cachedResponses(keys)
        #expect(found.count == 200 && Set(found.keys) == Set(keys.prefix(200)))
        #expect(found[keys[199]] == Array("response \(keys[199])".utf8))
        #expect(try await reopened.cachedResponses(["not a key", keys[299]]).isEmpty)
    }

    @Test func aDuplicateSampleIsIgnored() async throws {
        let dir = try makeTempDir("store-dup")
        let path = dir + "/t.sqlite"
        let store = try Store(path: path)
        let original = Self.records()[0]
        try await store.record([original])
        try await store.flush()
        var copy = original
        copy.sample.text = "a different text \\boxed{99}"
        copy.sample.answer = "99"
        copy.sample.requestSeed = 1
        try await store.record([copy, copy])
        try await store.flush()
        #expect(try await store.sampleCount() == 1)
        let key = SampleKey(item: original.sample.itemID, temperature: original.sample.temperature, sampleIndex: original.sample.sampleIndex)
        #expect(try await store.samples(pool: original.pool, seedIndex: 0)[key] == original.sample, "the first sample stays")
        #expect(try countRows(path, duplicateSamplesSQL) == 0)
        // The unique key is in the schema itself, not only in the insert statement.
        await #expect(throws: DatabaseError.self) {
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in
                try db.execute(sql: """
                    INSERT INTO samples(pool, item_id, seed_index, temperature, sample_index, request_seed)
                    VALUES ('pool-a', 'arith-0', 0, 0.8, 0, 5)
                    """)
            }
        }
    }

    static func outcome(_ item: String, _ correct: Bool, tokens: Int) -> OutcomeRecord {
        OutcomeRecord(itemID: item, answer: correct ? "1" : "2", correct: correct, reward: nil, promptTokens: 62,
                      completionTokens: 2 * tokens, calls: 2, failures: 0, latencyMs: 10, detail: correct ? "equal" : "differs")
    }

    @Test func aSeedRunRoundTripsAndIsCommittedOnce() async throws {
        let dir = try makeTempDir("store-run")
        let path = dir + "/t.sqlite"
        let store = try Store(path: path)
        let run = SeedRunRecord(systemFingerprint: "fp-1", systemName: "mid/maj4", seedIndex: 2,
                                outcomes: [Self.outcome("a", true, tokens: 100), Self.outcome("b", false, tokens: 200),
                                           Self.outcome("c", true, tokens: 300), Self.outcome("d", true, tokens: 400)])
        // Samples buffered before the commit go in the same transaction.
        try await store.record(Array(Self.records().prefix(3)))
        try await store.commitSeedRun(run)
        #expect(try storeCounts(path).samples == 3)
        let scores = try await store.seedScores(systemFingerprint: "fp-1")
        let s = try #require(scores[2])
        #expect(scores.count == 1)
        #expect(s.accuracy == 0.75)
        #expect(s.callsPerItem == 2)
        // Two samples per outcome: 2 x (31 prompt + t completion) tokens, averaged over 4 items.
        #expect(s.tokensPerItem == 562)
        #expect(s.failures == 0)
        #expect(try await store.seedScores(systemFingerprint: "fp-2").isEmpty)

        let rows = try store.reader.database.read { db in
            try Row.fetchAll(db, sql: "SELECT item_index, item_id, answer, correct, detail, calls FROM outcomes ORDER BY item_index")
        }
        #expect(rows.map { $0["item_id"] as String } == ["a", "b", "c", "d"])
        #expect(rows.map { $0["correct"] as Bool } == [true, false, true, true])
        #expect(rows.map { $0["answer"] as String } == ["1", "2", "1", "1"])
        #expect(rows[1]["detail"] as String == "differs")

        // Committing the same (system, seed) again changes nothing (a resumed run that raced).
        var other = run
        other.outcomes = run.outcomes.map { Self.outcome($0.itemID, false, tokens: 1) }
        try await store.commitSeedRun(other)
        #expect(try await store.seedScores(systemFingerprint: "fp-1")[2]?.accuracy == 0.75)
        #expect(try storeCounts(path).outcomes == 4)
        #expect(try storeCounts(path).seedRuns == 1)
    }

    @Test func aDatabaseOfTheFirstReleaseIsRefusedNamingBothVersions() async throws {
        let dir = try makeTempDir("store-old")
        let path = dir + "/old.sqlite"
        // A database left by ttsbench 0.2: GRDB's migration table with its three migrations, and a sample.
        do {
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in
                try db.execute(sql: """
                    CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                    INSERT INTO grdb_migrations VALUES ('v1'), ('v2'), ('v3-aux');
                    CREATE TABLE samples(pool TEXT, item_id TEXT);
                    INSERT INTO samples VALUES ('p', 'i');
                    """)
            }
        }
        let error = try #require(throws: StoreError.self) { _ = try Store(path: path) }
        #expect(error.message.contains("schema version 3") && error.message.contains("schema version \(StoreSchema.version)"), "\(error)")
        #expect(throws: StoreError.self) { _ = try StoreReader(path: path) }
        // Nothing was changed: the old rows are still there, and no table was added.
        #expect(try countRows(path, "SELECT COUNT(*) FROM samples") == 1)
        #expect(try countRows(path, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'seed_runs'") == 0)
    }

    @Test func aSchema4DatabaseIsUpgradedByAWriterAndRefusedByAReader() async throws {
        let dir = try makeTempDir("store-4")
        let path = dir + "/four.sqlite"
        try makeOldDatabase(at: path, upTo: "schema-4") { db in
            try insertOldSample(db, temperature: 0.0, sampleIndex: 0, requestSeed: 1, text: "so 4", answer: "4")
        }
        let error = try #require(throws: StoreError.self) { _ = try StoreReader(path: path) }
        #expect(error.message.contains("schema version 4") && error.message.contains("upgrades it in place"), "\(error)")
        let store = try Store(path: path)
        let version = try await DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "PRAGMA user_version") }
        #expect(version == StoreSchema.version)
        let old = try #require(try await store.samples(pool: "p", seedIndex: 0).values.first)
        #expect(old.answer == "4" && old.extractRule == nil)
        var fresh = Self.records()[0]
        fresh.sample.extractRule = "marker"
        try await store.record([fresh])
        try await store.flush()
        let back = try await store.samples(pool: fresh.pool, seedIndex: fresh.sample.seedIndex)
        #expect(back.values.contains { $0.extractRule == "marker" })
        _ = try StoreReader(path: path)
    }

    /// A schema-5 database gains the sequential-token columns; what it recorded before has none
    /// (NULL, shown as unknown), what is recorded after has them.
    @Test func aSchema5DatabaseIsUpgradedAndOldRunsHaveNoSequentialTokens() async throws {
        let dir = try makeTempDir("store-five")
        let path = dir + "/five.sqlite"
        try makeOldDatabase(at: path, upTo: "schema-5") { db in try insertOldSeedRun(db, accuracy: 1.0) }
        let error = try #require(throws: StoreError.self) { _ = try StoreReader(path: path) }
        #expect(error.message.contains("schema version 5") && error.message.contains("upgrades it in place"), "\(error)")
        let store = try Store(path: path)
        let version = try await DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "PRAGMA user_version") }
        #expect(version == StoreSchema.version)
        let outcome = OutcomeRecord(itemID: "i", answer: "4", correct: true, reward: nil, promptTokens: 20, completionTokens: 90,
                                    calls: 3, failures: 0, latencyMs: 1, detail: "", sequentialTokens: 40)
        try await store.commitSeedRun(SeedRunRecord(systemFingerprint: "fp", systemName: "a/x", seedIndex: 1, outcomes: [outcome]))
        let runs = try StoreReader(path: path).seedRuns(systemFingerprint: "fp", seeds: 2)
        #expect(runs.map(\.sequentialTokensPerItem) == [nil, 40])
    }

    @Test func aDatabaseOfANewerVersionIsRefusedNamingBothVersions() async throws {
        let dir = try makeTempDir("store-new")
        let path = dir + "/new.sqlite"
        _ = try Store(path: path)
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in try db.execute(sql: "PRAGMA user_version = \(StoreSchema.version + 3)") }
        let error = try #require(throws: StoreError.self) { _ = try Store(path: path) }
        #expect(error.message.contains("schema version \(StoreSchema.version + 3)") && error.message.contains("newer")
                && error.message.contains("schema version \(StoreSchema.version)"), "\(error)")
    }

    @Test func aNewDatabaseIsCreatedAtTheCurrentVersionAndReopens() async throws {
        let dir = try makeTempDir("store-new-db")
        let path = dir + "/t.sqlite"
        do {
            let store = try Store(path: path)
            try await store.record([Self.records()[0]])
            try await store.flush()
        }
        let version = try await DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "PRAGMA user_version") }
        #expect(version == StoreSchema.version)
        let reopened = try Store(path: path)
        #expect(try await reopened.sampleCount() == 1)
    }

    @Test func aCorruptFileIsReportedNotOverwritten() throws {
        let dir = try makeTempDir("store-corrupt")
        let path = try writeFile(dir, "bad.sqlite", String(repeating: "not a database ", count: 100))
        #expect(throws: StoreError.self) { _ = try Store(path: path) }
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("not a database"))
    }
}
