import Foundation

/// `TTSBENCH_REQUIRE_INPUTS=1` (set by `.ci/run`, which installs every external input and has
/// `../shared` beside the clone): a test whose input is missing is then run and fails, instead of
/// being reported as skipped.
public let requireInputs = ProcessInfo.processInfo.environment["TTSBENCH_REQUIRE_INPUTS"] == "1"

/// The shared datasets: `$TTSBENCH_DATASETS`, else `../shared/datasets` beside the repository
/// (a user's clone has no `../shared`).
public let datasetsDir: String = {
    if let env = ProcessInfo.processInfo.environment["TTSBENCH_DATASETS"], !env.isEmpty { return env }
    return (packageRoot as NSString).appendingPathComponent("../shared/datasets")
}()

public func datasetPath(_ file: String) -> String { (datasetsDir as NSString).appendingPathComponent(file) }
public func datasetPresent(_ file: String) -> Bool { FileManager.default.fileExists(atPath: datasetPath(file)) }

/// python3 with the standard-library modules the tests' servers use (tools/fault-server).
public let python3Available: Bool = commandSucceeds(["python3", "-c", "import http.server, json, hashlib"])

/// Whether the command (looked up on the PATH) can be run and exits 0; its output is dropped.
public func commandSucceeds(_ command: [String]) -> Bool {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = command
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil else { return false }
    p.waitUntilExit()
    return p.terminationStatus == 0
}
