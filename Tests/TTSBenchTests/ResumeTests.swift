@testable import TTSBench
@testable import TTSReport
@testable import TTSSuite
@testable import TTSCore
import Foundation
import GRDB
import Testing

/// Library-level determinism and resume: `Session.run` on temporary databases.
@Suite struct ResumeTests {
    struct Files: Equatable {
        var markdown: Data
        var json: Data
    }

    static func run(_ suitePath: String, db: String, out: String, seeds: Int? = 2, workers: Int? = 8,
                    replace: Bool = false) async throws -> (RunReport, Files) {
        var options = Session.Options()
        options.replace = replace
        options.databasePath = db
        options.outputDirectory = out
        options.workers = workers
        options.showProgress = false
        let report = try await Session.open(suitePath: suitePath, options: options).run(seeds: seeds)
        let board = (out as NSString).appendingPathComponent(report.leaderboard.suite)
        let files = Files(markdown: try Data(contentsOf: URL(fileURLWithPath: board + "/leaderboard.md")),
                          json: try Data(contentsOf: URL(fileURLWithPath: board + "/leaderboard.json")))
        return (report, files)
    }

    static func sampleRows(_ db: String) throws -> Int { try storeCounts(db).samples }

    @Test func aSecondRunGeneratesNothingAndRewritesIdenticalBytes() async throws {
        let dir = try makeTempDir("resume-again")
        let suite = try writeFile(dir, "small.yaml", baseSuite)
        let db = dir + "/db.sqlite"
        let (first, files) = try await Self.run(suite, db: db, out: dir + "/out")
        // Per model: greedy single 40 items, generated once for every seed (the simulated backend is
        // deterministic at temperature 0); maj4 and bon4 share one T=0.8 pool: 40 x 4 x 2.
        #expect(first.samplesGenerated == 3 * (40 + 40 * 4 * 2))
        #expect(try Self.sampleRows(db) == first.samplesGenerated)
        #expect(first.files.map { ($0 as NSString).lastPathComponent } == ["leaderboard.md", "leaderboard.json"])
        let board = first.leaderboard
        #expect(Set(board.rows.map(\.name)) == ["weak/single", "weak/maj4", "weak/bon4", "mid/single", "mid/maj4", "mid/bon4",
                                                 "strong/single", "strong/maj4", "strong/bon4"])
        #expect(board.rows.allSatisfy { $0.seeds == 2 && $0.simulated && $0.failures == 0 })
        #expect(board.rows.map(\.mean) == board.rows.map(\.mean).sorted(by: >), "sorted by accuracy")
        let md = String(decoding: files.markdown, as: UTF8.self)
        for row in board.rows { #expect(md.contains("| \(row.name) |")) }
        // The strong model beats the weak one under every strategy.
        for s in ["single", "maj4", "bon4"] {
            let strong = try #require(board.rows.first { $0.name == "strong/\(s)" }).mean
            let weak = try #require(board.rows.first { $0.name == "weak/\(s)" }).mean
            #expect(strong > weak + 0.1, "\(s): strong \(strong) weak \(weak)")
        }

        let (second, again) = try await Self.run(suite, db: db, out: dir + "/out")
        #expect(second.samplesGenerated == 0)
        #expect(try Self.sampleRows(db) == first.samplesGenerated)
        #expect(again == files, "leaderboard bytes changed on a rerun")
        #expect(second.leaderboard == first.leaderboard)
        #expect(try storeCounts(db).seedRuns == 18)
        #expect(try countRows(db, duplicateSamplesSQL) == 0)

        // More seeds later: only the new seeds are generated; the first two are reused.
        let (third, _) = try await Self.run(suite, db: db, out: dir + "/out", seeds: 3)
        // A third seed: the sampled pool only (the greedy samples are seed 0's).
        #expect(third.samplesGenerated == 3 * (40 * 4))
        #expect(third.leaderboard.rows.allSatisfy { $0.seeds == 3 })
    }

    @Test func oneWorkerAndEightWorkersGiveByteIdenticalLeaderboards() async throws {
        let dir = try makeTempDir("resume-workers")
        let suite = try writeFile(dir, "small.yaml", baseSuite)
        async let one = Self.run(suite, db: dir + "/one.sqlite", out: dir + "/one", workers: 1)
        async let eight = Self.run(suite, db: dir + "/eight.sqlite", out: dir + "/eight", workers: 8)
        let (a, b) = try await (one, eight)
        #expect(a.1 == b.1)
        #expect(a.0.samplesGenerated == b.0.samplesGenerated)
        // The samples themselves are identical, not only the aggregates.
        let digest = "SELECT COUNT(*), SUM(request_seed % 1000003), SUM(LENGTH(text)), SUM(completion_tokens) FROM samples"
        func summary(_ path: String) throws -> [Int64] {
            var config = Configuration()
            config.readonly = true
            return try DatabaseQueue(path: path, configuration: config).read { db in
                let row = try #require(try Row.fetchOne(db, sql: digest))
                return (0..<4).map { row[$0] as Int64 }
            }
        }
        #expect(try summary(dir + "/one.sqlite") == summary(dir + "/eight.sqlite"))
    }

    /// The default (no `--workers`: a window of items sized from the endpoints, here the
    /// in-process minimum) runs every seed and system in one window and gives the same bytes as
    /// one item at a time, resumed or not.
    @Test func theDefaultWindowGivesTheSameLeaderboardAsOneWorker() async throws {
        let dir = try makeTempDir("resume-default-window")
        let suite = try writeFile(dir, "small.yaml", baseSuite)
        let (one, oneFiles) = try await Self.run(suite, db: dir + "/one.sqlite", out: dir + "/one", workers: 1)
        let (byDefault, defaultFiles) = try await Self.run(suite, db: dir + "/default.sqlite", out: dir + "/default", workers: nil)
        #expect(defaultFiles == oneFiles)
        #expect(byDefault.samplesGenerated == one.samplesGenerated && one.samplesGenerated > 0)
        let (again, againFiles) = try await Self.run(suite, db: dir + "/default.sqlite", out: dir + "/default", workers: nil)
        #expect(again.samplesGenerated == 0 && againFiles == oneFiles)
    }

    @Test func majorityOfFourReadsTheFirstFourSamplesOfMajorityOfEight() async throws {
        let dir = try makeTempDir("resume-pool")
        let head = """
            suite: pool
            seed: 3
            task: {generate: {kind: arithmetic, items: 30, digits: 2}}
            models: {mid: {kind: simulated, ability: 0.5}}
            verifiers: {math: {kind: math}, rm: {kind: simulated, auc: 0.8}}
            strategies:
              maj4: {kind: majority, n: 4, temperature: 0.8}
              maj8: {kind: majority, n: 8, temperature: 0.8}
              bon8: {kind: best_of_n, n: 8, temperature: 0.8, scorer: rm}
              hot4: {kind: majority, n: 4, temperature: 1.1}

            """
        let db = dir + "/db.sqlite"
        let only4 = try writeFile(dir, "pool.yaml", head + "systems: {matrix: {model: mid, strategy: [maj4], verifier: math}}\n")
        let (r1, _) = try await Self.run(only4, db: db, out: dir + "/out", seeds: 1)
        #expect(r1.samplesGenerated == 30 * 4)

        // Adding majority@8 on the same model, temperature and seed adds samples 4..<8 only;
        // best-of-8 adds nothing; another temperature is another pool. The suite changed under
        // its name: refused unless replaced.
        let more = try writeFile(dir, "pool.yaml", head + "systems: {matrix: {model: mid, strategy: [maj4, maj8, bon8, hot4], verifier: math}}\n")
        await #expect(throws: SuiteConflict.self) { _ = try await Self.run(more, db: db, out: dir + "/out", seeds: 1) }
        let (r2, _) = try await Self.run(more, db: db, out: dir + "/out", seeds: 1, replace: true)
        #expect(r2.samplesGenerated == 30 * 4 + 30 * 4)
        #expect(try countRows(db, "SELECT COUNT(*) FROM samples WHERE temperature = 0.8") == 30 * 8)
        #expect(try countRows(db, "SELECT COUNT(*) FROM samples WHERE temperature = 0.8 AND sample_index < 4") == 30 * 4)
        #expect(try countRows(db, "SELECT COUNT(DISTINCT pool) FROM samples") == 1)
        #expect(try countRows(db, duplicateSamplesSQL) == 0)
        // maj4's seed run was not redone.
        #expect(try countRows(db, "SELECT COUNT(*) FROM seed_runs WHERE system_name = 'mid/maj4'") == 1)

        // With independent pools every system draws its own samples.
        let independent = try writeFile(dir, "independent.yaml", head
            + "systems: {matrix: {model: mid, strategy: [maj4, maj8], verifier: math}}\ncompare: {pool: independent}\n")
        let db2 = dir + "/independent.sqlite"
        let (r3, _) = try await Self.run(independent, db: db2, out: dir + "/out2", seeds: 1)
        #expect(r3.samplesGenerated == 30 * 4 + 30 * 8)
        #expect(try countRows(db2, "SELECT COUNT(DISTINCT pool) FROM samples") == 2)
    }

    @Test func aCancelledRunResumesToTheSameLeaderboard() async throws {
        let dir = try makeTempDir("resume-cancel")
        let suite = try writeFile(dir, "big.yaml", baseSuite.replacingOccurrences(of: "items: 40", with: "items: 150"))
        async let referenceRun = Self.run(suite, db: dir + "/reference.sqlite", out: dir + "/reference")

        let db = dir + "/db.sqlite"
        let interrupted = Task { try await Self.run(suite, db: db, out: dir + "/out") }
        // Cancel as soon as some samples are committed (watched from a thread of its own).
        _ = await pollOnThread(timeout: .seconds(600)) {
            guard let n = try? Self.sampleRows(db), n > 0 else { return false }
            interrupted.cancel()
            return true
        }
        interrupted.cancel()
        let result = await interrupted.result
        guard case .failure = result else {
            _ = try await referenceRun
            Issue.record("the run finished before it could be cancelled; make the suite bigger")
            return
        }
        let reference = try await referenceRun
        let partial = try Self.sampleRows(db)
        #expect(partial > 0 && partial < reference.0.samplesGenerated, "\(partial) of \(reference.0.samplesGenerated)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out/small/leaderboard.md"), "no leaderboard from a cancelled run")

        let (resumed, files) = try await Self.run(suite, db: db, out: dir + "/out")
        #expect(resumed.samplesGenerated == reference.0.samplesGenerated - partial)
        #expect(try Self.sampleRows(db) == reference.0.samplesGenerated)
        #expect(files == reference.1)
        #expect(try countRows(db, duplicateSamplesSQL) == 0)
    }

    /// Without `seeds`, AdaStop decides how many seeds each system gets; the decisions are a
    /// deterministic replay of the stored scores, so a rerun is byte-identical too.
    @Test func theSequentialScheduleIsDeterministicAndResumable() async throws {
        let dir = try makeTempDir("resume-adastop")
        let yaml = baseSuite.replacingOccurrences(of: "items: 40", with: "items: 20")
            + "compare: {group_size: 2, max_interims: 2, permutations: 200, comparisons: {reference: strong/maj4}}\n"
        let suite = try writeFile(dir, "seq.yaml", yaml)
        let db = dir + "/db.sqlite"
        let (first, files) = try await Self.run(suite, db: db, out: dir + "/out", seeds: nil)
        #expect(first.samplesGenerated > 0)
        #expect(first.leaderboard.rows.allSatisfy { $0.seeds == 2 || $0.seeds == 4 }, "\(first.leaderboard.rows.map(\.seeds))")
        #expect(!first.leaderboard.decisions.isEmpty)
        let (second, again) = try await Self.run(suite, db: db, out: dir + "/out", seeds: nil)
        #expect(second.samplesGenerated == 0)
        #expect(again == files)
        let (other, elsewhere) = try await Self.run(suite, db: dir + "/other.sqlite", out: dir + "/other", seeds: nil, workers: 3)
        #expect(other.samplesGenerated == first.samplesGenerated)
        #expect(elsewhere == files)
    }

    @Test func aBrokenSuiteWritesNothing() async throws {
        let dir = try makeTempDir("resume-broken")
        let suite = try writeFile(dir, "broken.yaml", baseSuite.replacingOccurrences(of: "n: 4, temperature: 0.8}", with: "n: 0, temperature: 0.8}"))
        let db = dir + "/db.sqlite"
        await #expect(throws: SuiteError.self) { _ = try await Self.run(suite, db: db, out: dir + "/out") }
        #expect(!FileManager.default.fileExists(atPath: db))
        #expect(!FileManager.default.fileExists(atPath: dir + "/out"))
    }
}
