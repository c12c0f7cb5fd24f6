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

/// Runs `exe` with `args` to its end and returns its exit status and standard output. Its standard
/// error goes to the test's own, or nowhere with `discardErrors`.
///
/// ```swift
/// let (status, output) = try runProcess("/usr/bin/env", ["python3", "tool.py"], discardErrors: true)
/// ```
public func runProcess(_ exe: String, _ args: [String], discardErrors: Bool = false) throws -> (status: Int32, output: Data) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = args
    let pipe = Pipe()
    p.standardOutput = pipe
    if discardErrors { p.standardError = FileHandle.nullDevice }
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, data)
}

/// Runs `exe` with `args` and returns its standard output.
public func runCapture(_ exe: String, _ args: [String]) throws -> String {
    String(decoding: try runProcess(exe, args).output, as: UTF8.self)
}

/// The body of a GET of `url`, fetched by python3's urllib (Foundation on Linux reads no http URL
/// without FoundationNetworking, and the clients under test only POST).
public func pythonGet(_ url: String) throws -> Data {
    try runProcess("/usr/bin/env", ["python3", "-c",
        "import sys, urllib.request; sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1], timeout=10).read())", url]).output
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
