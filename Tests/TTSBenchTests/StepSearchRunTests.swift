@testable import TTSSuite
@testable import TTSCore
import Foundation
import GRDB
import Testing

/// Step-level searches run by the runner on temporary databases: determinism across worker
/// counts, and resume in the middle of a search.
@Suite struct StepSearchRunTests {
    static let suite = """
        suite: search-run
        seed: 77
        task:
          generate: {kind: arithmetic, items: 24, digits: 3}
          extract: boxed
        models:
          weak: {kind: simulated, ability: -0.5}
        verifiers:
          math: {kind: math}
          prm: {kind: simulated_prm, auc: 0.9}
        strategies:
          beam: {kind: beam_search, n: 8, beam_width: 2, prm: prm}
          dvts: {kind: dvts, n: 8, beam_width: 2, prm: prm, aggregation: min}
          pf:   {kind: particle_filtering, n: 8, prm: prm, resample_temperature: 0.5}
          bon:  {kind: best_of_n, n: 8, scorer: prm}
        systems:
          matrix: {model: [weak], strategy: [beam, dvts, pf, bon], verifier: [math]}
        """

    static let auxDigest = "SELECT COUNT(*) || ':' || SUM(request_seed % 1000003) || ':' || SUM(LENGTH(text)) || ':' || SUM(completion_tokens) FROM aux_calls"

    static func digest(_ db: String) throws -> String {
        var config = Configuration()
        config.readonly = true
        return try DatabaseQueue(path: db, configuration: config).read { try String.fetchOne($0, sql: auxDigest) ?? "" }
    }

    @Test func oneWorkerAndSixtyFourGiveTheSameSearches() async throws {
        let dir = try makeTempDir("search-workers")
        let path = try writeFile(dir, "search.yaml", Self.suite)
        async let one = ResumeTests.run(path, db: dir + "/one.sqlite", out: dir + "/one", workers: 1)
        async let many = ResumeTests.run(path, db: dir + "/many.sqlite", out: dir + "/many", workers: 64)
        let (a, b) = try await (one, many)
        #expect(a.1 == b.1, "leaderboard bytes differ between 1 and 64 workers")
        #expect(try Self.digest(dir + "/one.sqlite") == Self.digest(dir + "/many.sqlite"))
        let rows = a.0.leaderboard.rows
        #expect(Set(rows.map(\.name)) == ["weak/beam", "weak/dvts", "weak/pf", "weak/bon"])
        // Every search made step calls only, and more than n per item.
        for name in ["weak/beam", "weak/dvts", "weak/pf"] {
            let row = try #require(rows.first { $0.name == name })
            #expect(row.callsPerItem > 8 && row.failures == 0, "\(name): \(row.callsPerItem) calls per item")
            // Sequential tokens: one step call per search step, never more than the tokens.
            let sequential = try #require(row.sequentialTokensPerItem)
            #expect(sequential > 0 && sequential < row.tokensPerItem / 4, "\(name): \(sequential) of \(row.tokensPerItem)")
        }
    }

    @Test func aSearchResumedAfterACrashEndsTheSame() async throws {
        let dir = try makeTempDir("search-resume")
        let path = try writeFile(dir, "search.yaml", Self.suite)
        let db = dir + "/db.sqlite"
        let (first, files) = try await ResumeTests.run(path, db: db, out: dir + "/out")
        let before = try Self.digest(db)
        // A crash in the middle: a third of the recorded steps lost, no seed run committed.
        try simulateCrashBeforeCommit(db, losing: "aux_calls", where: "id % 3 = 1")
        #expect(try Self.digest(db) != before)
        let (second, again) = try await ResumeTests.run(path, db: db, out: dir + "/out")
        #expect(again == files, "a resumed search changed the leaderboard")
        #expect(second.leaderboard == first.leaderboard)
        // The lost steps were made again, identically; the others were read back, never duplicated.
        #expect(try Self.digest(db) == before)
        #expect(try countRows(db, "SELECT COUNT(*) FROM (SELECT 1 FROM aux_calls GROUP BY pool, seed_index, item_id, call_id HAVING COUNT(*) > 1)") == 0)
    }
}
