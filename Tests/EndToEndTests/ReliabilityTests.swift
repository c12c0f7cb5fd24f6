import TTSBench
import TTSSuite
import TTSCore
import Foundation
import GRDB
import Testing
#if canImport(Glibc)
import Glibc
#endif

let python3Skip = Comment(rawValue: "python3 is not on PATH: the fault proxy and canned upstream (tools/fault-server) need it")


/// One of the standard-library Python servers of tools/fault-server on a free 127.0.0.1 port (it
/// prints the port, and exits when the test process does).
final class PythonServer: @unchecked Sendable {
    let process = Process()
    let url: String

    init(_ script: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Binary.root + "/tools/fault-server/" + script] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let port = try readPort(pipe, name: script)
        url = "http://127.0.0.1:\(port)"
    }

    /// GET /stats as a JSON object.
    func stats() throws -> [String: Any] {
        let data = try pythonGet(url + "/stats")
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ServerError(message: "/stats is not an object")
        }
        return object
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    deinit { if process.isRunning { process.terminate() } }

    struct ServerError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

/// Runs the binary with extra environment variables, output to files. `executable`: another
/// program that starts it (e.g. a shell setting limits first).
func runBinary(_ arguments: [String], in dir: String, environment: [String: String] = [:],
               timeout: Duration = .seconds(300), executable: String = Binary.path) async throws -> Binary.Result {
    guard FileManager.default.isExecutableFile(atPath: Binary.path) else { throw Binary.BinaryMissing(path: Binary.path) }
    let process = Process()
    let tag = UUID().uuidString
    let outPath = dir + "/stdout-\(tag).txt", errPath = dir + "/stderr-\(tag).txt"
    FileManager.default.createFile(atPath: outPath, contents: nil)
    FileManager.default.createFile(atPath: errPath, contents: nil)
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: dir)
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let deadline = ContinuousClock.now + timeout
    while process.isRunning {
        if ContinuousClock.now > deadline {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw Binary.TimedOut(timeout: timeout)
        }
        try await Task.sleep(for: .milliseconds(20))
    }
    process.waitUntilExit()
    return Binary.Result(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                         stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
}

/// Every regular file under `dir`, recursively.
func filesUnder(_ dir: String) -> [String] {
    guard let e = FileManager.default.enumerator(atPath: dir) else { return [] }
    return e.compactMap { ($0 as? String).map { dir + "/" + $0 } }.filter {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: $0, isDirectory: &isDir) && !isDir.boolValue
    }
}

func fileContains(_ path: String, _ needle: String) -> Bool {
    guard let data = FileManager.default.contents(atPath: path) else { return false }
    return data.range(of: Data(needle.utf8)) != nil
}

let allFaultKinds = "429,503,500,reset,hang,truncated,invalid,empty,nomessage"

/// The CI subset of `make reliability`'s faulty endpoint (tools/reliability/fault_endpoint.py):
/// the binary against the fault proxy in front of an instant canned upstream.
@Suite("faulty endpoint and secrets (python servers on 127.0.0.1)", .serialized,
       .enabled(if: python3Available || requireInputs, python3Skip))
struct FaultEndpointTests {
    init() throws {
        try #require(python3Available, "TTSBENCH_REQUIRE_INPUTS=1 but python3 (with http.server) is not runnable")
    }

