import Foundation
import Testing

/// `ttsbench run` on an `https://` model with `ca_file`, against a real TLS server on 127.0.0.1
/// (certificates made by `openssl` at test time): a certificate from another CA stops the run
/// with one line naming the cause, nothing scored; the server with the CA's certificate
/// completes it. (Client-level cases: Tests/TTSBenchTests/HTTPSClientTests.swift.)
@Suite(.serialized) struct HTTPSRunTests {
    static let canRun = ConditionTrait.enabled(
        if: (TestCertificates.opensslAvailable && python3Available) || requireInputs,
        Comment(rawValue: "openssl or python3 is not on PATH: the TLS test server needs both"))

    static func suite(port: Int) -> String {
        """
        suite: tls
        seed: 3
        task: {name: t, generate: {kind: arithmetic, items: 4, digits: 1}, prompt: "{question}", extract: boxed}
        models:
          hosted: {kind: openai, base_url: "https://127.0.0.1:\(port)/v1", model: m, ca_file: ca.pem, max_retries: 2, retry_base_delay: 0.01, timeout: 20, supports_n: false}
        verifiers:
          exact: {kind: exact}
        strategies:
          single: {kind: single, temperature: 0.0}
        systems:
          matrix: {model: [hosted], strategy: [single], verifier: [exact]}

        """
    }

    @Test(canRun) func aRefusedCertificateStopsTheRunAndTheRightOneCompletesIt() async throws {
        let certificates = try TestCertificates()
        let dir = certificates.dir
        let rogue = try TLSChatServer(certificates, certificate: "rogue")
        try Self.suite(port: rogue.port).write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        let refused = try await runBinary(["run", "s.yaml", "--db", "t.sqlite", "--out", "out", "--seeds", "1"], in: dir)
        rogue.stop()
        #expect(refused.status == 1 && !refused.signalled, "stderr: \(refused.stderr)")
        let lines = refused.stderr.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        #expect(lines.count == 1 && lines.first?.contains("model 'hosted'") == true && lines.first?.contains("certificate refused") == true,
                "stderr: \(refused.stderr)")
        #expect(try stringRows(dir + "/t.sqlite", "SELECT attempts || ' ' || cause FROM failures") == ["2 certificate refused"])
        #expect(try countRows(dir + "/t.sqlite", "SELECT COUNT(*) FROM samples") == 0, "nothing scored")
        #expect(try countRows(dir + "/t.sqlite", "SELECT COUNT(*) FROM seed_runs") == 0)

        let good = try TLSChatServer(certificates)
        defer { good.stop() }
        try Self.suite(port: good.port).write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        let done = try await runBinary(["run", "s.yaml", "--db", "t.sqlite", "--out", "out", "--seeds", "1"], in: dir)
        #expect(done.status == 0, "stderr: \(done.stderr.suffix(800))")
        #expect(try countRows(dir + "/t.sqlite", "SELECT COUNT(*) FROM samples WHERE error IS NULL") == 4)
    }
}
