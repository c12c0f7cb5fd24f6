import Foundation
import TTSStore
import GRDB
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A failed request is not a sample: the binary against real servers on 127.0.0.1 that are not
/// there, answer 404, fail a share of requests for a while, or refuse inputs as too long.
@Suite("failed requests are retried, not scored (python servers on 127.0.0.1)", .serialized,
       .enabled(if: python3Available || requireInputs, python3Skip))
struct FailedRequestTests {
    init() throws {
        try #require(python3Available, "TTSBENCH_REQUIRE_INPUTS=1 but python3 (with http.server) is not runnable")
    }

    /// A 127.0.0.1 port nothing listens on (bound, noted, closed).
    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw PythonServer.ServerError(message: "cannot bind a port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A suite with an endpoint model and a simulated one, compared by AdaStop.
    static func suite(name: String, baseURL: String, maxRetries: Int = 6, concurrency: Int = 8, items: Int = 12) -> String {
        suiteYAML(
            name: name, seed: 11, task: ["generate: {kind: arithmetic, items: \(items), digits: 2}", boxedPrompt, "extract: boxed"],
            models: ["canned: {kind: openai, base_url: \"\(baseURL)\", model: canned, api: chat, max_concurrency: \(concurrency),",
                     "         max_retries: \(maxRetries), retry_base_delay: 0.02, timeout: 5, supports_n: false}",
                     "sim: {kind: simulated, ability: 0.3}"],
            verifiers: mathVerifier, strategies: singleAndMajority4,
            systems: ["matrix: {model: [canned, sim], strategy: [single, maj4], verifier: [math]}"],
            tail: ["compare: {group_size: 4, max_interims: 2}"])
    }

    /// The leaderboard JSON without what a wall clock measures (latency), and, with `dropping`,
    /// without other per-system keys.
    static func boardWithoutLatency(_ path: String, dropping keys: [String] = []) throws -> NSDictionary {
        var board = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        board["systems"] = (board["systems"] as? [[String: Any]] ?? []).map { row in
            var row = row
            for key in ["latency_ms_per_item"] + keys { row[key] = nil }
            return row
        }
        return board as NSDictionary
    }

    /// The markdown leaderboard with the Latency/item column blanked.
    static func markdownWithoutLatency(_ path: String) throws -> String {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var column: Int? = nil
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            var cells = line.components(separatedBy: " | ")
            if let i = cells.firstIndex(of: "Latency/item") { column = i }
            if let column, line.hasPrefix("| "), cells.count > column + 1 { cells[column] = "…" }
            return cells.joined(separator: " | ")
        }.joined(separator: "\n")
    }

    /// A closed port, then a base_url without /v1 (HTTP 404): each run stops within seconds with
    /// exit 1 and one line naming the model, the URL and the cause; nothing is scored, no seed run or
    /// decision is recorded. With the endpoint restored, the same command completes and the
    /// leaderboard is that of a run that never failed.
    @Test func aDeadEndpointStopsTheRunAndARestoredOneCompletesIt() async throws {
        let dir = try makeTempDir("ttsbench-e2e-dead")
        let port = try Self.closedPort()
        let db = dir + "/t.sqlite", out = dir + "/out"
        try Self.suite(name: "dead", baseURL: "http://127.0.0.1:\(port)/v1").write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        let start = ContinuousClock.now
        let refused = try await runBinary(["run", "s.yaml", "--db", db, "--out", out], in: dir, timeout: .seconds(600))
        let elapsed = ContinuousClock.now - start
        #expect(refused.status == 1, "stderr: \(refused.stderr)")
        // Measured alone: about 0.4 s. Wall time is no test on shared, noisy machines (a full test
        // run has taken minutes just to start the debug binary): the bound only rules out retrying
        // for long, and the attempts are counted instead: the failure that stopped the run made two.
        #expect(elapsed < .seconds(600), "took \(elapsed)")
        #expect(try stringRows(db, "SELECT attempts || ' ' || cause FROM failures") == ["2 connection refused"])
        let lines = refused.stderr.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        #expect(lines.count == 1, "stderr: \(refused.stderr)")
        let line = String(lines.first ?? "")
        #expect(line.contains("model 'canned'") && line.contains("http://127.0.0.1:\(port)/v1") && line.contains("connection refused"), "\(line)")
        #expect(line.filter { $0 == "(" }.count == line.filter { $0 == ")" }.count, "unbalanced: \(line)")
        #expect(try countRows(db, "SELECT COUNT(*) FROM seed_runs s JOIN systems y ON s.system_fp = y.fingerprint WHERE y.model = 'canned'") == 0)
        #expect(try storeCounts(db).decisions == 0)
        #expect(try storeCounts(db).failedSamples == 0)

        // A live server, but base_url lacks /v1: 404 on the first request.
        let upstream = try PythonServer("canned_upstream.py", ["--port", String(port)])
        defer { upstream.stop() }
        try Self.suite(name: "dead", baseURL: "http://127.0.0.1:\(port)").write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        let start404 = ContinuousClock.now
        let notFound = try await runBinary(["run", "s.yaml", "--db", db, "--out", out], in: dir, timeout: .seconds(600))
        #expect(ContinuousClock.now - start404 < .seconds(600))
        let notFoundRequests = try upstream.stats()["not_found_requests"] as? Int ?? -1
        #expect(notFoundRequests >= 1 && notFoundRequests <= 32, "\(notFoundRequests) requests: a 404 was asked again and again")
        #expect(notFound.status == 1 && notFound.stderr.contains("not found (HTTP 404)") && notFound.stderr.contains("/v1"),
                "stderr: \(notFound.stderr)")
        #expect(notFound.stderr.split(separator: "\n").count == 1, "stderr: \(notFound.stderr)")
        #expect(try countRows(db, "SELECT COUNT(*) FROM seed_runs s JOIN systems y ON s.system_fp = y.fingerprint WHERE y.model = 'canned'") == 0)
        #expect(try storeCounts(db).decisions == 0)

