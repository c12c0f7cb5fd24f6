@testable import TTSSuite
@testable import TTSCore
import Foundation
import GRDB
import Testing
@testable import TTSModels
@testable import TTSSeams

/// Against a real llama.cpp server serving the project's tiny addition model.
@Suite("real llama.cpp server", .serialized, .enabled(if: llamaAvailable || requireInputs, Comment(rawValue: skipMessage)))
struct RealServerTests {
    init() throws {
        try #require(llamaAvailable, "TTSBENCH_REQUIRE_INPUTS=1 but \(skipMessage)")
    }

    func client(_ base: String, api: OpenAIModelParameters.API = .completions, concurrency: Int = 4,
                supportsN: OpenAIModelParameters.SupportsN = .auto) throws -> OpenAIClient {
        try OpenAIClient(name: "tiny", parameters: OpenAIModelParameters(
            baseURLs: [base + "/v1"], model: "tiny-add", api: api, maxConcurrency: concurrency, timeout: 10,
            supportsN: supportsN, stop: ["\n"]), cache: nil)
    }

    func request(_ question: String, temperature: Double, seeds: [UInt64]) -> GenerationRequest {
        GenerationRequest(messages: [ChatMessage(role: "user", content: "Q: \(question)=? A:")], temperature: temperature,
                          maxTokens: 8, seed: seeds[0], n: seeds.count,
                          context: ItemContext(item: TaskItem(id: question, question: question, answer: ""), sampleSeeds: seeds))
    }

    @Test func chatAndCompletionsAnswerWithUsage() async throws {
        let base = try await LlamaServer.shared.url()
        for api in OpenAIModelParameters.API.allCases {
            let c = try client(base, api: api)
            let out = try await c.generate(request("47+38", temperature: 0, seeds: [1]))
            #expect(out.count == 1)
            #expect(out[0].text == " 85", "api \(api): \(out[0].text)")
            #expect(out[0].finishReason == "stop")
            #expect(out[0].promptTokens >= 13 && out[0].completionTokens >= 1 && !out[0].tokensEstimated)
            #expect(out[0].attempts == 1 && out[0].retryLog == nil && out[0].latencyMs > 0)
        }
    }

    @Test func ignoredNFallsBackToOneRequestPerSample() async throws {
        let base = try await LlamaServer.shared.url()
        let c = try client(base)
        let seeds: [UInt64] = (0..<8).map { 1000 + $0 * 7919 }
        let out = try await c.generate(request("0+17", temperature: 1.0, seeds: seeds))
        #expect(out.count == 8)
        #expect(c.nSupportDetected == .false)
        #expect(c.requestsSent == 9)  // the n=8 probe (one choice back), then one request per sample
        #expect(Set(out.map(\.text)).count >= 2, "samples: \(out.map(\.text))")
        // Remembered: the next multi-sample request goes straight to one request per sample.
        _ = try await c.generate(request("1+17", temperature: 1.0, seeds: seeds))
        #expect(c.requestsSent == 17)
    }

    @Test func sameSeedAndTemperatureReproduce() async throws {
        let base = try await LlamaServer.shared.url()
        let seeds: [UInt64] = (0..<8).map { 77 + $0 * 104_729 }
        let a = try await client(base, supportsN: .false).generate(request("0+17", temperature: 1.0, seeds: seeds))
        let b = try await client(base, supportsN: .false).generate(request("0+17", temperature: 1.0, seeds: seeds))
        #expect(a.map(\.text) == b.map(\.text))
        #expect(Set(a.map(\.text)).count >= 2)
    }

