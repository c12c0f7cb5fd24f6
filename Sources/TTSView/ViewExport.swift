import Foundation
import TTSCore

/// `ttsbench view --export DIR`: the viewer's pages as a static, self-contained bundle (no
/// server, no script, relative links), so a published leaderboard can link to its samples.
///
/// DIR/index.html lists the suites; DIR/<suite>/index.html is the leaderboard, with a page per
/// chosen system (every item, no paging), per item (seed 0's samples) and per decided pair of
/// chosen systems; texts longer than a page carries are written whole under DIR/<suite>/texts/.
///
/// ```swift
/// let files = try ViewExport(model: model).write(to: "site", suites: ["demo"], systems: ["mid/maj8", "mid/single"])
/// ```
public struct ViewExport: Sendable {
    public let model: ViewModel

    public init(model: ViewModel) {
        self.model = model
    }

    /// Writes the bundle; `suites` nil: every suite; `systems` nil: every system. Returns how
    /// many files were written.
    @discardableResult
    public func write(to directory: String, suites: [String]? = nil, systems: [String]? = nil) throws -> Int {
        let pages = Pages(links: .export)
        var written = 0
        func put(_ path: String, _ text: String) throws {
            let url = URL(fileURLWithPath: (directory as NSString).appendingPathComponent(path))
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url, options: .atomic)
            written += 1
        }
        let all = try model.suites()
        let chosen = all.filter { suites?.contains($0.name) ?? true }
        if let suites, let missing = suites.first(where: { name in !all.contains { $0.name == name } }) {
            throw ViewError.notFound("the database holds no suite named '\(missing)'; suites: \(all.map(\.name).joined(separator: ", "))")
        }
        try put("view.css", Pages.css)
        try put("index.html", pages.home(chosen))
        for suite in chosen {
            let folder = HTML.slug(suite.name)
            var page = try model.suitePage(suite.name)
            let names = Set(page.rows.map(\.name))
            if let systems, let missing = systems.first(where: { !names.contains($0) }) {
                throw ViewError.notFound("suite '\(suite.name)' has no system named '\(missing)'")
            }
            let keep = Set(systems ?? Array(names))
            page.rows = page.rows.filter { keep.contains($0.name) }
            page.decisions = page.decisions.filter { keep.contains($0.a) && keep.contains($0.b) }
            try put("\(folder)/index.html", pages.suite(page))
            var items: [String] = []
            for row in page.rows {
                let system = try model.systemPage(suite: suite.name, system: row.name, pageSize: 1000)
                let pagesNeeded = max(1, (system.matching + 999) / 1000)
                var all = system
                for n in stride(from: 2, through: pagesNeeded, by: 1) {
                    all.items += try model.systemPage(suite: suite.name, system: row.name, page: n, pageSize: 1000).items
                }
                all.pageSize = max(all.items.count, 1)
                try put("\(folder)/\(pages.links.system(suite: suite.name, system: row.name))", pages.system(all))
                if items.isEmpty { items = all.items.map(\.id) }
            }
            for item in items {
                let page = try model.itemPage(suite: suite.name, item: item, seed: 0, only: keep)
                try put("\(folder)/\(pages.links.item(suite: suite.name, item: item))", pages.item(page))
                for system in page.systems {
                    for s in system.samples + system.calls where (s.text?.omitted ?? 0) > 0 || (s.thinking?.omitted ?? 0) > 0 {
                        try put("\(folder)/\(pages.links.text(suite: suite.name, id: s.id, auxiliary: s.auxiliary))",
                                try model.fullText(id: s.id, auxiliary: s.auxiliary))
                    }
                }
            }
            for d in page.decisions {
                try put("\(folder)/\(pages.links.compare(suite: suite.name, a: d.a, b: d.b))", pages.compare(try model.comparePage(suite: suite.name, a: d.a, b: d.b)))
            }
        }
        return written
    }
}
