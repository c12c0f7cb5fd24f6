@testable import TTSModels
@testable import TTSSeams
@testable import TTSSuite
import Foundation
import Testing

/// The `https://` path (AsyncHTTPClient with TLS) against a real TLS server on 127.0.0.1, with
/// certificates made by `openssl` at test time: a model's `ca_file` makes the client trust the
/// test CA; retries work over TLS; a certificate the client must refuse (another CA, another
/// host name, or the system's trust store without `ca_file`) is a failure naming the cause,
/// never a completion.
@Suite struct HTTPSClientTests {
    static let canRun = ConditionTrait.enabled(
        if: (TestCertificates.opensslAvailable && python3Available) || requireInputs,
        Comment(rawValue: "openssl or python3 is not on PATH: the TLS test server needs both"))

    static let request = GenerationRequest(messages: [ChatMessage(role: "user", content: "1+1")], temperature: 0, seed: 1)

    static func client(_ server: TLSChatServer, caFile: String?, maxRetries: Int = 3) throws -> OpenAIClient {
        var p = OpenAIModelParameters(baseURLs: [server.baseURL], model: "m", maxRetries: maxRetries, retryBaseDelay: 0.01, supportsN: .false)
        p.caFile = caFile
        p.timeout = 20
        return try OpenAIClient(name: "tls", parameters: p, cache: nil)
    }

    /// The failure a refused certificate gives (the request must not succeed).
    static func failure(_ client: OpenAIClient) async throws -> RequestFailure? {
        do {
            let got = try await client.generate(request)
            Issue.record("a refused certificate gave a completion: \(got.map(\.text))")
            return nil
        } catch let error as PartialGenerationError {
            #expect(error.completions.allSatisfy { $0 == nil }, "no completion beside the failure")
            return error.requestFailure
        }
    }

    /// The failure of a request to a server showing `certificate` (a stem of `TestCertificates`)
    /// from a client that trusts the test CA.
    static func refusal(certificate: String) async throws -> RequestFailure? {
        let certificates = try TestCertificates()
        let server = try TLSChatServer(certificates, certificate: certificate)
        defer { server.stop() }
        return try await failure(try client(server, caFile: certificates.ca))
    }

    @Test(canRun) func aServerSignedByTheCAFileAnswers() async throws {
        let certificates = try TestCertificates()
        let server = try TLSChatServer(certificates)
        defer { server.stop() }
        let client = try Self.client(server, caFile: certificates.ca)
        let got = try await client.generate(Self.request)
        #expect(got.map(\.text) == ["The answer is \\boxed{2}."])
        #expect(got.first?.promptTokens == 7 && got.first?.completionTokens == 5 && got.first?.attempts == 1)
        #expect(client.requestsSent == 1)
    }

    @Test(canRun) func a503OverTLSIsRetried() async throws {
        let certificates = try TestCertificates()
        let server = try TLSChatServer(certificates, failFirst: 2)
        defer { server.stop() }
        let client = try Self.client(server, caFile: certificates.ca)
        let got = try await client.generate(Self.request)
        #expect(got.map(\.text) == ["The answer is \\boxed{2}."])
        #expect(got.first?.attempts == 3, "two 503s, then the answer")
        #expect(got.first?.retryLog?.contains("HTTP 503") == true, "\(got.first?.retryLog ?? "no retry log")")
        #expect(client.requestsSent == 3)
    }

    @Test(canRun) func aCertificateFromAnotherCAIsRefused() async throws {
        let failure = try #require(try await Self.refusal(certificate: "rogue"))
        #expect(failure.cause == .certificate, "\(failure)")
        #expect(failure.message.contains("does not chain to a trusted certificate authority"), "\(failure.message)")
        #expect(failure.attempts == 2 && failure.stopsRun, "one quick retry, then the run stops: \(failure)")
        #expect(failure.stopLine.contains("certificate refused") && failure.stopLine.contains("ca_file"), "\(failure.stopLine)")
    }

    @Test(canRun) func aCertificateForAnotherHostIsRefused() async throws {
        let failure = try #require(try await Self.refusal(certificate: "wrong-host"))
        #expect(failure.cause == .certificate, "\(failure)")
        #expect(failure.message.contains("not issued for that host name"), "\(failure.message)")
    }

    /// Without `ca_file` the system's trust store decides, and it does not know the test CA.
    @Test(canRun) func withoutCAFileTheTestCAIsNotTrusted() async throws {
        let certificates = try TestCertificates()
        let server = try TLSChatServer(certificates)
        defer { server.stop() }
        let failure = try #require(try await Self.failure(try Self.client(server, caFile: nil)))
        #expect(failure.cause == .certificate, "\(failure)")
    }

    @Test(canRun) func anUnreadableCAFileStopsBeforeAnyRequest() throws {
        let certificates = try TestCertificates()
        let bad = try writeFile(certificates.dir, "bad.pem", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
        var p = OpenAIModelParameters(baseURLs: ["https://127.0.0.1:9/v1"], model: "m")
        p.caFile = bad
        #expect { _ = try OpenAIClient(name: "tls", parameters: p, cache: nil) } throws: {
            "\($0)".contains("cannot read the certificates of ca_file \(bad)")
        }
    }

    /// `ca_file` in a suite: resolved against the suite's directory, https only, a PEM file; not
    /// in the model's fingerprint (a transport setting, like the URL).
    @Test(canRun) func caFileInASuite() throws {
        let certificates = try TestCertificates()
        func model(_ extra: String, url: String = "https://127.0.0.1:8443/v1") -> String {
            """
            suite: tls
            seed: 1
            task: {name: t, generate: {kind: arithmetic, items: 2, digits: 1}, prompt: "{question}", extract: last_number}
            models:
              m: {kind: openai, base_url: "\(url)", model: m\(extra)}
            verifiers:
              v: {kind: numeric}
            strategies:
              single: {kind: single, temperature: 0.0}
            systems:
              matrix: {model: [m], strategy: [single], verifier: [v]}

            """
        }
        let plain = try SuiteLoader.load(path: try writeFile(certificates.dir, "plain.yaml", model("")))
        let withCA = try SuiteLoader.load(path: try writeFile(certificates.dir, "ca.yaml", model(", ca_file: ca.pem")))
        guard case .openai(let p) = withCA.models[0].kind else { Issue.record("not an openai model"); return }
        #expect(p.caFile == certificates.dir + "/ca.pem", "resolved against the suite's directory")
        #expect(withCA.models[0].fingerprint == plain.models[0].fingerprint, "ca_file is not fingerprinted")
        let cases: [(String, String, String)] = [
            (", ca_file: missing.pem", "https://127.0.0.1:8443/v1", "names 'missing.pem', which cannot be read"),
            (", ca_file: plain.yaml", "https://127.0.0.1:8443/v1", "holds no PEM certificate"),
            (", ca_file: ca.pem", "http://127.0.0.1:8000/v1", "applies to https:// endpoints; http://127.0.0.1:8000/v1 is not one"),
        ]
        for (extra, url, message) in cases {
            let path = try writeFile(certificates.dir, "bad.yaml", model(extra, url: url))
            #expect { _ = try SuiteLoader.load(path: path) } throws: { "\($0)".contains("bad.yaml:5:") && "\($0)".contains(message) }
        }
    }
}