    @Test func concurrencyLimitHolds() async throws {
        let base = try await LlamaServer.shared.url()
        let proxy = try await Proxy(upstream: base)
        defer { proxy.stop() }
        let c = try client(proxy.url, concurrency: 3, supportsN: .false)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<24 {
                group.addTask { _ = try await c.generate(self.request("\(i)+\(i)", temperature: 0.7, seeds: [UInt64(i)])) }
            }
            try await group.waitForAll()
        }
        let stats = try await proxy.stats()
        #expect(stats.requests == 24)
        #expect(stats.max_inflight <= 3 && stats.max_inflight >= 2, "max in flight \(stats.max_inflight)")
        #expect(c.limiter.peakInFlight <= 3)
    }

    /// A suite mixing a simulated and a real model runs to a leaderboard; running it again makes
    /// zero requests (pool), and so does running it on a database whose samples were deleted
    /// (request cache); a replay model re-serves the recorded pool offline.
    @Test func rerunMakesZeroRequestsAndReplayServesThePool() async throws {
        let base = try await LlamaServer.shared.url()
        let proxy = try await Proxy(upstream: base)
        defer { proxy.stop() }
        let dir = try makeTempDir("ttsbench-real")
        let db = dir + "/t.sqlite"
        let yaml = additionSuite(
            name: "mixed",
            models: """
              tiny: {kind: openai, base_url: "\(proxy.url)/v1", model: tiny-add, api: completions, max_concurrency: 4, stop: ["\\n"], price_per_million: {input: 1, output: 2}}
              sim: {kind: simulated, ability: 0.5}
            """,
            strategies: """
              single: {kind: single, temperature: 0.0, max_tokens: 8}
              maj4: {kind: majority, n: 4, temperature: 0.8, max_tokens: 8}
            """,
            systems: "  matrix: {model: [tiny, sim], strategy: [single, maj4], verifier: [exact]}", limit: 10)
        let first = try await runSuite(yaml, dir: dir, db: db)
        #expect(first.leaderboard.rows.count == 4)
        let afterFirst = try await proxy.stats().requests
        #expect(afterFirst >= 50)  // 10 greedy + 40 sampled (+ n probes)
        #expect(try storeCounts(db).failedSamples == 0)
        #expect(try query(db, "SELECT MIN(prompt_tokens) FROM samples WHERE pool IN (SELECT pool FROM samples WHERE text LIKE ' %')") as Int? ?? 0 > 0)
        #expect(try query(db, "SELECT COUNT(*) FROM samples WHERE cost > 0") as Int? ?? 0 >= 50)
        #expect(try query(db, "SELECT COUNT(*) FROM seed_runs WHERE cost_per_item > 0") as Int? == 2)
        // Every answer records the rule that read it (last_number: "number"), every row its no-answer rate.
        #expect(try query(db, "SELECT COUNT(*) FROM samples WHERE answer IS NOT NULL AND extract_rule = 'number'") as Int? ?? 0 >= 40)
        #expect(try query(db, "SELECT COUNT(*) FROM samples WHERE answer IS NOT NULL AND extract_rule IS NOT 'number'") as Int? == 0)
        #expect(first.leaderboard.rows.allSatisfy { $0.noAnswerRate != nil })

        let second = try await runSuite(yaml, dir: dir, db: db)
        #expect(second.samplesGenerated == 0)
        #expect(try await proxy.stats().requests == afterFirst)

        try simulateCrashBeforeCommit(db, losing: "samples")
        let third = try await runSuite(yaml, dir: dir, db: db)
        #expect(third.samplesGenerated > 0)
        #expect(try await proxy.stats().requests == afterFirst, "the request cache should answer every request")
        #expect(try query(db, "SELECT COUNT(*) FROM samples WHERE cached = 1") as Int? == 50)
        let accuracy = Dictionary(uniqueKeysWithValues: first.leaderboard.rows.map { ($0.name, $0.mean) })
        #expect(Dictionary(uniqueKeysWithValues: third.leaderboard.rows.map { ($0.name, $0.mean) }) == accuracy)

        // Replay the recorded pool from a copy of the database: no server involved.
        let copy = dir + "/copy.sqlite"
        try DatabaseQueue(path: db).backup(to: DatabaseQueue(path: copy))
        let replayYAML = yaml.replacingOccurrences(of: "suite: mixed", with: "suite: replayed")
            .replacingOccurrences(of: "  tiny: {kind: openai", with: "  tiny: {kind: replay, database: \"\(copy)\", suite: mixed, model: tiny}\n  unused: {kind: openai")
        let replayDB = dir + "/replay.sqlite"
        let replayed = try await runSuite(replayYAML, dir: dir, db: replayDB)
        #expect(try await proxy.stats().requests == afterFirst)
        #expect(Dictionary(uniqueKeysWithValues: replayed.leaderboard.rows.map { ($0.name, $0.mean) }) == accuracy)
        #expect(try storeCounts(replayDB).failedSamples == 0)
    }

    /// Faults of every kind in front of the real server: the run finishes, no sample is lost,
    /// and every failed attempt is in a sample's retry log.
    @Test func faultsAreRetriedAndRecorded() async throws {
        let base = try await LlamaServer.shared.url()
        let proxy = try await Proxy(upstream: base, faults: "429,503,500,reset,hang,truncated,invalid,empty,nomessage", every: 3, hang: 1.5)
        defer { proxy.stop() }
        let dir = try makeTempDir("ttsbench-faults")
        let db = dir + "/t.sqlite"
        let yaml = additionSuite(
            name: "faults",
            models: """
              tiny: {kind: openai, base_url: "\(proxy.url)/v1", model: tiny-add, api: completions, max_concurrency: 4, timeout: 0.7, max_retries: 8, retry_base_delay: 0.02, supports_n: false, stop: ["\\n"]}
            """,
            strategies: """
              single: {kind: single, temperature: 0.0, max_tokens: 8}
              maj4: {kind: majority, n: 4, temperature: 0.8, max_tokens: 8}
            """,
            systems: "  matrix: {model: [tiny], strategy: [single, maj4], verifier: [exact]}", limit: 12)
        let report = try await runSuite(yaml, dir: dir, db: db)
        let stats = try await proxy.stats()
        let samples: Int? = try storeCounts(db).samples
        let attempts: Int? = try query(db, "SELECT SUM(attempts) FROM samples")
        let retried: Int? = try query(db, "SELECT SUM(attempts - 1) FROM samples")
        let logLines: Int? = try query(db, """
            SELECT SUM(LENGTH(retry_log) - LENGTH(REPLACE(retry_log, char(10), '')) + 1) FROM samples WHERE retry_log IS NOT NULL
            """)
        let faults = stats.faults.values.reduce(0, +)
        #expect(samples == 60)
        #expect(try storeCounts(db).failedSamples == 0)
        #expect(report.leaderboard.rows.allSatisfy { $0.failures == 0 })
        #expect(faults >= 20 && stats.faults.count == 9, "faults \(stats.faults)")
        #expect(attempts == stats.requests, "every request the server saw is an attempt of a recorded sample")
        // Every injected fault costs one retry, and every retry is logged. On a loaded machine a
        // genuine answer can also outlast the 0.7 s timeout: such extra retries must be timeouts.
        let timeouts: Int? = try query(db, """
            SELECT SUM((LENGTH(retry_log) - LENGTH(REPLACE(retry_log, 'timed out', ''))) / LENGTH('timed out')) FROM samples
            WHERE retry_log IS NOT NULL
            """)
        #expect((retried ?? 0) >= faults, "\(retried ?? 0) retries for \(faults) faults")
        #expect(logLines == retried)
        // A hang normally surfaces as a timeout; on a loaded machine the client can see the
        // stalled connection fail first (logged as a connection error), so only timeouts beyond
        // the hangs may explain retries beyond the faults (measured: 1 of 3 CI runs saw this).
        #expect((retried ?? 0) - faults <= max(0, (timeouts ?? 0) - (stats.faults["hang"] ?? 0)),
                "\((retried ?? 0) - faults) retries beyond the faults, \(timeouts ?? 0) timeouts for \(stats.faults["hang"] ?? 0) hangs")
        for kind in ["HTTP 429", "HTTP 503", "HTTP 500", "timed out", "connection", "invalid JSON", "empty 'choices'", "without 'text'"] {
            let pattern = kind.replacingOccurrences(of: "'", with: "''")
            let n: Int? = try query(db, "SELECT COUNT(*) FROM samples WHERE retry_log LIKE '%\(pattern)%'")
            #expect((n ?? 0) > 0, "no retry logged for \(kind)")
        }
    }

    /// A server that answers (llama.cpp behind the proxy) but fails every request: no failed
    /// request becomes a sample, every item is recorded as unfinished with its cause and attempts,
    /// and the run still ends with a leaderboard that ranks nothing as complete.
    @Test func persistentFailureIsRecordedNotLost() async throws {
        let base = try await LlamaServer.shared.url()
        let proxy = try await Proxy(upstream: base, faults: "500", every: 1)
        defer { proxy.stop() }
        let dir = try makeTempDir("ttsbench-fail")
        let db = dir + "/t.sqlite"
        let yaml = additionSuite(
            name: "failing",
            models: """
              tiny: {kind: openai, base_url: "\(proxy.url)/v1", model: tiny-add, api: completions, max_retries: 2, retry_base_delay: 0.01, supports_n: false}
            """,
            strategies: "  maj2: {kind: majority, n: 2, temperature: 0.8, max_tokens: 8}",
            systems: "  matrix: {model: [tiny], strategy: [maj2], verifier: [exact]}", limit: 5)
        let report = try await runSuite(yaml, dir: dir, db: db)
        #expect(report.incomplete?.items.count == 5 && report.incomplete?.items.allSatisfy { $0.cause == .serverError } == true)
        #expect(report.leaderboard.rows.isEmpty && report.leaderboard.unfinished.map(\.items) == [5])
        #expect(try storeCounts(db).samples == 0)
        #expect(try query(db, "SELECT COUNT(*) FROM failures WHERE attempts = 3 AND message LIKE 'HTTP 500%'") as Int? == 5)
        #expect(try await proxy.stats().requests == 30)
    }
}
