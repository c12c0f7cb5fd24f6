@testable import TTSBench
@testable import TTSReport
@testable import TTSSuite
@testable import TTSCore
import Foundation
import Testing

/// The adaptive votes end to end against the tiny llama.cpp model: adaptive_consistency reads a
/// prefix of majority@8's pool, and confidence_consistency weights its votes by the token
/// log-probabilities the server returns.
@Suite("adaptive votes on a real llama.cpp server", .serialized,
       .enabled(if: llamaAvailable || requireInputs, Comment(rawValue: skipMessage)))
struct AdaptiveRealServerTests {
    init() throws {
        try #require(llamaAvailable, "TTSBENCH_REQUIRE_INPUTS=1 but \(skipMessage)")
    }

    @Test func adaptiveConsistencyAndLogprobConfidenceRunEndToEnd() async throws {
        let base = try await LlamaServer.shared.url()
        let dir = try makeTempDir("ttsbench-real-adaptive")
        let db = dir + "/t.sqlite"
        let yaml = additionSuite(
            name: "adaptive",
            models: """
              tiny: {kind: openai, base_url: "\(base)/v1", model: tiny-add, api: completions, max_concurrency: 4, stop: ["\\n"]}
              tinylp: {kind: openai, base_url: "\(base)/v1", model: tiny-add, api: completions, max_concurrency: 4, stop: ["\\n"], logprobs: 1}
            """,
            strategies: """
              maj8: {kind: majority, n: 8, temperature: 0.7, max_tokens: 8}
              ac8:  {kind: adaptive_consistency, max_n: 8, threshold: 0.9, temperature: 0.7, max_tokens: 8}
              cc8:  {kind: confidence_consistency, max_n: 8, confidence: logprobs, threshold: 0.9, temperature: 0.7, max_tokens: 8}
            """,
            systems: "  matrix: {model: tiny, strategy: [maj8, ac8], verifier: exact}\n  list:\n    - {model: tinylp, strategy: cc8, verifier: exact}",
            limit: 12)
        let first = try await runSuite(yaml, dir: dir, db: db)
        // maj8 draws 8 samples per item from tiny's pool; ac8 reads a prefix of them; cc8 reads tinylp's own pool.
        let read: Int = try #require(try query(db, "SELECT SUM(o.samples_read) FROM outcomes o JOIN seed_runs r ON o.run_id = r.id WHERE r.system_name = 'tiny/ac8'"))
        let rounds: Int = try #require(try query(db, "SELECT SUM(o.rounds) FROM outcomes o JOIN seed_runs r ON o.run_id = r.id WHERE r.system_name = 'tiny/ac8'"))
        #expect(read >= 12 * 3 && read <= 12 * 8 && rounds == read, "ac8 read \(read) samples in \(rounds) rounds")
        let ccRead: Int = try #require(try query(db, "SELECT SUM(o.samples_read) FROM outcomes o JOIN seed_runs r ON o.run_id = r.id WHERE r.system_name = 'tinylp/cc8'"))
        #expect(first.samplesGenerated == 12 * 8 + ccRead, "ac8 generated nothing of its own; cc8 only what it read")
        #expect(try query(db, "SELECT COUNT(*) FROM samples WHERE logprobs IS NOT NULL") as Int? == ccRead)
        #expect(try query(db, "SELECT COUNT(*) FROM outcomes WHERE detail LIKE '%confidence %'") as Int? ?? 0 > 0)
        let board = first.leaderboard
        #expect(board.rows.count == 3 && board.adaptive.systems.count == 2)
        #expect(board.adaptive.curves.contains { $0.rule == "adaptive_consistency" && $0.pool == "tiny/maj8" })

        let second = try await runSuite(yaml, dir: dir, db: db)
        #expect(second.samplesGenerated == 0)
        #expect(second.leaderboard.adaptive == board.adaptive)
    }
}