        // Restored: the same command completes, and equals a run that never failed.
        try Self.suite(name: "dead", baseURL: "http://127.0.0.1:\(port)/v1").write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        let restored = try await runBinary(["run", "s.yaml", "--db", db, "--out", out], in: dir)
        #expect(restored.status == 0, "stderr: \(restored.stderr.suffix(800))")
        let clean = try await runBinary(["run", "s.yaml", "--db", dir + "/clean.sqlite", "--out", dir + "/clean"], in: dir)
        #expect(clean.status == 0, "stderr: \(clean.stderr.suffix(800))")
        #expect(try Self.boardWithoutLatency(out + "/dead/leaderboard.json") == Self.boardWithoutLatency(dir + "/clean/dead/leaderboard.json"))
        #expect(try Self.markdownWithoutLatency(out + "/dead/leaderboard.md") == Self.markdownWithoutLatency(dir + "/clean/dead/leaderboard.md"))
        #expect(try storeCounts(db).unresolvedFailures == 0)
    }

    /// A model name the server does not serve (vLLM's 404 "The model `x` does not exist."): the
    /// run stops at once, naming that cause.
    @Test func aModelTheServerDoesNotServeStopsTheRun() async throws {
        let upstream = try PythonServer("canned_upstream.py", ["--served-model", "other"])
        defer { upstream.stop() }
        let dir = try makeTempDir("ttsbench-e2e-unserved")
        try Self.suite(name: "unserved", baseURL: upstream.url + "/v1").write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        let result = try await runBinary(["run", "s.yaml", "--db", dir + "/t.sqlite", "--out", dir + "/out"], in: dir, timeout: .seconds(600))
        #expect(result.status == 1 && result.stderr.contains("model not served") && result.stderr.contains("model 'canned'"),
                "stderr: \(result.stderr)")
        #expect((try upstream.stats()["requests"] as? Int ?? 99) <= 32, "a model that is not served was asked again and again")
    }

    /// 30% of request bodies fail for good (HTTP 500 on every attempt) while the server is sick:
    /// the run exits 1 with the failures counted by cause, records no failed sample and commits no
    /// seed run that lacks one. The server recovered, a second run sends exactly the missing
    /// requests and ends with the numbers of a clean run.
    @Test func aServerFailingThirtyPercentForAWhileIsRetriedToTheCleanNumbers() async throws {
        let upstream = try PythonServer("canned_upstream.py", ["--poison-permille", "300"])
        defer { upstream.stop() }
        let dir = try makeTempDir("ttsbench-e2e-sick")
        let db = dir + "/t.sqlite", out = dir + "/out"
        try Self.suite(name: "sick", baseURL: upstream.url + "/v1", maxRetries: 1)
            .write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        let first = try await runBinary(["run", "s.yaml", "--db", db, "--out", out, "--seeds", "2"], in: dir)
        #expect(first.status == 1, "stderr: \(first.stderr.suffix(800))")
        #expect(first.stderr.contains("server error (HTTP 5xx)") && first.stderr.contains("Run the same command again to retry"),
                "stderr: \(first.stderr.suffix(800))")
        let poisoned = try upstream.stats()["poisoned_bodies"] as? Int ?? -1
        let recorded = try storeCounts(db).samples
        // The endpoint: items x seeds x (single + maj4). The simulated model is deterministic at
        // temperature 0, so its single's samples are generated for one seed only.
        let expected = 12 * 2 * (1 + 4) + 12 * (1 + 2 * 4)
        #expect(poisoned > 0 && recorded + poisoned == expected, "poisoned \(poisoned), recorded \(recorded) of \(expected)")
        #expect(try countRows(db, "SELECT COUNT(*) FROM samples WHERE error IS NOT NULL OR text IS NULL") == 0)
        let unfinished = try storeCounts(db).unresolvedFailures
        #expect(unfinished > 0 && first.stderr.contains("\(unfinished) item"), "stderr: \(first.stderr.suffix(800))")
        // The board of the first run says so, and ranks no incomplete system.
        let board = try String(contentsOfFile: out + "/sick/leaderboard.md", encoding: .utf8)
        #expect(board.contains("## Unfinished") && board.contains("server error (HTTP 5xx)"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/sick/leaderboard.json"))) as? [String: Any])
        for row in json["systems"] as? [[String: Any]] ?? [] where (row["model"] as? String) == "canned" {
            #expect(row["rank"] as? String == "—", "\(row)")
        }

        // Recovered: only the missing requests are sent; the numbers are a clean run's.
        let before = try upstream.stats()["requests"] as? Int ?? -1
        _ = try await runPython("import urllib.request, sys; urllib.request.urlopen(urllib.request.Request(sys.argv[1] + '/poison', data=b'{\"permille\": 0}', method='POST'), timeout=10).read()",
                                upstream.url)
        let second = try await runBinary(["run", "s.yaml", "--db", db, "--out", out, "--seeds", "2"], in: dir)
        #expect(second.status == 0, "stderr: \(second.stderr.suffix(800))")
        let sent = (try upstream.stats()["requests"] as? Int ?? -1) - before
        #expect(sent == poisoned, "the second run sent \(sent) requests for \(poisoned) missing samples")
        #expect(try storeCounts(db).samples == expected)
        #expect(try storeCounts(db).unresolvedFailures == 0)
        let clean = try await runBinary(["run", "s.yaml", "--db", dir + "/clean.sqlite", "--out", dir + "/clean", "--seeds", "2"], in: dir)
        #expect(clean.status == 0)
        #expect(try Self.boardWithoutLatency(out + "/sick/leaderboard.json") == Self.boardWithoutLatency(dir + "/clean/sick/leaderboard.json"))
        #expect(try Self.markdownWithoutLatency(out + "/sick/leaderboard.md") == Self.markdownWithoutLatency(dir + "/clean/sick/leaderboard.md"))
    }

    /// A database of schema 7 scored failed requests as incorrect samples (an error, no text):
    /// a run upgrades it, forgets those samples and the seed runs that counted them, sends exactly
    /// the requests that had failed, and ends with the numbers of a run that never failed.
    @Test func anOldDatabaseRetriesTheFailedRequestsItHadScored() async throws {
        let upstream = try PythonServer("canned_upstream.py", [])
        defer { upstream.stop() }
        let dir = try makeTempDir("ttsbench-e2e-legacy")
        let db = dir + "/t.sqlite", out = dir + "/out"
        try Self.suite(name: "legacy", baseURL: upstream.url + "/v1").write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        let clean = try await runBinary(["run", "s.yaml", "--db", db, "--out", out, "--seeds", "2"], in: dir)
        #expect(clean.status == 0, "stderr: \(clean.stderr.suffix(800))")
        try FileManager.default.copyItem(atPath: out + "/legacy/leaderboard.json", toPath: out + "/legacy/reference.json")
        // Make it what ttsbench 0.3 with schema 7 wrote after five requests failed for good.
        try await DatabaseQueue(path: db).write { db in
            try db.execute(sql: """
                UPDATE samples SET text = NULL, answer = NULL, extract_rule = NULL, finish_reason = NULL,
                  error = 'model ''canned'': failed after 7 attempts: HTTP 500', attempts = 7
                WHERE id IN (SELECT id FROM samples WHERE text LIKE 'Working it out%' ORDER BY id LIMIT 5);
                UPDATE seed_runs SET failures = 1, accuracy = 0 WHERE system_fp IN (SELECT fingerprint FROM systems WHERE model = 'canned');
                DELETE FROM cache;
                DROP TABLE failures;
                ALTER TABLE systems DROP COLUMN deterministic;
                ALTER TABLE samples DROP COLUMN reasoning;
                ALTER TABLE samples DROP COLUMN reasoning_tokens;
                ALTER TABLE aux_calls DROP COLUMN reasoning;
                ALTER TABLE aux_calls DROP COLUMN reasoning_tokens;
                ALTER TABLE aux_calls DROP COLUMN extract_rule;
                ALTER TABLE outcomes DROP COLUMN thinking_tokens;
                ALTER TABLE outcomes DROP COLUMN unfinished_thinking;
                ALTER TABLE seed_runs DROP COLUMN thinking_tokens_per_item;
                ALTER TABLE outcomes DROP COLUMN samples_read;
                ALTER TABLE outcomes DROP COLUMN rounds;
                ALTER TABLE aux_calls DROP COLUMN model;
                ALTER TABLE aux_calls DROP COLUMN attempts;
                ALTER TABLE aux_calls DROP COLUMN cost;
                ALTER TABLE seed_runs DROP COLUMN verifier_calls_per_item;
                ALTER TABLE seed_runs DROP COLUMN verifier_tokens_per_item;
                ALTER TABLE seed_runs DROP COLUMN verifier_cost_per_item;
                DELETE FROM grdb_migrations WHERE identifier IN ('schema-8', 'schema-9', 'schema-10', 'schema-11', 'schema-12');
                PRAGMA user_version = 7;
                """)
        }
        let before = try upstream.stats()["requests"] as? Int ?? -1
        let upgraded = try await runBinary(["run", "s.yaml", "--db", db, "--out", out, "--seeds", "2"], in: dir)
        #expect(upgraded.status == 0, "stderr: \(upgraded.stderr.suffix(800))")
        #expect((try upstream.stats()["requests"] as? Int ?? -1) - before == 5, "only the five failed requests are sent again")
        #expect(try countRows(db, "SELECT COUNT(*) FROM samples WHERE error IS NOT NULL OR text IS NULL") == 0)
        #expect(try countRows(db, "PRAGMA user_version") == StoreSchema.version)
        // Seed runs recorded before the upgrade have no thinking figures (unknown, not 0), so the
        // untouched systems show none; every score is the clean run's.
        let thinking = ["thinking_tokens_per_item", "unfinished_thinking_rate"]
        #expect(try Self.boardWithoutLatency(out + "/legacy/leaderboard.json", dropping: thinking)
                == Self.boardWithoutLatency(out + "/legacy/reference.json", dropping: thinking))
    }

    /// A refusal about the input (vLLM's 400 "maximum context length") is the system's outcome:
    /// a sample with its cause, scored incorrect, not retried, and counted in Failures.
    @Test func aContextLengthRefusalIsScoredNotRetried() async throws {
        let upstream = try PythonServer("canned_upstream.py", ["--refuse-permille", "200"])
        defer { upstream.stop() }
        let dir = try makeTempDir("ttsbench-e2e-refusal")
        let db = dir + "/t.sqlite", out = dir + "/out"
        try Self.suite(name: "refusal", baseURL: upstream.url + "/v1").write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        let result = try await runBinary(["run", "s.yaml", "--db", db, "--out", out, "--seeds", "2"], in: dir)
        #expect(result.status == 0, "stderr: \(result.stderr.suffix(800))")
        let stats = try upstream.stats()
        let refusedRequests = stats["refused_requests"] as? Int ?? -1
        let refused = try countRows(db, "SELECT COUNT(*) FROM samples WHERE error LIKE 'refused: context length exceeded%' AND text = '' AND answer IS NULL")
        #expect(refused > 0 && refused == refusedRequests, "refused samples \(refused), requests refused \(refusedRequests)")
        #expect(stats["requests"] as? Int == 12 * 2 * 5, "a refusal was retried: \(stats)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/refusal/leaderboard.json"))) as? [String: Any])
        let failures = (json["systems"] as? [[String: Any]] ?? []).reduce(0) { $0 + ($1["failures"] as? Int ?? 0) }
        #expect(failures == refused, "leaderboard failures \(failures), refused samples \(refused)")
        #expect(json["unfinished"] == nil)
    }
}

/// Runs a python3 one-liner with arguments; its stdout.
func runPython(_ code: String, _ arguments: String...) async throws -> String {
    try runCapture("/usr/bin/env", ["python3", "-c", code] + arguments)
}
