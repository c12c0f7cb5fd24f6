/// Where each page lives: absolute paths under the server, or file names in an exported bundle
/// (pages sit in one folder per suite, so every link is relative and the bundle opens from disk).
///
/// ```swift
/// let links = ViewLinks.server
/// links.item(suite: "demo", item: "arith-17")   // "/suite/demo/item/arith-17"
/// ```
struct ViewLinks: Sendable {
    enum Mode: Sendable { case server, export }
    var mode: Mode

    static let server = ViewLinks(mode: .server)
    static let export = ViewLinks(mode: .export)

    func home(from suiteFolder: Bool) -> String {
        mode == .server ? "/" : (suiteFolder ? "../index.html" : "index.html")
    }
    /// From the home page (outside any suite folder).
    func suiteFromHome(_ suite: String) -> String {
        mode == .server ? "/suite/\(HTML.segment(suite))" : "\(HTML.slug(suite))/index.html"
    }
    func suite(_ suite: String) -> String {
        mode == .server ? "/suite/\(HTML.segment(suite))" : "index.html"
    }
    func system(suite: String, system: String, query: String = "") -> String {
        mode == .server ? "/suite/\(HTML.segment(suite))/system/\(HTML.segment(system))\(query)" : "system-\(HTML.slug(system)).html"
    }
    func item(suite: String, item: String, seed: Int? = nil) -> String {
        switch mode {
        case .server: return "/suite/\(HTML.segment(suite))/item/\(HTML.segment(item))" + (seed.map { "?seed=\($0)" } ?? "")
        case .export: return "item-\(HTML.slug(item))" + (seed.map { $0 == 0 ? "" : "-seed\($0)" } ?? "") + ".html"
        }
    }
    func compare(suite: String, a: String, b: String) -> String {
        mode == .server ? "/suite/\(HTML.segment(suite))/compare/\(HTML.segment(a))/\(HTML.segment(b))"
            : "compare-\(HTML.slug(a))--\(HTML.slug(b)).html"
    }
    /// The full text of a sample or auxiliary call.
    func text(suite: String, id: Int64, auxiliary: Bool) -> String {
        mode == .server ? "/text/\(auxiliary ? "call" : "sample")/\(id)" : "texts/\(auxiliary ? "call" : "sample")-\(id).txt"
    }
    func stylesheet(inSuiteFolder: Bool) -> String {
        mode == .server ? "/assets/view.css" : (inSuiteFolder ? "../view.css" : "view.css")
    }
}
