import TTSCore
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A lean HTTP/1.1 keep-alive client on SwiftNIO for `http://` endpoints: a pool of idle
/// connections per origin and one exchange at a time on each connection, nothing else.
///
/// Why not AsyncHTTPClient for these: on an endpoint that answers at once, its request
/// machinery (transactions, its connection pool's state machine, async body streams) costs
/// about 2.5x the CPU per request of this client (bench/endpoint: `--mode http` against
/// `--mode transport`), and a run's client time went mostly there. It stays the client for
/// `https://` (TLS, hosted APIs), where the network, not the client, sets the pace.
///
/// ```swift
/// let exchange = try await HTTP1Client.shared.post(url: "http://127.0.0.1:8000/v1/chat/completions",
///                                                  headers: [], body: bytes, timeout: 60)
/// ```
///
/// There is no limit on connections: the per-model limiters bound what is in flight, and an
/// idle connection is reused before a new one is opened. From taking a connection to writing
/// the request, everything runs on the connection's event loop (no hop through Swift's
/// executors), so a server's idle timeout cannot close it in between. A connection found
/// closed before anything was written is replaced (up to three times); one that fails
/// mid-exchange fails that exchange (`TransportError`), which the caller's retry policy handles.
public final class HTTP1Client: HTTPTransport, Sendable {
    public static let shared = HTTP1Client()

    struct Origin: Hashable, Sendable {
        var host: String
        var port: Int
    }

    private let group: any EventLoopGroup
    private let idle = Mutex<[Origin: [Connection]]>([:])
    let maxResponseBytes: Int

