import Foundation
import Testing

/// Concurrency comes from the endpoints (issue 15): with default options the binary keeps a
/// model's `max_concurrency` requests in flight on a real 127.0.0.1 server that answers after a
/// delay (tools/fault-server/canned_upstream.py --delay-ms), across items, systems and seeds;
/// `--workers` caps it; and the numbers do not depend on it.
@Suite("fleet concurrency (python server on 127.0.0.1)", .serialized,
       .enabled(if: python3Available || requireInputs, python3Skip))
struct FleetConcurrencyTests {
    init() throws {
        try #require(python3Available, "TTSBENCH_REQUIRE_INPUTS=1 but python3 (with http.server) is not runnable")
    }

    static let limit = 24

    /// 30 items, two systems (majority@4 with one request per sample, and a greedy single), two seeds.
    static func suite(_ url: String) -> String {
        """
        suite: fleet-ci
        seed: 11
        task:
          generate: {kind: arithmetic, items: 30, digits: 3}
          prompt: "Solve the problem. Put the final answer in \\\\boxed{}.\\n\\n{question}"
          extract: boxed
        models:
          canned: {kind: openai, base_url: "\(url)/v1", model: canned, api: chat, max_concurrency: \(limit),
                   timeout: 20, supports_n: false}
        verifiers:
          math: {kind: math}
        strategies:
          single: {kind: single, temperature: 0.0}
          maj4: {kind: majority, n: 4, temperature: 0.8}
        systems:
          matrix: {model: [canned], strategy: [single, maj4], verifier: [math]}

        """
    }

    /// Runs the suite against a fresh delayed server; returns the server's peak of requests in
    /// flight, and the leaderboard files and a digest of the samples.
    func run(_ label: String, extra: [String]) async throws -> (peak: Int, requests: Int, files: [Data], samples: [String]) {
        let upstream = try PythonServer("canned_upstream.py", ["--delay-ms", "60"])
        defer { upstream.stop() }
        let dir = try e2eTempDir("fleet-\(label)")
        try Self.suite(upstream.url).write(toFile: dir + "/fleet.yaml", atomically: true, encoding: .utf8)
        let db = dir + "/fleet.sqlite"
        let result = try await runBinary(["run", "fleet.yaml", "--db", db, "--out", dir + "/out", "--seeds", "2", "--quiet"] + extra,
                                         in: dir)
        #expect(result.status == 0, "stderr: \(result.stderr.suffix(800))")
        let stats = try upstream.stats()
        let files = try ["leaderboard.md", "leaderboard.json"].map { try Data(contentsOf: URL(fileURLWithPath: dir + "/out/fleet-ci/" + $0)) }
        let samples = try e2eStrings(db, """
            SELECT pool || '|' || seed_index || '|' || item_id || '|' || temperature || '|' || sample_index || '|' ||
                   request_seed || '|' || COALESCE(answer, '-') || '|' || COALESCE(error, '') FROM samples ORDER BY 1
            """)
        return (stats["peak_in_flight"] as? Int ?? -1, stats["requests"] as? Int ?? -1, files, samples)
    }

    @Test func defaultKeepsMaxConcurrencyInFlightAndWorkersChangeNoNumber() async throws {
        let byDefault = try await run("default", extra: [])
        let one = try await run("one", extra: ["--workers", "1"])
        // 30 items x 2 seeds x (1 greedy + 4 sampled) samples, one request each.
        #expect(byDefault.samples.count == 300 && byDefault.requests == 300, "\(byDefault.samples.count) samples, \(byDefault.requests) requests")
        // Default: the model's limit is reached (items of both systems and seeds overlap), never passed.
        #expect(byDefault.peak == Self.limit, "peak in flight \(byDefault.peak), max_concurrency \(Self.limit)")
        // One item at a time: at most the 4 samples of one majority item.
        #expect(one.peak <= 4, "peak in flight with --workers 1: \(one.peak)")
        // Same samples, same leaderboard bytes.
        #expect(one.samples == byDefault.samples)
        #expect(one.files == byDefault.files)
    }
}
