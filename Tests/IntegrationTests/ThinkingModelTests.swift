@testable import TTSSuite
@testable import TTSCore
import Foundation
import GRDB
import Testing

let thinkingModel = packageRoot + "/tools/tiny-model/tiny-think.gguf"
let thinkingModelPresent = FileManager.default.fileExists(atPath: thinkingModel)

/// A real engine that thinks: llama.cpp serving the tiny model trained to write
/// `<think>7+8=15 4+3+1=8</think> 85` (tools/tiny-model/train_think.py). llama-cpp-python's
/// server has no reasoning parser, so the thinking comes back inline, as from a server without one.
@Suite("llama.cpp, a model that thinks", .serialized,
       .enabled(if: (llamaAvailable && thinkingModelPresent) || requireInputs, Comment(rawValue: skipMessage + " (and tools/tiny-model/tiny-think.gguf)")))
struct ThinkingModelTests {
    init() throws {
        try #require(llamaAvailable, "TTSBENCH_REQUIRE_INPUTS=1 but \(skipMessage)")
        try #require(thinkingModelPresent, "TTSBENCH_REQUIRE_INPUTS=1 but \(thinkingModel) is missing (tools/tiny-model/train_think.py)")
    }

    @Test func ttsbenchSplitsRecordsAndScoresTheThinking() async throws {
        let base = try await LlamaServer.thinking.url()
        let dir = try makeTempDir("ttsbench-think")
        let db = dir + "/t.sqlite"
        let yaml = additionSuite(
            name: "think",
            models: """
              thinker: {kind: openai, base_url: "\(base)/v1", model: tiny-think, api: completions, max_concurrency: 2}
              raw: {kind: openai, base_url: "\(base)/v1", model: tiny-think, api: completions, max_concurrency: 2, reasoning: none}
            """,
            strategies: """
              greedy: {kind: single, temperature: 0.0, max_tokens: 48}
              maj4: {kind: majority, n: 4, temperature: 0.8, max_tokens: 48}
              cut: {kind: single, temperature: 0.0, max_tokens: 12}
            """,
            systems: "  matrix: {model: [thinker, raw], strategy: [greedy, maj4, cut], verifier: [exact]}", limit: 20)
        let report = try await runSuite(yaml, dir: dir, db: db)
        let rows = Dictionary(uniqueKeysWithValues: report.leaderboard.rows.map { ($0.name, $0) })
        // Split: the thinking is recorded apart, the answer part holds no tag.
        let split: Int? = try query(db, "SELECT COUNT(*) FROM samples WHERE reasoning LIKE '%+%=%' OR typeof(reasoning) = 'blob'")
        #expect((split ?? 0) >= 20 + 80, "greedy and sampled traces of the thinker")
        #expect(try query(db, "SELECT COUNT(*) FROM samples WHERE reasoning IS NOT NULL AND text LIKE '%think>%'") as Int? == 0)
        // Scored from the answer: the thinker's greedy answers are mostly right.
        let greedy = try #require(rows["thinker/greedy"])
        #expect(greedy.mean >= 0.5, "greedy accuracy \(greedy.mean)")
        #expect((greedy.thinkingTokensPerItem ?? 0) > 0 && greedy.unfinishedThinkingRate == 0)
        // Cut off inside the thinking (12 tokens): no answer, every time, never a digit of the thinking...
        let cut = try #require(rows["thinker/cut"])
        #expect(cut.mean == 0 && cut.unfinishedThinkingRate == 1 && cut.noAnswerRate == 1)
        #expect(try query(db, "SELECT COUNT(*) FROM samples WHERE extract_rule = 'unfinished_thinking' AND answer IS NULL") as Int? ?? 0 >= 20)
        // ...which is what reading the raw text would have done.
        let raw = try #require(rows["raw/cut"])
        #expect(raw.noAnswerRate == 0 && raw.unfinishedThinkingRate == 0, "the raw text yields numbers mined from the thinking")
        #expect((rows["thinker/maj4"]?.thinkingTokensPerItem ?? 0) > (greedy.thinkingTokensPerItem ?? 0))
    }
}
