import TTSCore
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// One HTTP exchange as the OpenAI client sees it.
public struct HTTPExchange: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }
}

/// What can go wrong below HTTP: the request never produced a status line and body.
public enum TransportError: Error, CustomStringConvertible, Sendable {
    case timeout(seconds: Double)
    case connection(String)
    case tooLarge(Int)

    public var description: String {
        switch self {
        case .timeout(let s): "timed out after \(format(s)) s"
        case .connection(let m): "connection error: \(m)"
        case .tooLarge(let n): "response larger than \(n) bytes"
        }
    }

    private func format(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }

    /// How a refused connection, an unknown host and a refused certificate are worded (`FailureCause` reads them).
    static let refusedPrefix = "connection refused"
    static let unresolvedPrefix = "cannot resolve host"
    static let certificatePrefix = "certificate refused"

    /// A TLS handshake the client ended because it does not trust the server's certificate (no
    /// chain to a trusted CA, or not issued for the host), in plain words; nil for other errors.
    static func certificateFailure(_ error: any Error, target: String) -> TransportError? {
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return .connection("\(certificatePrefix): the certificate of \(target) is not issued for that host name (\(RequestFailure.plain(String(String(describing: extra).prefix(160)))))")
        }
        if case .handshakeFailed(let inner)? = error as? NIOSSLError {
            let text = String(describing: inner)
            if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate verify failed") {
                return .connection("\(certificatePrefix): the certificate of \(target) does not chain to a trusted certificate authority (CERTIFICATE_VERIFY_FAILED; name its CA in ca_file)")
            }
        }
        return nil
    }

    /// A failed connect in plain words: "connection refused by HOST:PORT", "cannot resolve host
    /// HOST", or the error's text, bounded (never a raw dump of nested error values).
    static func connectFailure(_ error: any Error, host: String, port: Int) -> TransportError {
        connectFailure(error, host: host, target: "\(host):\(port)")
    }

    static func connectFailure(_ error: any Error, host: String, target: String) -> TransportError {
        let text = String(describing: error)
        if text.contains("Connection refused") || text.contains("errno: 111") || text.contains("ECONNREFUSED") {
            return .connection("\(refusedPrefix) by \(target)")
        }
        if text.contains("SocketAddressError.unknown") || text.contains("dnsAError: Optional") || text.contains("Name or service not known")
            || text.contains("nodename nor servname") || text.contains("No address associated") {
            return .connection("\(unresolvedPrefix) \(host)")
        }
        return .connection("cannot connect to \(target): " + RequestFailure.plain(String(text.prefix(200))))
    }
}

/// The HTTP seam: the OpenAI client posts JSON through it (tests may substitute their own).
public protocol HTTPTransport: Sendable {
    func post(url: String, headers: [(String, String)], body: [UInt8], timeout: Double) async throws -> HTTPExchange
}

/// The process-wide AsyncHTTPClient: one client, HTTP/1.1 keep-alive, a connection pool per
/// host sized to the largest `max_concurrency` registered before the first request (the
/// per-model limiters bound what is actually in flight).
public final class SharedHTTPClient: HTTPTransport, @unchecked Sendable {
    public static let shared = SharedHTTPClient()

    private struct State {
        var connectionsPerHost = 8
        var client: HTTPClient?
    }
    private var state = State()
    private let lock = NSLock()
    public static let maxResponseBytes = 64 << 20

    /// Models announce their concurrency when their client is made; the pool is sized at first use.
    public func register(concurrency: Int) {
        lock.withLock { state.connectionsPerHost = max(state.connectionsPerHost, concurrency) }
    }

    var client: HTTPClient {
        lock.withLock {
            if let c = state.client { return c }
            var configuration = HTTPClient.Configuration()
            configuration.connectionPool = .init(idleTimeout: .seconds(60),
                                                 concurrentHTTP1ConnectionsPerHostSoftLimit: state.connectionsPerHost)
            configuration.timeout = .init(connect: .seconds(10))
            configuration.httpVersion = .http1Only
            configuration.decompression = .disabled
            configuration.redirectConfiguration = .disallow
            // A failed connect (a refused certificate included) fails the request at once: the
            // retry policy retries what can be retried, with the cause in its log.
            configuration.connectionPool.retryConnectionEstablishment = false
            let c = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            state.client = c
            return c
        }
    }

    /// `http://` goes through the lean `HTTP1Client`; `https://` (and everything, when the
    /// environment sets `TTSBENCH_HTTP_CLIENT=asynchttpclient`) through AsyncHTTPClient.
    public func post(url: String, headers: [(String, String)], body: [UInt8], timeout: Double) async throws -> HTTPExchange {
        if Self.leanForPlainHTTP && url.hasPrefix("http://") {
            return try await HTTP1Client.shared.post(url: url, headers: headers, body: body, timeout: timeout)
        }
        return try await postWithAsyncHTTPClient(url: url, headers: headers, body: body, timeout: timeout)
    }

    static let leanForPlainHTTP = ProcessInfo.processInfo.environment["TTSBENCH_HTTP_CLIENT"]?.lowercased() != "asynchttpclient"

    /// The exchange through AsyncHTTPClient, whatever the scheme.
    /// `tls`: the TLS configuration of this request (a model's `ca_file`), else the client's.
    public func postWithAsyncHTTPClient(url: String, headers: [(String, String)], body: [UInt8], timeout: Double,
                                        tls: TLSConfiguration? = nil) async throws -> HTTPExchange {
        var request = HTTPClientRequest(url: url)
        request.tlsConfiguration = tls
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        for (k, v) in headers { request.headers.replaceOrAdd(name: k, value: v) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let deadline = NIODeadline.now() + .nanoseconds(Int64(timeout * 1e9))
        do {
            // The deadline covers the whole exchange, body included.
            let response = try await client.execute(request, deadline: deadline)
            let buffer = try await response.body.collect(upTo: Self.maxResponseBytes)
            let bytes = buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes) ?? []
            return HTTPExchange(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: bytes)
        } catch let error as HTTPClientError {
            if error == .deadlineExceeded || error == .readTimeout || error == .writeTimeout { throw TransportError.timeout(seconds: timeout) }
            if error == .connectTimeout { throw TransportError.connection("connect timed out") }
            throw TransportError.connection(RequestFailure.plain(String("\(error)".prefix(200))))
        } catch let error as NIOTooManyBytesError {
            _ = error
            throw TransportError.tooLarge(Self.maxResponseBytes)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if NIODeadline.now() >= deadline { throw TransportError.timeout(seconds: timeout) }
            let authority = url.split(separator: "/").dropFirst().first.map(String.init) ?? url
            let host = authority.split(separator: ":").first.map(String.init) ?? authority
            if let refused = TransportError.certificateFailure(error, target: authority) { throw refused }
            throw TransportError.connectFailure(error, host: host, target: authority)
        }
    }
}
