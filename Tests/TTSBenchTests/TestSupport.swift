@testable import TTSBench
@testable import TTSReport
@testable import TTSRuntime
@testable import TTSSuite
@testable import TTSStore
@testable import TTSCore
import Foundation
import GRDB
import Synchronization
import Testing

/// A fresh directory under the system temp dir, unique per call (tests run in parallel).
func makeTempDir(_ label: String = "ttsbench") throws -> String {
    let base = (NSTemporaryDirectory() as NSString).appendingPathComponent("\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
    return base
}

/// Writes `text` (or raw bytes) as a file in `dir` and returns its path.
@discardableResult
func writeFile(_ dir: String, _ name: String, _ text: String) throws -> String {
    let path = (dir as NSString).appendingPathComponent(name)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
}

@discardableResult
func writeFile(_ dir: String, _ name: String, bytes: [UInt8]) throws -> String {
    let path = (dir as NSString).appendingPathComponent(name)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
}

/// Counts rows with a read-only connection (never migrates, never writes).
func countRows(_ dbPath: String, _ sql: String) throws -> Int {
    var config = Configuration()
    config.readonly = true
    let queue = try DatabaseQueue(path: dbPath, configuration: config)
    return try queue.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
}

/// SQL that counts duplicated sample keys (must always be 0: the unique key forbids them).
let duplicateSamplesSQL = """
    SELECT COUNT(*) FROM (SELECT pool, seed_index, item_id, temperature, sample_index FROM samples
    GROUP BY 1, 2, 3, 4, 5 HAVING COUNT(*) > 1)
    """

/// The package root, from this file's path (Tests/TTSBenchTests/TestSupport.swift).
let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

// MARK: - External inputs

/// `TTSBENCH_REQUIRE_INPUTS=1` (set by `.ci/run`, which installs every external input and has
/// `../shared` beside the clone): a test whose input is missing is then run and fails, instead of
/// being reported as skipped.
let requireInputs = ProcessInfo.processInfo.environment["TTSBENCH_REQUIRE_INPUTS"] == "1"

/// The shared datasets: `$TTSBENCH_DATASETS`, else `../shared/datasets` beside the repository
/// (a user's clone has no `../shared`).
let datasetsDir: String = {
    if let env = ProcessInfo.processInfo.environment["TTSBENCH_DATASETS"], !env.isEmpty { return env }
    return (packageRoot as NSString).appendingPathComponent("../shared/datasets")
}()

func datasetPath(_ file: String) -> String { (datasetsDir as NSString).appendingPathComponent(file) }
func datasetPresent(_ file: String) -> Bool { FileManager.default.fileExists(atPath: datasetPath(file)) }

/// Enables a test that needs `file` of the shared datasets: skipped (with this reason) without it,
/// unless `requireInputs`; the test itself then `#require`s the file.
func needsDataset(_ file: String) -> ConditionTrait {
    .enabled(if: datasetPresent(file) || requireInputs,
             Comment(rawValue: "\(datasetPath(file)) not found: needs ../shared/datasets beside the repository or TTSBENCH_DATASETS"))
}

/// Fails the test (it runs only when present or required) when dataset `file` is missing.
@discardableResult
func requireDataset(_ file: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    let path = datasetPath(file)
    try #require(FileManager.default.fileExists(atPath: path),
                 "TTSBENCH_REQUIRE_INPUTS=1 but the dataset \(path) is missing", sourceLocation: sourceLocation)
    return path
}

/// A small valid suite used as the base of many tests. Line numbers matter: tests that edit it
/// say where their error is expected.
let baseSuite = """
    suite: small
    seed: 7
    task:
      name: arith
      generate: {kind: arithmetic, items: 40, digits: 2}
    models:
      weak: {kind: simulated, ability: -0.5}
      mid: {kind: simulated, ability: 0.5}
      strong: {kind: simulated, ability: 1.5}
    verifiers:
      math: {kind: math}
      rm: {kind: simulated, auc: 0.8}
    strategies:
      single: {kind: single, temperature: 0.0}
      maj4: {kind: majority, n: 4, temperature: 0.8}
      bon4: {kind: best_of_n, n: 4, temperature: 0.8, scorer: rm}
    systems:
      matrix: {model: [weak, mid, strong], strategy: [single, maj4, bon4], verifier: [math]}

    """

/// Polls `condition` every few milliseconds on a dedicated thread until it holds (true) or
/// `timeout` passes (false). The test's cooperative pool can be starved for seconds by other
/// CPU-bound tests on a 2-core machine; a thread of its own reacts in time.
func pollOnThread(timeout: Duration = .seconds(60), _ condition: @escaping @Sendable () -> Bool) async -> Bool {
    await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
        Thread {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if condition() { continuation.resume(returning: true); return }
                usleep(5_000)
            }
            continuation.resume(returning: false)
        }.start()
    }
}

/// A thread-safe tally for tests that watch concurrent tasks.
final class Counter: Sendable {
    private let state = Mutex<(value: Int, values: [Int])>((0, []))
    var value: Int { state.withLock { $0.value } }
    var values: [Int] { state.withLock { $0.values } }
    func add(_ n: Int) { state.withLock { $0.value += n } }
    func append(_ n: Int) { state.withLock { $0.values.append(n) } }
}

/// A test's fixture could not be set up (a server that did not start, a suite of the wrong shape).
struct TestSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// A python3 script serving HTTP on a free 127.0.0.1 port: the tests' own servers. The script
/// prints its port on the first line, then serves until its stdin closes (`stop()`, or the end
/// of the test process).
final class PythonScriptServer: @unchecked Sendable {
    let process = Process()
    let stdin = Pipe()
    let port: Int
    var url: String { "http://127.0.0.1:\(port)" }

    init(script: String, arguments: [String] = [], name: String) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = stdin
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { throw TestSetupError("the \(name) did not start") }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestSetupError("the \(name) printed no port: \(String(decoding: line, as: UTF8.self))")
        }
        self.port = port
    }

    func stop() {
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    deinit { if process.isRunning { process.terminate() } }
}

/// SplitMix64: a small deterministic generator for test inputs.
struct TestRNG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
