import Foundation
import Hummingbird
import TTSStore

/// `ttsbench view`: the pages and their JSON API on a Hummingbird server. It only answers GET
/// requests on the routes below (nothing is read from the file system: the one asset, the
/// stylesheet, is compiled in), reads the database through the read-only `StoreReader`, and
/// sends every page with a policy that forbids any script, so a completion's markup can never run.
///
/// Routes (each page has a JSON twin under `/api`):
/// `/` suites · `/suite/S` leaderboard · `/suite/S/system/Y?filter=&sort=&q=&page=` items ·
/// `/suite/S/item/I?seed=N` an item · `/suite/S/compare/A/B` two systems · `/text/sample/ID`,
/// `/text/call/ID` a whole text (text/plain).
///
/// ```swift
/// let server = ViewServer(model: ViewModel(reader: reader, sources: lookup))
/// try await server.run(host: "127.0.0.1", port: 8787) { port in print("listening on \(port)") }
/// ```
public struct ViewServer: Sendable {
    public let model: ViewModel
    /// No script, no plugin, nothing fetched from elsewhere; styles from this server only.
    public static let contentSecurityPolicy = pagePolicy + "; frame-ancestors 'none'"
    /// The part a page's `<meta>` can carry too (exported pages have no header).
    static let pagePolicy = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'"

    public init(model: ViewModel) {
        self.model = model
    }

    static func response(_ body: String, status: HTTPResponse.Status = .ok, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    static func json<T: Encodable>(_ value: T) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return response(String(decoding: try encoder.encode(value), as: UTF8.self), type: "application/json; charset=utf-8")
    }

    /// A path parameter, percent-decoded (names may hold "/" and any other character).
    static func parameter(_ context: BasicRequestContext, _ name: String) throws -> String {
        let raw = try context.parameters.require(name)
        guard let decoded = raw.removingPercentEncoding else { throw ViewError.badRequest("malformed \(name) in the address") }
        return decoded
    }

    /// Answers with the page, or an error page (404 for what the database lacks, 400 for a
    /// malformed request, 500 naming the problem otherwise).
    static func page(_ json: Bool, _ body: () throws -> Response) -> Response {
        do {
            return try body()
        } catch {
            let status: HTTPResponse.Status
            switch (error as? ViewError)?.kind {
            case .notFound: status = .notFound
            case .badRequest: status = .badRequest
            case nil: status = .internalServerError
            }
            let message = "\(error)"
            if json {
                let text = (try? JSONEncoder().encode(["error": message])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
                return response(text, status: status, type: "application/json; charset=utf-8")
            }
            return response(Pages(links: .server).error(message, status: Int(status.code)), status: status, type: "text/html; charset=utf-8")
        }
    }

    static func html(_ s: String) -> Response { response(s, type: "text/html; charset=utf-8") }

    /// The router with every route; used by `run` and by tests that need no socket.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        let model = model
        let pages = Pages(links: .server)
        router.get("/assets/view.css") { _, _ in Self.response(Pages.css, type: "text/css; charset=utf-8") }
        for json in [false, true] {
            let prefix = json ? "/api" : ""
            router.get(json ? "/api/suites" : "/") { _, _ in
                Self.page(json) { json ? try Self.json(try model.suites()) : Self.html(pages.home(try model.suites())) }
            }
            router.get("\(prefix)/suite/:suite") { _, context in
                Self.page(json) {
                    let page = try model.suitePage(try Self.parameter(context, "suite"))
                    return json ? try Self.json(page) : Self.html(pages.suite(page))
                }
            }
            router.get("\(prefix)/suite/:suite/system/:system") { request, context in
                Self.page(json) {
                    let q = request.uri.queryParameters
                    guard let filter = ItemFilter(rawValue: String(q["filter"] ?? "all")) else {
                        throw ViewError.badRequest("filter must be one of \(ItemFilter.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    guard let sort = ItemSort(rawValue: String(q["sort"] ?? "item")) else {
                        throw ViewError.badRequest("sort must be one of \(ItemSort.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    let pageNumber = try q["page"].map { s in
                        guard let n = Int(s), n >= 1 else { throw ViewError.badRequest("page must be a number from 1") }
                        return n
                    } ?? 1
                    let size = try q["size"].map { s in
                        guard let n = Int(s), (1...1000).contains(n) else { throw ViewError.badRequest("size must be a number from 1 to 1000") }
                        return n
                    } ?? 50
                    let query = String(q["q"] ?? "").replacingOccurrences(of: "+", with: " ")
                    let page = try model.systemPage(suite: try Self.parameter(context, "suite"), system: try Self.parameter(context, "system"),
                                                    filter: filter, sort: sort, query: query, page: pageNumber, pageSize: size)
                    return json ? try Self.json(page) : Self.html(pages.system(page))
                }
            }
            router.get("\(prefix)/suite/:suite/item/:item") { request, context in
                Self.page(json) {
                    let seedText = request.uri.queryParameters["seed"].map(String.init)
                    guard let seed = Int(seedText ?? "0") else { throw ViewError.badRequest("seed must be a number") }
                    let page = try model.itemPage(suite: try Self.parameter(context, "suite"), item: try Self.parameter(context, "item"), seed: seed)
                    return json ? try Self.json(page) : Self.html(pages.item(page))
                }
            }
            router.get("\(prefix)/suite/:suite/compare/:a/:b") { _, context in
                Self.page(json) {
                    let page = try model.comparePage(suite: try Self.parameter(context, "suite"), a: try Self.parameter(context, "a"),
                                                     b: try Self.parameter(context, "b"))
                    return json ? try Self.json(page) : Self.html(pages.compare(page))
                }
            }
        }
        for (kind, auxiliary) in [("sample", false), ("call", true)] {
            router.get("/text/\(kind)/:id") { _, context in
                Self.page(false) {
                    guard let id = Int64(try context.parameters.require("id")) else { throw ViewError.badRequest("the id must be a number") }
                    return Self.response(try model.fullText(id: id, auxiliary: auxiliary), type: "text/plain; charset=utf-8")
                }
            }
        }
        return router
    }

    /// Serves until cancelled; `onListening` receives the port bound (useful with port 0).
    /// Meanwhile every suite's leaderboard is built once in the background, so that the first
    /// visit of a suite page does not wait for it (seconds on a database of a million samples).
    public func run(host: String = "127.0.0.1", port: Int = 8787, onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let model = model
        let warming = Task.detached(priority: .utility) {
            for suite in (try? model.reader.suiteNames()) ?? [] where !Task.isCancelled { _ = try? model.board(suite) }
        }
        defer { warming.cancel() }
        let app = Application(router: router(), configuration: .init(address: .hostname(host, port: port), serverName: nil),
                              onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) })
        try await app.run()
    }
}
