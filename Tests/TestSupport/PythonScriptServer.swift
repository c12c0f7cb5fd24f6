import Foundation

/// Reads a process's first stdout line as the port it serves on (the convention of every test
/// server: tools/fault-server and the inline scripts).
public func readPort(_ pipe: Pipe, name: String) throws -> Int {
    var line = Data()
    while !line.contains(UInt8(ascii: "\n")) {
        let chunk = pipe.fileHandleForReading.availableData
        if chunk.isEmpty { throw TestSetupError("the \(name) did not start") }
        line.append(chunk)
    }
    let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    guard let port = Int(text) else { throw TestSetupError("the \(name) printed no port: \(text)") }
    return port
}

/// A python3 script serving HTTP on a free 127.0.0.1 port: the tests' own servers. The script
/// prints its port on the first line, then serves until its stdin closes (`stop()`, or the end
/// of the test process).
public final class PythonScriptServer: @unchecked Sendable {
    public let process = Process()
    let stdin = Pipe()
    public let port: Int
    public var url: String { "http://127.0.0.1:\(port)" }

    public init(script: String, arguments: [String] = [], name: String) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = stdin
        try process.run()
        port = try readPort(out, name: name)
    }

    public func stop() {
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    deinit { if process.isRunning { process.terminate() } }
}

extension PythonScriptServer {
    /// The end of the tests' server scripts: serves the script's `Handler` on a free 127.0.0.1
    /// port, prints the port, and serves until the test closes stdin (or exits). Append it to a
    /// script that imports `sys`, `threading` and `ThreadingHTTPServer` and defines `Handler`.
    public static let serveHandlerUntilStdinCloses = """
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        sys.stdin.read()

        """
}

extension PythonScriptServer {
    /// The start of the tests' JSON server scripts: imports `json`, `sys`, `threading` and
    /// `ThreadingHTTPServer`, and defines `JSONHandler`, an HTTP/1.1 handler that logs nothing and
    /// has `reply(status, payload)`: the payload as JSON (or as is, when it is bytes) with its
    /// `Content-Type` and `Content-Length`. Usage:
    /// `PythonScriptServer.jsonHandlerPrelude + "class Handler(JSONHandler): …" + serveHandlerUntilStdinCloses`.
    public static let jsonHandlerPrelude = """
        import json, sys, threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class JSONHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args):
                pass
            def reply(self, status, payload):
                body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        """
}
