import Foundation
import GRDB
import Testing
@testable import TTSBench

@Suite struct StoreTests {
    static func completion(_ text: String, tokens: Int = 120, latency: Double = 2345.678) -> Completion {
        Completion(text: text, finishReason: "stop", promptTokens: 31, completionTokens: tokens, latencyMs: latency)
    }

    static func records() -> [SampleRecord] {
        [
            SampleRecord(pool: "pool-a", itemID: "arith-0", seedIndex: 0, requestSeed: 0xFFFF_FFFF_FFFF_FFF0,
                         sample: Sample(sampleIndex: 0, temperature: 0.8, completion: completion("so \\boxed{12}$."), answer: "12", error: nil)),
            SampleRecord(pool: "pool-a", itemID: "arith-0", seedIndex: 0, requestSeed: 7,
                         sample: Sample(sampleIndex: 1, temperature: 0.8, completion: completion("ünïcødé \\boxed{\\frac{1}{2}}", tokens: 9, latency: 0.125),
                                        answer: "\\frac{1}{2}", error: nil)),
            SampleRecord(pool: "pool-a", itemID: "arith-1", seedIndex: 0, requestSeed: 8,
                         sample: Sample(sampleIndex: 0, temperature: 0.1, completion: nil, answer: nil, error: "model 'm': HTTP 500")),
            SampleRecord(pool: "pool-a", itemID: "arith-0", seedIndex: 0, requestSeed: 9,
                         sample: Sample(sampleIndex: 0, temperature: 0, completion: Completion(text: "Wait, let me", finishReason: "length",
                                                                                                promptTokens: 31, completionTokens: 2048, latencyMs: 41000),
                                        answer: nil, error: nil)),
            // Another seed index and another pool: kept apart.
            SampleRecord(pool: "pool-a", itemID: "arith-0", seedIndex: 1, requestSeed: 10,
                         sample: Sample(sampleIndex: 0, temperature: 0.8, completion: completion("\\boxed{13}"), answer: "13", error: nil)),
            SampleRecord(pool: "pool-b", itemID: "arith-0", seedIndex: 0, requestSeed: 11,
                         sample: Sample(sampleIndex: 0, temperature: 0.8, completion: completion("\\boxed{14}"), answer: "14", error: nil)),
        ]
    }

