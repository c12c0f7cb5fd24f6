import Foundation

/// The package root, from this file's path (Tests/TestSupport/Files.swift).
public let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// A fresh directory under the system temp dir, unique per call (tests run in parallel).
public func makeTempDir(_ label: String = "ttsbench") throws -> String {
    let base = (NSTemporaryDirectory() as NSString).appendingPathComponent("\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
    return base
}

/// Writes `text` as a file in `dir` and returns its path.
@discardableResult
public func writeFile(_ dir: String, _ name: String, _ text: String) throws -> String {
    try writeFile(dir, name, bytes: Array(text.utf8))
}

/// Writes raw bytes as a file in `dir` and returns its path.
@discardableResult
public func writeFile(_ dir: String, _ name: String, bytes: [UInt8]) throws -> String {
    let path = (dir as NSString).appendingPathComponent(name)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
}

/// Runs `exe` with `args` and returns its standard output.
public func runCapture(_ exe: String, _ args: [String]) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = args
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// A free TCP port on 127.0.0.1 (asked of the kernel through python3).
public func freePort() throws -> Int {
    let out = try runCapture("/usr/bin/env", ["python3", "-c",
        "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"])
    guard let port = Int(out.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw TestSetupError("no free port: \(out)") }
    return port
}

/// A test's fixture could not be set up (a server that did not start, a suite of the wrong shape).
public struct TestSetupError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}
