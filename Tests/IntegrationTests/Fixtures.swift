@testable import TTSBench
@testable import TTSSuite
@testable import TTSCore
@_exported import TestSupport
import AsyncHTTPClient
import Foundation
import GRDB
import NIOCore

/// The llama-cpp-python venv that `.ci/install-llama.sh` makes.
let llamaPython = (ProcessInfo.processInfo.environment["LLAMA_VENV"] ?? "/opt/ttsbench-llama-venv") + "/bin/python"
let llamaAvailable = FileManager.default.isExecutableFile(atPath: llamaPython)
let skipMessage = "llama-cpp-python is not installed at \(llamaPython): run `bash .ci/install-llama.sh` (or set LLAMA_VENV)"


/// Kills started servers when the test process exits (and the supervisor kills the server if
/// the test process dies first).
nonisolated(unsafe) var startedPIDs: [Int32] = []
let registerExitHook: Void = {
    atexit {
        for pid in startedPIDs { kill(pid, SIGTERM) }
    }
}()

func httpGet(_ url: String) async throws -> (Int, [UInt8]) {
    var request = HTTPClientRequest(url: url)
    request.method = .GET
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
    let body = try await response.body.collect(upTo: 1 << 20)
    return (Int(response.status.code), body.getBytes(at: 0, length: body.readableBytes) ?? [])
}

func httpPost(_ url: String) async throws {
    var request = HTTPClientRequest(url: url)
    request.method = .POST
    request.body = .bytes(ByteBuffer(string: "{}"))
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
    _ = try await response.body.collect(upTo: 1 << 20)
}

func waitReady(_ url: String, seconds: Double) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if let (status, _) = try? await httpGet(url), status == 200 { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    throw TestSetupError("\(url) not ready after \(seconds) s")
}

/// One llama.cpp server (tools/tiny-model/tiny-add.gguf) for the whole test process, on a
/// free 127.0.0.1 port, under a supervisor that stops it when the test process goes away.
actor LlamaServer {
    static let shared = LlamaServer()
    /// A second replica (the routing tests need two).
    static let second = LlamaServer()
    /// The tiny model trained to think before it answers (tools/tiny-model/train_think.py).
    static let thinking = LlamaServer(model: "tiny-think.gguf", alias: "tiny-think")
    private var base: String?
    let modelFile: String
    let alias: String

    init(model: String = "tiny-add.gguf", alias: String = "tiny-add") {
        modelFile = model
        self.alias = alias
    }

    /// `http://127.0.0.1:PORT` (without /v1).
    func url() async throws -> String {
        if let base { return base }
        _ = registerExitHook
        let port = try freePort()
        let model = packageRoot + "/tools/tiny-model/" + modelFile
        let log = NSTemporaryDirectory() + "ttsbench-llama-\(port).log"
        // The supervisor polls its parent: when the test process exits, the server is stopped.
        let supervisor = """
            import os, subprocess, sys, time
            parent = os.getppid()
            log = open(sys.argv[4], 'w')
            p = subprocess.Popen([sys.argv[1], '-m', 'llama_cpp.server', '--model', sys.argv[2], '--model_alias', sys.argv[5],
                                  '--host', '127.0.0.1', '--port', sys.argv[3], '--n_ctx', '512'], stdout=log, stderr=log)
            try:
                while os.getppid() == parent and p.poll() is None:
                    time.sleep(0.5)
            finally:
                p.terminate()
                try: p.wait(5)
                except Exception: p.kill()
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: llamaPython)
        process.arguments = ["-c", supervisor, llamaPython, model, String(port), log, alias]
        try process.run()
        startedPIDs.append(process.processIdentifier)
        let url = "http://127.0.0.1:\(port)"
        try await waitReady(url + "/v1/models", seconds: 60)
        base = url
        return url
    }
}

/// The counting, fault-injecting proxy of tools/fault-server, in front of `upstream`.
final class Proxy: @unchecked Sendable {
    let process: Process
    let url: String

    /// `log`: a file the proxy appends each request's prompt to (one JSON line per request).
    /// `delay`: seconds every request waits before it is forwarded.
    init(upstream: String, faults: String = "", every: Int = 4, hang: Double = 3, delay: Double = 0, log: String? = nil) async throws {
        _ = registerExitHook
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", packageRoot + "/tools/fault-server/fault_proxy.py", "--upstream", upstream,
                             "--faults", faults, "--every", String(every), "--hang", String(hang), "--delay", String(delay)]
            + (log.map { ["--log", $0] } ?? [])
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        startedPIDs.append(process.processIdentifier)
        let port = try readPort(pipe, name: "proxy")
        url = "http://127.0.0.1:\(port)"
        try await waitReady(url + "/stats", seconds: 10)
    }

    struct Stats: Decodable {
        var requests: Int
        var max_inflight: Int
        var faults: [String: Int]
        var forwarded: Int
    }

    func stats() async throws -> Stats {
        let (_, body) = try await httpGet(url + "/stats")
        return try JSONDecoder().decode(Stats.self, from: Data(body))
    }

    func stop() {
        process.terminate()
        let deadline = Date().addingTimeInterval(3)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { if process.isRunning { process.terminate() } }
}

/// A suite on the held-out addition problems (the tiny model's prompt format).
func additionSuite(name: String, models: String, strategies: String, systems: String, limit: Int) -> String {
    """
    suite: \(name)
    seed: 11
    task:
      name: add
      file: \(packageRoot)/suites/data/tiny-add-heldout.jsonl
      prompt: "Q: {question}=? A:"
      extract: last_number
      limit: \(limit)
    models:
    \(models)
    verifiers:
      exact: {kind: exact}
    strategies:
    \(strategies)
    systems:
    \(systems)
    compare: {group_size: 1, max_interims: 1}
    """
}

func runSuite(_ yaml: String, dir: String, db: String, seeds: Int = 1) async throws -> RunReport {
    let path = (dir as NSString).appendingPathComponent("suite-\(UUID().uuidString.prefix(8)).yaml")
    try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
    var options = Session.Options()
    options.databasePath = db
    options.outputDirectory = dir + "/out"
    options.showProgress = false
    return try await Session.open(suitePath: path, options: options).run(seeds: seeds)
}
