import TTSCore
import Foundation
import Testing
@testable import TTSModels

/// An HTTP server of the tests' own for the lean client: python3's standard library on a free
/// 127.0.0.1 port. Each path shapes the reply a different way, and `GET /connections` tells how
/// many TCP connections it has accepted. An idle keep-alive connection is closed after
/// `idleTimeout` seconds.
/// - `/echo`: HTTP/1.1 keep-alive, Content-Length, the request body and headers echoed in JSON;
/// - `/close`: replies with `Connection: close` and closes;
/// - `/chunked`: a chunked body; `/eof`: no length, the body ends when the server closes;
/// - `/slow`: answers after 20 s; `/big`: a 300,000-byte body; `/status/N`: status N with a body.
final class HTTPShapesServer: @unchecked Sendable {
    static let script = #"""
        import json, sys, threading, time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        lock = threading.Lock()
        state = {"connections": 0}

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = float(sys.argv[1])
            def log_message(self, *args):
                pass
            def setup(self):
                with lock:
                    state["connections"] += 1
                super().setup()
            def send(self, status, body, headers=()):
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)
            def do_GET(self):
                with lock:
                    n = state["connections"]
                body = json.dumps({"connections": n}).encode()
                self.send(200, body, [("Content-Length", str(len(body)))])
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                path = self.path
                if path == "/echo":
                    body = json.dumps({"body": raw.decode(), "host": self.headers.get("Host"),
                                       "type": self.headers.get("Content-Type"), "x": self.headers.get("X-Test")}).encode()
                    return self.send(200, body, [("Content-Length", str(len(body)))])
                if path == "/close":
                    self.close_connection = True
                    return self.send(200, b'{"closed": true}', [("Content-Length", "16"), ("Connection", "close")])
                if path == "/chunked":
                    self.send_response(200)
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for part in (b'{"parts": ', b'[1, 2, ', b'3]}'):
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                    self.wfile.write(b"0\r\n\r\n")
                    return
                if path == "/eof":
                    self.close_connection = True
                    self.send_response(200)
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(b'{"until": "eof"}')
                    return
                if path == "/slow":
                    time.sleep(20)
                    return self.send(200, b"{}", [("Content-Length", "2")])
                if path == "/big":
                    body = b"x" * 300000
                    return self.send(200, body, [("Content-Length", str(len(body)))])
                if path.startswith("/status/"):
                    body = b'{"error": "as asked"}'
                    return self.send(int(path[8:]), body, [("Content-Length", str(len(body))), ("Retry-After", "7")])
                self.send(404, b"", [("Content-Length", "0")])

        """# + PythonScriptServer.serveHandlerUntilStdinCloses

    let server: PythonScriptServer
    var url: String { server.url }
    var port: Int { server.port }

    init(idleTimeout: Double = 60) throws {
        server = try PythonScriptServer(script: Self.script, arguments: [String(idleTimeout)], name: "HTTP shapes server")
    }

    func connections(_ client: HTTP1Client) async throws -> Int {
        // A GET through python's urllib: the client under test only POSTs.
        let data = try pythonGet(url + "/connections")
        // The GET itself is one connection.
        return (JSONValue.parse(Array(data))?["connections"]?.intValue ?? -1) - 1
    }

    func stop() { server.stop() }
}

/// Timeouts are generous except where a timeout is the point: the tests run beside CPU-heavy
/// ones on two cores, and a request's deadline starts before its connection is made.
@Suite struct HTTP1ClientTests {
    func post(_ client: HTTP1Client, _ url: String, _ body: String = "{}", headers: [(String, String)] = [], timeout: Double = 120) async throws -> HTTPExchange {
        try await client.post(url: url, headers: headers, body: Array(body.utf8), timeout: timeout)
    }

    @Test func splitsURLsIntoOriginAndPath() {
        #expect(HTTP1Client.split("http://127.0.0.1:8000/v1/chat/completions")?.0 == .init(host: "127.0.0.1", port: 8000))
        #expect(HTTP1Client.split("http://127.0.0.1:8000/v1/chat/completions")?.1 == "/v1/chat/completions")
        #expect(HTTP1Client.split("http://example.org/x")?.0 == .init(host: "example.org", port: 80))
        #expect(HTTP1Client.split("http://example.org")?.1 == "/")
        #expect(HTTP1Client.split("http://[::1]:9000/a")?.0 == .init(host: "::1", port: 9000))
        #expect(HTTP1Client.split("https://example.org/x") == nil)
        #expect(HTTP1Client.split("http://user@host/x") == nil)
        #expect(HTTP1Client.split("http://host:99999/x") == nil)
        #expect(HTTP1Client.split("http://host:port/x") == nil)
    }

    @Test func keepsOneConnectionAliveAcrossSequentialRequests() async throws {
        let server = try HTTPShapesServer(idleTimeout: 600)
        defer { server.stop() }
        let client = HTTP1Client()
        for i in 0..<20 {
            let exchange = try await post(client, server.url + "/echo", #"{"i":\#(i)}"#, headers: [("X-Test", "yes")])
            #expect(exchange.status == 200)
            let reply = try #require(JSONValue.parse(exchange.body))
            #expect(reply["body"]?.stringValue == #"{"i":\#(i)}"#)
            #expect(reply["host"]?.stringValue == "127.0.0.1:\(server.port)")
            #expect(reply["type"]?.stringValue == "application/json")
            #expect(reply["x"]?.stringValue == "yes")
        }
        // Keep-alive: one connection serves the 20 requests (without reuse it is 20). Under heavy
        // load (two cores, the whole suite and a build) this test has taken 112 s; a pause between
        // two requests longer than the server's idle timeout lets the server close the connection,
        // and the client rightly replaces it: hence the long idle timeout above, and one
        // replacement allowed.
        let connections = try await server.connections(client)
        #expect((1...2).contains(connections), "\(connections) connections for 20 sequential requests")
    }

    @Test func opensAConnectionPerConcurrentRequestAndReusesThem() async throws {
        let server = try HTTPShapesServer()
        defer { server.stop() }
        let client = HTTP1Client()
        for _ in 0..<3 {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 { group.addTask { try await self.post(client, server.url + "/echo").status } }
                for try await status in group { #expect(status == 200) }
            }
        }
        // 8 at once, three rounds: no more than 8 connections (the rounds reuse them).
        let opened = try await server.connections(client)
        #expect(opened >= 1 && opened <= 8)
    }

    @Test func readsClosingChunkedAndEOFTerminatedReplies() async throws {
        let server = try HTTPShapesServer()
        defer { server.stop() }
        let client = HTTP1Client()
        for _ in 0..<3 {
            let closed = try await post(client, server.url + "/close")
            #expect(String(decoding: closed.body, as: UTF8.self) == #"{"closed": true}"#)
            let chunked = try await post(client, server.url + "/chunked")
            #expect(String(decoding: chunked.body, as: UTF8.self) == #"{"parts": [1, 2, 3]}"#)
            let eof = try await post(client, server.url + "/eof")
            #expect(String(decoding: eof.body, as: UTF8.self) == #"{"until": "eof"}"#)
        }
    }

    @Test func aConnectionTheServerClosedWhileIdleIsNotReused() async throws {
        let server = try HTTPShapesServer(idleTimeout: 0.5)
        defer { server.stop() }
        let client = HTTP1Client()
        #expect(try await post(client, server.url + "/echo").status == 200)
        try await Task.sleep(for: .milliseconds(2000))  // the server drops idle connections after 0.5 s
        #expect(try await post(client, server.url + "/echo").status == 200)
        #expect(try await server.connections(client) >= 2)
    }

    @Test func statusHeadersAndBodyOfAnErrorReplyArePassedOn() async throws {
        let server = try HTTPShapesServer()
        defer { server.stop() }
        let exchange = try await post(HTTP1Client(), server.url + "/status/429")
        #expect(exchange.status == 429)
        #expect(exchange.header("retry-after") == "7")
        #expect(String(decoding: exchange.body, as: UTF8.self) == #"{"error": "as asked"}"#)
    }

    @Test func aSlowReplyTimesOutAndALargeOneIsRefused() async throws {
        let server = try HTTPShapesServer()
        defer { server.stop() }
        let client = HTTP1Client(maxResponseBytes: 100_000)
        // The server answers after 20 s: a 0.5 s deadline can only end in a timeout.
        do {
            _ = try await post(client, server.url + "/slow", timeout: 0.5)
            Issue.record("no timeout")
        } catch let error as TransportError {
            #expect(error.description == "timed out after 0.5 s")
        }
        do {
            _ = try await post(client, server.url + "/big")
            Issue.record("a 300,000-byte reply passed a 100,000-byte limit")
        } catch let error as TransportError {
            #expect(error.description == "response larger than 100000 bytes")
        }
        // The client still works after both.
        #expect(try await post(client, server.url + "/echo").status == 200)
    }

    @Test func aRefusedConnectionIsAConnectionError() async throws {
        // A port nothing listens on: bind one, note it, close it.
        let server = try HTTPShapesServer()
        let url = server.url
        server.stop()
        do {
            _ = try await post(HTTP1Client(), url + "/echo", timeout: 5)
            Issue.record("a request to a closed port succeeded")
        } catch let error as TransportError {
            guard case .connection = error else { Issue.record("not a connection error: \(error)"); return }
        }
    }

    @Test func cancellingAWaitingRequestThrowsCancellation() async throws {
        let server = try HTTPShapesServer()
        defer { server.stop() }
        let client = HTTP1Client()
        let task = Task { try await self.post(client, server.url + "/slow", timeout: 30) }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}