    /// Over a thousand requests, one in ten a fault of one of nine kinds: the run completes, no
    /// sample is lost or duplicated, every attempt the server saw is recorded, and every failed
    /// attempt is in a retry log under its kind. (Requests that fail for good are
    /// `FailedRequestTests`' subject: they leave items unfinished, never samples.)
    @Test func aThousandRequestsWithTenPercentFaults() async throws {
        let upstream = try PythonServer("canned_upstream.py", [])
        defer { upstream.stop() }
        let proxy = try PythonServer("fault_proxy.py", ["--upstream", upstream.url, "--faults", allFaultKinds,
                                                        "--every", "10", "--hang", "2"])
        defer { proxy.stop() }
        let dir = try makeTempDir("ttsbench-e2e-faults")
        let items = 100, n = 10
        try """
            suite: faults-ci
            seed: 7
            task:
              generate: {kind: arithmetic, items: \(items), digits: 3}
              prompt: "Solve the problem. Put the final answer in \\\\boxed{}.\\n\\n{question}"
              extract: boxed
            models:
              canned: {kind: openai, base_url: "\(proxy.url)/v1", model: canned, api: chat, max_concurrency: 16,
                       timeout: 1.0, max_retries: 6, retry_base_delay: 0.05, supports_n: false}
            verifiers:
              math: {kind: math}
            strategies:
              maj: {kind: majority, n: \(n), temperature: 0.8}
            systems:
              matrix: {model: [canned], strategy: [maj], verifier: [math]}

            """.write(toFile: dir + "/faults.yaml", atomically: true, encoding: .utf8)
        let db = dir + "/faults.sqlite"
        let result = try await runBinary(["run", "faults.yaml", "--db", db, "--out", dir + "/out", "--seeds", "1", "--quiet"],
                                         in: dir)
        #expect(result.status == 0, "stderr: \(result.stderr.suffix(800))")

        let proxyStats = try proxy.stats(), upstreamStats = try upstream.stats()
        let requests = proxyStats["requests"] as? Int ?? -1
        let faults = proxyStats["faults"] as? [String: Int] ?? [:]
        #expect(requests >= 1000, "the proxy saw \(requests) requests")
        #expect(faults.count == 9 && faults.values.reduce(0, +) >= 100, "faults \(faults)")

        // Nothing lost, nothing twice.
        #expect(try storeCounts(db).samples == items * n)
        #expect(try countRows(db, duplicateSamplesSQL) == 0)
        #expect(try countRows(db, "SELECT COUNT(*) FROM samples WHERE attempts IS NULL OR attempts < 1") == 0)

        // Every attempt the server saw is recorded. A client can also fail on a keep-alive
        // connection the proxy had just closed (after a reset or a hang) without the request
        // arriving: that attempt is recorded too, as a connection error or a timeout.
        let attempts = try countRows(db, "SELECT SUM(attempts) FROM samples")
        let logText = try stringRows(db, "SELECT COALESCE(retry_log, '') FROM samples WHERE attempts > 1")
        let lines = logText.flatMap { $0.split(separator: "\n") }.filter { $0.hasPrefix("attempt ") }
        func logged(_ needle: String) -> Int { lines.filter { $0.contains(needle) }.count }
        let transportExtra = (logged("connection") - (faults["reset"] ?? 0)) + (logged("timed out") - (faults["hang"] ?? 0))
        #expect(attempts >= requests && attempts - requests <= transportExtra,
                "attempts \(attempts), requests \(requests), extra transport failures \(transportExtra)")
        // Every failed attempt is logged: one line per retry.
        let retries = try countRows(db, "SELECT COALESCE(SUM(attempts - 1), 0) FROM samples")
        #expect(lines.count == retries)
        for (kind, needle) in [("429", "HTTP 429"), ("503", "HTTP 503"), ("500", "HTTP 500"), ("reset", "connection"),
                               ("hang", "timed out")] {
            #expect(logged(needle) >= faults[kind] ?? 1, "\(kind): \(faults[kind] ?? 0) injected, \(logged(needle)) logged")
        }
        // An empty/nomessage fault on a refused body passes the upstream's error object on in a
        // 200: logged as "an error object".
        #expect(logged("empty 'choices'") + logged("without 'message'") + logged("an error object")
                >= (faults["empty"] ?? 1) + (faults["nomessage"] ?? 1))
        #expect(logged("invalid JSON") >= (faults["invalid"] ?? 1) + (faults["truncated"] ?? 1))

        // Every fault was recovered from: no sample has an error, nothing is unfinished.
        #expect(try storeCounts(db).failedSamples == 0, "upstream \(upstreamStats)")
        #expect(try storeCounts(db).unresolvedFailures == 0)
        let board = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/out/faults-ci/leaderboard.json")))
        let rows = (board as? [String: Any])?["systems"] as? [[String: Any]] ?? []
        #expect(rows.count == 1 && rows.first?["failures"] as? Int == 0 && rows.first?["rank"] as? String == "1", "leaderboard rows \(rows)")
        #expect(try stringRows(db, "PRAGMA integrity_check") == ["ok"])
    }

    /// An API key named by `api_key_env` reaches the server in the Authorization header and
    /// nowhere else: not the database (nor its WAL), not stdout or stderr, not a leaderboard file,
    /// not provenance.json — even when the server quotes the key back in its error messages.
    @Test func anAPIKeyIsSentButNeverWritten() async throws {
        let key = "sk-ttsbench-" + UUID().uuidString.replacingOccurrences(of: "-", with: "") + "-do-not-leak"
        let upstream = try PythonServer("canned_upstream.py", ["--poison-permille", "100", "--echo-auth"])
        defer { upstream.stop() }
        let dir = try makeTempDir("ttsbench-e2e-secrets")
        try suiteYAML(
            name: "secrets", seed: 7, task: ["generate: {kind: arithmetic, items: 20, digits: 2}", boxedPrompt, "extract: boxed"],
            models: ["keyed: {kind: openai, base_url: \"\(upstream.url)/v1\", model: canned, api: chat, api_key_env: TTSBENCH_SECRET_KEY,",
                     "        max_retries: 1, retry_base_delay: 0.01, supports_n: false}",
                     "sim: {kind: simulated, ability: 0.5}"],
            verifiers: mathVerifier, strategies: singleAndMajority4,
            systems: ["matrix: {model: [keyed, sim], strategy: [single, maj4], verifier: [math]}"],
            tail: ["compare: {group_size: 2, max_interims: 1}"]).write(toFile: dir + "/secrets.yaml", atomically: true, encoding: .utf8)
        let db = dir + "/secrets.sqlite", out = dir + "/out"
        let env = ["TTSBENCH_SECRET_KEY": key]
        // One body in ten always fails: both runs end with items unfinished (exit 1), quoting the
        // server's errors (which quote the key) in the summary, the database and the boards.
        let run = try await runBinary(["run", "secrets.yaml", "--db", db, "--out", out], in: dir, environment: env)
        #expect(run.status == 1 && run.stderr.contains("Run the same command again"), "stderr: \(run.stderr.suffix(800))")
        let publish = try await runBinary(["publish", "secrets.yaml", "--db", db, "--out", out], in: dir, environment: env)
        #expect(publish.status == 1, "stderr: \(publish.stderr.suffix(800))")
        let board = try await runBinary(["leaderboard", "--db", db, "--suite", "secrets", "--format", "all", "--out", dir + "/board"],
                                        in: dir, environment: env)
        #expect(board.status == 0, "stderr: \(board.stderr.suffix(800))")

        // The key did go out, so finding it nowhere means something.
        let stats = try upstream.stats()
        let sent = (stats["authorization"] as? [String: Int])?["Bearer \(key)"] ?? 0
        #expect(sent >= 20 && stats["no_authorization"] as? Int == 0, "upstream saw \(stats)")
        #expect(try countRows(db, "SELECT COUNT(*) FROM failures WHERE message LIKE '%you sent Authorization%'") > 0,
                "the server's quoting errors should be recorded (redacted)")
        #expect(publish.stderr.contains("you sent Authorization: Bearer [REDACTED]"), "stderr: \(publish.stderr.suffix(800))")

        let published = filesUnder(out + "/secrets")
        for name in ["leaderboard.md", "leaderboard.csv", "leaderboard.json", "index.html", "provenance.json"] {
            #expect(published.contains(out + "/secrets/" + name), "publish did not write \(name)")
        }
        let files = filesUnder(dir).filter { !$0.hasSuffix(".yaml") }
        #expect(files.contains(db))
        #expect(files.contains(where: { $0.hasSuffix("provenance.json") }))
        let leaking = files.filter { fileContains($0, key) }
        #expect(leaking.isEmpty, "the key is in \(leaking)")
        for output in [run.stdout, run.stderr, publish.stdout, publish.stderr, board.stdout, board.stderr] {
            #expect(!output.contains(key))
        }
        // Nor partially: no 16-character piece of the key's random part.
        let random = String(key.dropFirst("sk-ttsbench-".count).prefix(32))
        let pieces = stride(from: 0, to: random.count - 16, by: 8).map { String(random.dropFirst($0).prefix(16)) }
        for piece in pieces {
            #expect(files.filter { fileContains($0, piece) }.isEmpty, "a piece of the key is written")
        }
    }
}