    init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, maxResponseBytes: Int = SharedHTTPClient.maxResponseBytes) {
        self.group = group
        self.maxResponseBytes = maxResponseBytes
    }

    /// Splits `http://host[:port]/path` into its origin and path (nil for any other form).
    static func split(_ url: String) -> (Origin, String)? {
        guard url.hasPrefix("http://") else { return nil }
        let rest = url.utf8.dropFirst(7)
        let slash = rest.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
        let authority = Substring(rest[rest.startIndex..<slash])
        let path = slash == rest.endIndex ? "/" : String(Substring(rest[slash...]))
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        var host = authority
        var port = 80
        if authority.hasPrefix("[") {  // [IPv6]:port
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let p = Int(after.dropFirst()) else { return nil }
                port = p
            }
        } else if let colon = authority.lastIndex(of: ":") {
            guard let p = Int(authority[authority.index(after: colon)...]) else { return nil }
            host = authority[..<colon]
            port = p
        }
        guard (1...65535).contains(port), !host.isEmpty else { return nil }
        return (Origin(host: String(host), port: port), path)
    }

    public func post(url: String, headers: [(String, String)], body: [UInt8], timeout: Double) async throws -> HTTPExchange {
        guard let (origin, path) = Self.split(url) else { throw TransportError.connection("not an http:// URL: \(url)") }
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path)
        head.headers.reserveCapacity(5 + headers.count)
        head.headers.add(name: "Host", value: origin.port == 80 ? origin.host : "\(origin.host):\(origin.port)")
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Accept", value: "application/json")
        for (k, v) in headers { head.headers.replaceOrAdd(name: k, value: v) }
        head.headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
        let request = Exchange(origin: origin, head: head, body: body, deadline: NIODeadline.now() + .nanoseconds(Int64(timeout * 1e9)),
                               timeout: timeout, maxBytes: maxResponseBytes)
        let reused = takeIdle(origin)
        let attempt = Attempt(loop: reused?.channel.eventLoop ?? group.next())
        let promise = attempt.loop.makePromise(of: Reply.self)
        attempt.loop.execute { self.run(request, attempt, reused, promise, closedBeforeSending: 0) }
        let reply: Reply
        do {
            reply = try await withTaskCancellationHandler {
                try await promise.futureResult.get()
            } onCancel: {
                attempt.cancel()
            }
        } catch {
            if Task.isCancelled { throw CancellationError() }
            if let error = error as? TransportError { throw error }
            throw TransportError.connection(RequestFailure.plain(String("\(error)".prefix(200))))
        }
        let channel = reply.connection.channel
        if reply.keepAlive && channel.isActive {
            idle.withLock { pool in
                pool[origin, default: []].append(reply.connection)
                // Connections the server closed while idle are dropped when taken; sweep them
                // now and then so that a pool that shrank does not keep them.
                if pool[origin]!.count % 64 == 0 { pool[origin]!.removeAll { !$0.channel.isActive } }
            }
        } else {
            channel.close(promise: nil)
        }
        return reply.exchange
    }

    /// An idle connection to `origin` that is still open, if any.
    private func takeIdle(_ origin: Origin) -> Connection? {
        idle.withLock { pool in
            while let connection = pool[origin]?.popLast() {
                if connection.channel.isActive { return connection }
            }
            return nil
        }
    }

    /// On `attempt.loop`: sends the request on `connection`, or on a new connection when there
    /// is none or it has closed (nothing was written to it).
    private func run(_ request: Exchange, _ attempt: Attempt, _ connection: Connection?, _ promise: EventLoopPromise<Reply>,
                     closedBeforeSending: Int) {
        attempt.loop.assertInEventLoop()
        if attempt.cancelled {
            promise.fail(CancellationError())
            return
        }
        var closed = closedBeforeSending
        if let connection {
            if connection.start(request, attempt: attempt, promise: promise) { return }
            closed += 1
        }
        guard closed < 3 else {
            promise.fail(TransportError.connection("the server closed \(closed) connections before a request was sent"))
            return
        }
        let remaining = Double((request.deadline - .now()).nanoseconds) / 1e9
        guard remaining > 0 else {
            promise.fail(TransportError.timeout(seconds: request.timeout))
            return
        }
        let origin = request.origin, closedSoFar = closed
        ClientBootstrap(group: attempt.loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.nanoseconds(Int64(min(10, remaining) * 1e9)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ExchangeHandler())
                }
            }
            .connect(host: origin.host, port: origin.port)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    self.run(request, attempt, Connection(channel: channel), promise, closedBeforeSending: closedSoFar)
                case .failure(let error):
                    if case ChannelError.connectTimeout = error {
                        promise.fail(TransportError.connection("connect to \(origin.host):\(origin.port) timed out"))
                    } else {
                        promise.fail(TransportError.connectFailure(error, host: origin.host, port: origin.port))
                    }
                }
            }
    }

    /// One request's state on its event loop: cancelling it closes the connection it is on.
    final class Attempt: @unchecked Sendable {
        let loop: any EventLoop
        /// Touched only on `loop`.
        var cancelled = false
        var channel: (any Channel)?

        init(loop: any EventLoop) { self.loop = loop }

        func cancel() {
            loop.execute {
                self.cancelled = true
                self.channel?.close(promise: nil)
            }
        }
    }

    /// A reply, the connection it came on, and whether that connection may serve another request.
    struct Reply: Sendable {
        var exchange: HTTPExchange
        var keepAlive: Bool
        var connection: Connection
    }

    /// What one exchange sends, and its limits.
    struct Exchange: Sendable {
        var origin: Origin
        var head: HTTPRequestHead
        var body: [UInt8]
        var deadline: NIODeadline
        var timeout: Double
        var maxBytes: Int
    }

    /// One keep-alive connection; its handler is touched only on the channel's event loop.
    final class Connection: @unchecked Sendable {
        let channel: any Channel
        private var handler: ExchangeHandler?

        init(channel: any Channel) { self.channel = channel }

        /// On the event loop: writes the request and arranges for `promise` to get the reply;
        /// false (nothing written) when the connection has closed.
        func start(_ exchange: Exchange, attempt: Attempt, promise: EventLoopPromise<Reply>) -> Bool {
            if handler == nil { handler = try? channel.pipeline.syncOperations.handler(type: ExchangeHandler.self) }
            guard let handler, channel.isActive else { return false }
            attempt.channel = channel
            handler.begin(connection: self, promise: promise, maxBytes: exchange.maxBytes)
            let timeout = exchange.timeout
            let channel = self.channel
            let bound = NIOLoopBound(handler, eventLoop: channel.eventLoop)
            handler.timeoutTask = channel.eventLoop.scheduleTask(deadline: exchange.deadline) {
                if bound.value.fail(TransportError.timeout(seconds: timeout)) { channel.close(promise: nil) }
            }
            var buffer = channel.allocator.buffer(capacity: exchange.body.count)
            buffer.writeBytes(exchange.body)
            channel.write(HTTPClientRequestPart.head(exchange.head), promise: nil)
            channel.write(HTTPClientRequestPart.body(.byteBuffer(buffer)), promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            return true
        }
    }

    /// Collects one reply at a time into the pending promise.
    final class ExchangeHandler: ChannelInboundHandler {
        typealias InboundIn = HTTPClientResponsePart

        private var promise: EventLoopPromise<Reply>?
        private var connection: Connection?
        private var head: HTTPResponseHead?
        private var body: ByteBuffer?
        private var maxBytes = Int.max
        var timeoutTask: Scheduled<Void>?

        func begin(connection: Connection, promise: EventLoopPromise<Reply>, maxBytes: Int) {
            self.connection = connection
            self.promise = promise
            self.maxBytes = maxBytes
            head = nil
            body = nil
        }

        /// Fails the pending exchange; false when none was pending.
        @discardableResult
        func fail(_ error: any Error) -> Bool {
            guard let promise else { return false }
            self.promise = nil
            connection = nil
            timeoutTask?.cancel()
            timeoutTask = nil
            promise.fail(error)
            return true
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h):
                head = h
                let length = h.headers.first(name: "Content-Length").flatMap { Int($0) } ?? 0
                body = context.channel.allocator.buffer(capacity: min(max(length, 0), maxBytes))
            case .body(var part):
                guard promise != nil else { return }
                if (body?.readableBytes ?? 0) + part.readableBytes > maxBytes {
                    fail(TransportError.tooLarge(maxBytes))
                    context.close(promise: nil)
                    return
                }
                if body == nil { body = part } else { body!.writeBuffer(&part) }
            case .end:
                guard let promise, let head, let connection else {
                    context.close(promise: nil)  // a reply nobody asked for
                    return
                }
                self.promise = nil
                self.connection = nil
                timeoutTask?.cancel()
                timeoutTask = nil
                let bytes = body.map { Array($0.readableBytesView) } ?? []
                body = nil
                self.head = nil
                let exchange = HTTPExchange(status: Int(head.status.code), headers: head.headers.map { ($0.name, $0.value) }, body: bytes)
                promise.succeed(Reply(exchange: exchange, keepAlive: head.isKeepAlive, connection: connection))
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            fail(TransportError.connection("the server closed the connection before replying"))
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            fail(TransportError.connection(RequestFailure.plain(String("\(error)".prefix(200)))))
            context.close(promise: nil)
        }
    }
}