    @Test func samplesRoundTripIdentically() async throws {
        let dir = try makeTempDir("store")
        let path = dir + "/nested/dir/t.sqlite"
        let written = Self.records()
        do {
            let store = try Store(path: path)
            try await store.record(written)
            try await store.flush()
            let block = try await store.samples(pool: "pool-a", seedIndex: 0)
            #expect(block.count == 4)
            for r in written where r.pool == "pool-a" && r.seedIndex == 0 {
                let key = SampleKey(item: r.itemID, temperature: r.sample.temperature, sampleIndex: r.sample.sampleIndex)
                #expect(block[key] == r.sample, "\(key)")
            }
            #expect(try await store.samples(pool: "pool-a", seedIndex: 1).values.map(\.answer) == ["13"])
            #expect(try await store.samples(pool: "pool-b", seedIndex: 0).values.map(\.answer) == ["14"])
            #expect(try await store.samples(pool: "pool-c", seedIndex: 0).isEmpty)
            #expect(try await store.sampleCount() == 6)
            // The request seed is stored bit for bit (as a signed 64-bit integer).
            let seed = try await store.reader.read { db in
                try Int64.fetchOne(db, sql: "SELECT request_seed FROM samples WHERE item_id = 'arith-0' AND sample_index = 0 AND temperature = 0.8 AND seed_index = 0 AND pool = 'pool-a'")
            }
            #expect(seed.map { UInt64(bitPattern: $0) } == 0xFFFF_FFFF_FFFF_FFF0)
        }
        // Reopened from disk: the same samples.
        let reopened = try Store(path: path)
        let again = try await reopened.samples(pool: "pool-a", seedIndex: 0)
        #expect(again.count == 4)
        #expect(Set(again.values) == Set(written.filter { $0.pool == "pool-a" && $0.seedIndex == 0 }.map(\.sample)))
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
        copy.sample.completion = Self.completion("a different text \\boxed{99}")
        copy.sample.answer = "99"
        copy.requestSeed = 1
        try await store.record([copy, copy])
        try await store.flush()
        #expect(try await store.sampleCount() == 1)
        let key = SampleKey(item: original.itemID, temperature: original.sample.temperature, sampleIndex: original.sample.sampleIndex)
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

    static func outcome(_ correct: Bool, tokens: Int) -> Outcome {
        let s = Sample(sampleIndex: 0, temperature: 0.8, completion: completion("x", tokens: tokens), answer: "1", error: nil)
        return Outcome(answer: correct ? "1" : "2", correct: correct, samples: [s, s], detail: correct ? "equal" : "differs")
    }

    @Test func aSeedRunRoundTripsAndIsCommittedOnce() async throws {
        let dir = try makeTempDir("store-run")
        let path = dir + "/t.sqlite"
        let store = try Store(path: path)
        let run = SeedRunRecord(systemFingerprint: "fp-1", systemName: "mid/maj4", seedIndex: 2, itemIDs: ["a", "b", "c", "d"],
                                outcomes: [Self.outcome(true, tokens: 100), Self.outcome(false, tokens: 200),
                                           Self.outcome(true, tokens: 300), Self.outcome(true, tokens: 400)])
        // Samples buffered before the commit go in the same transaction.
        try await store.record(Array(Self.records().prefix(3)))
        try await store.commitSeedRun(run)
        #expect(try countRows(path, "SELECT COUNT(*) FROM samples") == 3)
        let scores = try await store.seedScores(systemFingerprint: "fp-1")
        let s = try #require(scores[2])
        #expect(scores.count == 1)
        #expect(s.accuracy == 0.75)
        #expect(s.callsPerItem == 2)
        // Two samples per outcome: 2 x (31 prompt + t completion) tokens, averaged over 4 items.
        #expect(s.tokensPerItem == 562)
        #expect(s.failures == 0)
        #expect(try await store.seedScores(systemFingerprint: "fp-2").isEmpty)

        let rows = try store.reader.read { db in
            try Row.fetchAll(db, sql: "SELECT item_index, item_id, answer, correct, detail, calls FROM outcomes ORDER BY item_index")
        }
        #expect(rows.map { $0["item_id"] as String } == ["a", "b", "c", "d"])
        #expect(rows.map { $0["correct"] as Bool } == [true, false, true, true])
        #expect(rows.map { $0["answer"] as String } == ["1", "2", "1", "1"])
        #expect(rows[1]["detail"] as String == "differs")

        // Committing the same (system, seed) again changes nothing (a resumed run that raced).
        var other = run
        other.outcomes = run.outcomes.map { _ in Self.outcome(false, tokens: 1) }
        try await store.commitSeedRun(other)
        #expect(try await store.seedScores(systemFingerprint: "fp-1")[2]?.accuracy == 0.75)
        #expect(try countRows(path, "SELECT COUNT(*) FROM outcomes") == 4)
        #expect(try countRows(path, "SELECT COUNT(*) FROM seed_runs") == 1)
    }

    @Test func migrationsRunOnAnExistingDatabase() async throws {
        let dir = try makeTempDir("store-migrate")
        let path = dir + "/old.sqlite"
        // A database left by the first release: only migration v1, with one sample and a foreign table.
        do {
            let queue = try DatabaseQueue(path: path)
            try StoreSchema.migrator.migrate(queue, upTo: "v1")
            try await queue.write { db in
                try db.execute(sql: """
                    INSERT INTO samples(pool, item_id, seed_index, temperature, sample_index, request_seed, text, answer,
                      finish_reason, prompt_tokens, completion_tokens, latency_ms, error, tokens_estimated)
                    VALUES ('p', 'i', 0, 0.8, 0, 42, 'old \\boxed{1}', '1', 'stop', 10, 20, 30.5, NULL, 0);
                    CREATE TABLE notes(x TEXT);
                    INSERT INTO notes VALUES ('kept');
                    """)
            }
            let applied = try await queue.read { try StoreSchema.migrator.appliedMigrations($0) }
            #expect(applied == ["v1"])
        }
        let store = try Store(path: path)
        let all = try await store.reader.read { db in
            (try StoreSchema.migrator.hasCompletedMigrations(db), try StoreSchema.migrator.appliedMigrations(db))
        }
        #expect(all.0, "every migration applied: \(all.1)")
        #expect(all.1.first == "v1" && all.1.count == StoreSchema.migrator.migrations.count)
        // Old rows survive and read back.
        let old = try await store.samples(pool: "p", seedIndex: 0)
        let sample = try #require(old[SampleKey(item: "i", temperature: 0.8, sampleIndex: 0)])
        #expect(sample.answer == "1" && sample.completion?.text == "old \\boxed{1}" && sample.completion?.completionTokens == 20)
        #expect(try countRows(path, "SELECT COUNT(*) FROM notes") == 1)
        // New rows go in next to them; reopening runs nothing again.
        try await store.record([Self.records()[0]])
        try await store.flush()
        let reopened = try Store(path: path)
        #expect(try await reopened.sampleCount() == 2)
    }

    @Test func aCorruptFileIsReportedNotOverwritten() throws {
        let dir = try makeTempDir("store-corrupt")
        let path = try writeFile(dir, "bad.sqlite", String(repeating: "not a database ", count: 100))
        #expect(throws: StoreError.self) { _ = try Store(path: path) }
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("not a database"))
    }
}