/// Read-only or unwritable destinations (issue 7). Tests run as root in CI, and root ignores
/// permission bits, so the destinations fail for reasons root cannot override: /proc does not
/// take new files, a regular file stands where a directory must go, a directory stands where a
/// leaderboard file must go.
@Suite struct UnwritableOutputTests {
    static let suite = suiteYAML(
        name: "ro", seed: 3, task: ["generate: {kind: arithmetic, items: 6, digits: 2}"],
        models: ["m: {kind: simulated, ability: 0.5}"], verifiers: mathVerifier, strategies: singleAndMajority4,
        systems: ["matrix: {model: [m], strategy: [single, maj4], verifier: [math]}"])

    /// Names of temporary files a writer could leave behind.
    static func leftovers(_ dir: String) -> [String] {
        filesUnder(dir).filter { ($0 as NSString).lastPathComponent.hasPrefix(".") }
    }

    @Test(arguments: ["/proc/self/ttsbench-out", "/proc/ttsbench-out", "FILE/out"])
    func anUnwritableOutputDirectoryFailsBeforeGenerating(_ out: String) async throws {
        let dir = try makeTempDir("ttsbench-e2e-ro")
        try Self.suite.write(toFile: dir + "/ro.yaml", atomically: true, encoding: .utf8)
        let target = out.replacingOccurrences(of: "FILE", with: dir + "/a-file")
        FileManager.default.createFile(atPath: dir + "/a-file", contents: Data("not a directory".utf8))
        let r = try await runBinary(["run", "ro.yaml", "--db", dir + "/ro.sqlite", "--out", target, "--seeds", "2", "--quiet"], in: dir)
        #expect(r.status == 1, "status \(r.status), stderr \(r.stderr)")
        #expect(r.stderr.contains(target + "/ro"), "the message should name the path: \(r.stderr)")
        #expect(r.stderr.contains("cannot"), "\(r.stderr)")
        // Failed before generating: no database, nothing under the target.
        #expect(!FileManager.default.fileExists(atPath: dir + "/ro.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: target))
        #expect(r.stdout.isEmpty)
    }

