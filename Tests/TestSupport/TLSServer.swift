import Foundation

/// Certificates made at test time with the `openssl` command, in a fresh directory:
/// - `ca.pem`: a test certificate authority; `server.pem`/`server.key`: signed by it for
///   127.0.0.1 and localhost;
/// - `wrong-host.pem`/`.key`: signed by the same CA, for another host name only;
/// - `rogue-ca.pem` and `rogue.pem`/`.key`: another CA, and a certificate for 127.0.0.1 signed by it.
public struct TestCertificates: Sendable {
    public let dir: String
    public var ca: String { dir + "/ca.pem" }

    /// Whether `openssl` can be run (the TLS tests are skipped without it).
    public static let opensslAvailable: Bool = commandSucceeds(["openssl", "version"])

    public init() throws {
        dir = try makeTempDir("tls-certs")
        let script = """
            set -e
            key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
            ca() {  # NAME SUBJECT
              key "$1.key"
              openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 2 -subj "/CN=$2" \\
                -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
            }
            leaf() {  # NAME CA SAN
              key "$1.key"
              openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=ttsbench test server"
              printf 'subjectAltName=%s\\nbasicConstraints=CA:FALSE\\nkeyUsage=digitalSignature\\nextendedKeyUsage=serverAuth\\n' "$3" > "$1.ext"
              openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -out "$1.pem" -days 2 -extfile "$1.ext" 2>/dev/null
            }
            ca ca "ttsbench test CA"
            ca rogue-ca "ttsbench rogue CA"
            leaf server ca "IP:127.0.0.1,DNS:localhost"
            leaf wrong-host ca "DNS:elsewhere.invalid"
            leaf rogue rogue-ca "IP:127.0.0.1,DNS:localhost"
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", script]
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let message = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw TestSetupError("openssl could not make the test certificates: \(String(decoding: message, as: UTF8.self))")
        }
    }
}

/// A real TLS server on 127.0.0.1 (python3's `ssl`, OpenSSL underneath) answering OpenAI chat
/// completions: "The answer is 2." with 7 prompt and 5 completion tokens, after answering the
/// first `failFirst` requests 503. `GET /stats` gives `{"requests": N}`.
public final class TLSChatServer: @unchecked Sendable {
    let server: PythonScriptServer
    public var port: Int { server.port }
    public var baseURL: String { "https://127.0.0.1:\(server.port)/v1" }

    /// `certificate`: the stem of a pair in `certificates.dir` ("server", "wrong-host", "rogue").
    public init(_ certificates: TestCertificates, certificate: String = "server", failFirst: Int = 0) throws {
        let dir = certificates.dir
        server = try PythonScriptServer(script: Self.script, arguments: ["\(dir)/\(certificate).pem", "\(dir)/\(certificate).key", String(failFirst)],
                                        name: "TLS chat server")
    }

    public func stop() { server.stop() }

    static let script = PythonScriptServer.jsonHandlerPrelude + """
        import json, ssl, sys, threading
        cert, key, fail_first = sys.argv[1], sys.argv[2], int(sys.argv[3])
        lock = threading.Lock()
        count = [0]

        class Handler(JSONHandler):
            def do_GET(self):
                with lock:
                    n = count[0]
                self.reply(200, {"requests": n})
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                with lock:
                    count[0] += 1
                    n = count[0]
                if n <= fail_first:
                    self.reply(503, {"error": {"message": "busy, try again"}})
                    return
                self.reply(200, {"id": "c%d" % n, "object": "chat.completion", "model": body.get("model", "m"),
                                 "choices": [{"index": 0, "message": {"role": "assistant", "content": "The answer is \\\\boxed{2}."},
                                              "finish_reason": "stop"}],
                                 "usage": {"prompt_tokens": 7, "completion_tokens": 5, "total_tokens": 12}})

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            def get_request(self):
                sock, addr = self.socket.accept()
                # The handshake in the request's thread: a client that refuses the certificate
                # ends only its own connection.
                return context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr
            def finish_request(self, request, client_address):
                try:
                    request.do_handshake()
                except (ssl.SSLError, OSError):
                    return
                super().finish_request(request, client_address)

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server = Server(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        sys.stdin.read()
        """
}