    @Test func anUnwritableDatabaseFailsWithItsPath() async throws {
        let dir = try makeTempDir("ttsbench-e2e-ro-db")
        try Self.suite.write(toFile: dir + "/ro.yaml", atomically: true, encoding: .utf8)
        let r = try await runBinary(["run", "ro.yaml", "--db", "/proc/ttsbench-ro.sqlite", "--out", dir + "/out", "--seeds", "2", "--quiet"],
                                    in: dir)
        #expect(r.status == 1, "status \(r.status), stderr \(r.stderr)")
        #expect(r.stderr.contains("/proc/ttsbench-ro.sqlite"), "\(r.stderr)")
        #expect(filesUnder(dir + "/out").isEmpty)
    }

    /// One of the five files cannot be replaced (a directory is in its way): the command fails
    /// naming it, the files written are complete, and no temporary file is left.
    @Test func aFileThatCannotBeReplacedLeavesNoPartialFiles() async throws {
        let dir = try makeTempDir("ttsbench-e2e-ro-board")
        try Self.suite.write(toFile: dir + "/ro.yaml", atomically: true, encoding: .utf8)
        let db = dir + "/ro.sqlite"
        let first = try await runBinary(["run", "ro.yaml", "--db", db, "--out", dir + "/out", "--seeds", "2", "--quiet"], in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        let clean = try await runBinary(["leaderboard", "--db", db, "--format", "all", "--out", dir + "/clean"], in: dir)  // writes clean/ro/
        #expect(clean.status == 0, "\(clean.stderr)")

        let blocked = dir + "/blocked"
        try FileManager.default.createDirectory(atPath: blocked + "/ro/index.html/inside", withIntermediateDirectories: true)
        let r = try await runBinary(["leaderboard", "--db", db, "--format", "all", "--out", blocked], in: dir)
        #expect(r.status != 0)
        #expect(r.stderr.contains(blocked + "/ro/index.html"), "\(r.stderr)")
        #expect(Self.leftovers(blocked).isEmpty, "temporary files left: \(Self.leftovers(blocked))")
        for file in filesUnder(blocked) where !file.contains("/index.html/") {
            let name = (file as NSString).lastPathComponent
            #expect(FileManager.default.contents(atPath: file) == FileManager.default.contents(atPath: dir + "/clean/ro/" + name),
                    "\(name) differs from a clean write")
        }
        #expect(Self.leftovers(dir + "/out").isEmpty && Self.leftovers(dir + "/clean").isEmpty)
    }
}
