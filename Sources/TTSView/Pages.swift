import TTSStore
import TTSCore
import Foundation

/// The HTML of each page, server-rendered from the page data: no script at all, every recorded
/// text escaped (`HTML.escape`) and clipped, so a completion is only ever text.
///
/// ```swift
/// let html = Pages(links: .server).system(try model.systemPage(suite: "demo", system: "mid/maj8"))
/// ```
struct Pages: Sendable {
    var links: ViewLinks
    /// Pages of an export have no filters or paging (one page lists every item).
    var isExport: Bool { links.mode == .export }

    func e(_ s: String) -> String { HTML.escape(s) }
    func e(_ s: String?) -> String { s.map(HTML.escape) ?? "—" }

    func layout(title: String, inSuite: Bool, crumbs: [(String, String?)], body: String) -> String {
        let nav = crumbs.map { label, href in href.map { "<a href=\"\(e($0))\">\(e(label))</a>" } ?? "<span>\(e(label))</span>" }
            .joined(separator: " › ")
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="\(ViewServer.pagePolicy)">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(e(title)) · ttsbench view</title>
            <link rel="stylesheet" href="\(e(links.stylesheet(inSuiteFolder: inSuite)))">
            </head>
            <body>
            <nav id="crumbs"><a href="\(e(links.home(from: inSuite)))">ttsbench</a> › \(nav)</nav>
            <main>
            \(body)
            </main>
            </body>
            </html>

            """
    }

    func num(_ x: Double?, _ digits: Int) -> String { x.map { HTML.fixed($0, digits) } ?? "—" }

    // MARK: suites

    func home(_ suites: [SuiteSummary]) -> String {
        var body = "<h1>Suites</h1>\n<table id=\"suites\"><thead><tr><th>Suite</th><th>Systems</th><th>Metric</th><th>Dataset</th><th>Items</th><th>Recorded</th></tr></thead><tbody>\n"
        for s in suites {
            body += "<tr><td><a href=\"\(e(links.suiteFromHome(s.name)))\">\(e(s.name))</a></td><td class=\"num\">\(s.systems)</td><td>\(e(s.metric))</td>"
            body += "<td>\(e(s.dataset))</td><td class=\"num\">\(s.items)</td><td>\(e(s.updatedAt))</td></tr>\n"
        }
        body += "</tbody></table>\n"
        if suites.isEmpty { body += "<p class=\"note\">The database holds no suite.</p>\n" }
        return layout(title: "Suites", inSuite: false, crumbs: [("suites", nil)], body: body)
    }

    // MARK: a suite

    func suite(_ page: SuitePage) -> String {
        var body = "<h1>Leaderboard: <code>\(e(page.suite))</code></h1>\n<p class=\"meta\">Metric <b>\(e(page.metric))</b>, mean over seeds with a 95% interval; the numbers of the published leaderboard. "
        body += "Each system links to its items; pick two systems’ names in the decisions to compare them item by item.</p>\n"
        if let note = page.note { body += "<p class=\"note\">\(e(note))</p>\n" }
        body += "<table id=\"leaderboard\"><thead><tr><th>Rank</th><th>System</th><th>Model</th><th>Strategy</th><th>Verifier</th><th>\(e(page.metric))</th><th>95% CI</th><th>Seeds</th><th>Tokens/item</th><th>No answer</th><th>Failures</th></tr></thead><tbody>\n"
        for r in page.rows {
            body += "<tr data-system=\"\(e(r.name))\"><td class=\"num\">\(e(r.rank))</td><td><a class=\"system\" href=\"\(e(links.system(suite: page.suite, system: r.name)))\">\(e(r.name))</a>"
            body += (r.variantOf.map { " <span class=\"tag\">twin of \(e($0))</span>" } ?? "") + "</td>"
            body += "<td>\(e(r.model))</td><td>\(e(r.strategy))</td><td>\(e(r.verifier))</td><td class=\"num mean\">\(HTML.fixed(r.mean, 4))</td>"
            body += "<td class=\"num\">[\(HTML.fixed(r.ciLow, 4)), \(HTML.fixed(r.ciHigh, 4))]</td><td class=\"num\">\(r.seeds)</td>"
            body += "<td class=\"num\">\(HTML.fixed(r.tokensPerItem, 1))</td><td class=\"num\">\(r.noAnswerRate.map { HTML.fixed($0 * 100, 1) + "%" } ?? "—")</td><td class=\"num\">\(r.failures)</td></tr>\n"
        }
        body += "</tbody></table>\n"
        if !page.decisions.isEmpty {
            body += "<h2>Decisions (AdaStop)</h2>\n<table id=\"decisions\"><thead><tr><th>A</th><th>B</th><th>Decision</th><th>Interim</th><th>Mean A</th><th>Mean B</th><th></th></tr></thead><tbody>\n"
            for d in page.decisions {
                body += "<tr><td>\(e(d.a))</td><td>\(e(d.b))</td><td>\(e(Self.decisionWords(d)))</td><td class=\"num\">\(d.interim)</td>"
                body += "<td class=\"num\">\(HTML.fixed(d.meanA, 4))</td><td class=\"num\">\(HTML.fixed(d.meanB, 4))</td>"
                body += "<td><a class=\"compare\" href=\"\(e(links.compare(suite: page.suite, a: d.a, b: d.b)))\">compare items</a></td></tr>\n"
            }
            body += "</tbody></table>\n"
        }
        return layout(title: page.suite, inSuite: true, crumbs: [(page.suite, nil)], body: body)
    }

    static func decisionWords(_ d: DecisionData) -> String {
        switch d.decision {
        case "larger": "\(d.a) better"
        case "smaller": "\(d.b) better"
        case "equal": "no difference"
        default: d.decision
        }
    }

    // MARK: a system

    func marks(_ correct: [Bool?]) -> String {
        correct.map { c in c.map { $0 ? "<span class=\"ok\" title=\"correct\">✓</span>" : "<span class=\"bad\" title=\"wrong\">✗</span>" }
            ?? "<span class=\"none\" title=\"not recorded\">·</span>" }.joined()
    }

    func systemQuery(_ page: SystemPage, filter: ItemFilter? = nil, sort: ItemSort? = nil, pageNumber: Int? = nil) -> String {
        var parts: [String] = []
        let f = filter ?? page.filter, s = sort ?? page.sort
        if f != .all { parts.append("filter=\(f.rawValue)") }
        if s != .item { parts.append("sort=\(s.rawValue)") }
        if !page.query.isEmpty { parts.append("q=\(HTML.segment(page.query))") }
        let p = pageNumber ?? (filter == nil && sort == nil ? page.page : 1)
        if p != 1 { parts.append("page=\(p)") }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }

    func system(_ page: SystemPage) -> String {
        var body = "<h1>System <code>\(e(page.system))</code></h1>\n"
        if let r = page.row {
            body += "<p class=\"meta\" id=\"summary\">\(e(r.model)) · \(e(r.strategy)) · verifier \(e(r.verifier)) · mean <b>\(HTML.fixed(r.mean, 4))</b> "
            body += "[\(HTML.fixed(r.ciLow, 4)), \(HTML.fixed(r.ciHigh, 4))] over \(r.seeds) seeds · rank \(e(r.rank))</p>\n"
        }
        if let note = page.note { body += "<p class=\"note\">\(e(note))</p>\n" }
        if !isExport {
            body += "<form method=\"get\" class=\"filters\"><input type=\"search\" name=\"q\" value=\"\(e(page.query))\" placeholder=\"item id or text\">"
            if page.filter != .all { body += "<input type=\"hidden\" name=\"filter\" value=\"\(e(page.filter.rawValue))\">" }
            if page.sort != .item { body += "<input type=\"hidden\" name=\"sort\" value=\"\(e(page.sort.rawValue))\">" }
            body += "<button>Search</button></form>\n<p class=\"filters\">Show: "
            body += ItemFilter.allCases.map { f in
                f == page.filter ? "<b>\(f.rawValue)</b>" : "<a href=\"\(e(links.system(suite: page.suite, system: page.system, query: systemQuery(page, filter: f))))\">\(f.rawValue)</a>"
            }.joined(separator: " · ")
            body += " — sort: " + ItemSort.allCases.map { s in
                s == page.sort ? "<b>\(s.rawValue)</b>" : "<a href=\"\(e(links.system(suite: page.suite, system: page.system, query: systemQuery(page, sort: s))))\">\(s.rawValue)</a>"
            }.joined(separator: " · ") + "</p>\n"
        }
        body += "<p class=\"meta\" id=\"count\">\(page.matching) of \(page.total) items"
        let pages = max(1, (page.matching + page.pageSize - 1) / page.pageSize)
        if pages > 1 { body += ", page \(page.page) of \(pages)" }
        body += ". Seeds: \(page.seeds). ✓ correct, ✗ wrong, · not recorded.</p>\n"
        body += "<table id=\"items\"><thead><tr><th>#</th><th>Item</th><th>Per seed</th><th>Accuracy</th><th>Answers given</th><th>Pool’s answers</th><th>No answer</th><th>Failures</th></tr></thead><tbody>\n"
        for row in page.items {
            let given = Dictionary(grouping: row.answers.map { $0 ?? "∅" }, by: { $0 }).map { ($0.key, $0.value.count) }
                .sorted { ($1.1, $0.0) < ($0.1, $1.0) }.prefix(4).map { "\(clipInline($0.0)) ×\($0.1)" }.joined(separator: ", ")
            let pool = row.poolAnswers.map { counts in
                counts.prefix(4).map { "\(clipInline($0.answer ?? "∅")) ×\($0.count)" }.joined(separator: ", ") + (counts.count > 4 ? ", …" : "")
            } ?? "—"
            var flags = ""
            if row.truncated == true { flags += " <span class=\"tag\">truncated</span>" }
            body += "<tr data-item=\"\(e(row.id))\"><td class=\"num\">\(row.index)</td><td><a class=\"item\" href=\"\(e(links.item(suite: page.suite, item: row.id)))\">\(e(row.id))</a>\(flags)</td>"
            body += "<td class=\"marks\">\(marks(row.correct))</td><td class=\"num acc\">\(HTML.fixed(row.accuracy, 2))</td><td class=\"answers\">\(given)</td>"
            body += "<td class=\"answers\">\(pool)</td><td class=\"num\">\(row.noAnswer)</td><td class=\"num\">\(row.failures)</td></tr>\n"
        }
        body += "</tbody></table>\n"
        if pages > 1 && !isExport {
            body += "<p class=\"pager\">"
            if page.page > 1 { body += "<a rel=\"prev\" href=\"\(e(links.system(suite: page.suite, system: page.system, query: systemQuery(page, pageNumber: page.page - 1))))\">‹ previous</a> " }
            if page.page < pages { body += "<a rel=\"next\" href=\"\(e(links.system(suite: page.suite, system: page.system, query: systemQuery(page, pageNumber: page.page + 1))))\">next ›</a>" }
            body += "</p>\n"
        }
        return layout(title: page.system, inSuite: true, crumbs: [(page.suite, links.suite(page.suite)), (page.system, nil)], body: body)
    }

    /// A short, escaped rendering of an answer inside a table cell.
    func clipInline(_ s: String) -> String {
        let (shown, omitted) = HTML.clip(s, limit: 40)
        return "<code>\(e(shown))\(omitted > 0 ? "…" : "")</code>"
    }

    // MARK: an item

    func text(_ clipped: ClippedText, suite: String, id: Int64, auxiliary: Bool, cls: String) -> String {
        var out = "<pre class=\"\(cls)\">\(e(clipped.text))</pre>"
        if clipped.omitted > 0 {
            out += "<p class=\"clipped\">… \(clipped.omitted) more characters: <a class=\"full\" href=\"\(e(links.text(suite: suite, id: id, auxiliary: auxiliary)))\">the whole text</a></p>"
        }
        return out
    }

    func sample(_ s: SampleData, suite: String) -> String {
        let title = s.auxiliary ? "call \(s.callID ?? "")" : "sample \(s.sampleIndex ?? 0)"
        var facts = ["T \(shortNumber(s.temperature))"]
        facts.append("answer " + (s.answer.map { clipInline($0) } ?? "<b>none</b>"))
        if let rule = s.extractRule { facts.append("read by \(e(rule))") }
        if let v = s.verdict { facts.append(v ? "<span class=\"ok\">correct</span>" : "<span class=\"bad\">wrong</span>") }
        if let r = s.reward { facts.append("reward \(HTML.fixed(r, 3))") }
        if let c = s.answerClass { facts.append("class \(c)") }
        if let f = s.finishReason { facts.append("finish \(e(f))" + (f == "length" ? " <span class=\"tag\">truncated</span>" : "")) }
        if let p = s.promptTokens, let c = s.completionTokens { facts.append("\(p)+\(c) tokens") }
        if let t = s.thinkingTokens, t > 0 { facts.append("\(t) thinking") }
        if let l = s.latencyMs { facts.append("\(HTML.fixed(l, 0)) ms") }
        if let a = s.attempts, a > 1 { facts.append("\(a) attempts") }
        if s.cached { facts.append("cached") }
        var out = "<div class=\"sample\" data-sample=\"\(s.id)\"><h4>\(e(title))</h4><p class=\"facts\">\(facts.joined(separator: " · "))</p>"
        if let error = s.error { out += "<p class=\"bad\">error: \(e(error))</p>" }
        if let log = s.retryLog, !log.isEmpty { out += "<details><summary>retries</summary><pre class=\"log\">\(e(HTML.clip(log, limit: 4000).shown))</pre></details>" }
        if let thinking = s.thinking {
            out += "<details class=\"thinking\"><summary>thinking (\(thinking.text.count + thinking.omitted) characters)</summary>"
                + text(thinking, suite: suite, id: s.id, auxiliary: s.auxiliary, cls: "thinking") + "</details>"
        }
        if let t = s.text { out += text(t, suite: suite, id: s.id, auxiliary: s.auxiliary, cls: "completion") }
        return out + "</div>\n"
    }

    func item(_ page: ItemPage) -> String {
        var body = "<h1>Item <code>\(e(page.item))</code></h1>\n"
        if let note = page.note { body += "<p class=\"note\">\(e(note))</p>\n" }
        if let prompt = page.prompt {
            body += "<h2>Prompt</h2><pre class=\"prompt\">\(e(prompt.text))</pre>" + (prompt.omitted > 0 ? "<p class=\"clipped\">… \(prompt.omitted) more characters</p>" : "") + "\n"
        }
        if let reference = page.reference { body += "<p id=\"reference\">Reference answer: <code>\(e(reference))</code></p>\n" }
        if page.seeds > 1 && !isExport {
            body += "<p class=\"seeds\">Samples of seed: " + (0..<page.seeds).map { s in
                s == page.seed ? "<b>\(s)</b>" : "<a href=\"\(e(links.item(suite: page.suite, item: page.item, seed: s)))\">\(s)</a>"
            }.joined(separator: " ") + "</p>\n"
        }
        body += "<h2>Outcomes</h2>\n<table id=\"outcomes\"><thead><tr><th>System</th><th>Per seed</th><th>Answer at seed \(page.seed)</th><th>Detail</th><th>Tokens</th><th>Calls</th><th>Latency</th><th>No answer</th></tr></thead><tbody>\n"
        for s in page.systems {
            let at = s.outcomes.first { $0.seedIndex == page.seed }
            let correct = (0..<max(s.outcomes.map(\.seedIndex).max().map { $0 + 1 } ?? 0, 0)).map { i in s.outcomes.first { $0.seedIndex == i }?.correct }
            body += "<tr data-system=\"\(e(s.system))\"><td><a href=\"\(e(links.system(suite: page.suite, system: s.system)))\">\(e(s.system))</a></td>"
            body += "<td class=\"marks\">\(marks(correct))</td><td>\(at.map { ($0.answer.map(clipInline) ?? "<b>none</b>") + ($0.correct ? " <span class=\"ok\">correct</span>" : " <span class=\"bad\">wrong</span>") } ?? "—")</td>"
            body += "<td class=\"detail\">\(e(at.map { HTML.clip($0.detail, limit: 300).shown }))</td><td class=\"num\">\(at.map { "\($0.promptTokens + $0.completionTokens)" } ?? "—")</td>"
            body += "<td class=\"num\">\(at.map { "\($0.calls)" } ?? "—")</td><td class=\"num\">\(at.map { HTML.fixed($0.latencyMs, 0) + " ms" } ?? "—")</td>"
            body += "<td class=\"num\">\(at.flatMap { o in o.noAnswer.map { "\($0)/\(o.completions ?? 0)" } } ?? "—")</td></tr>\n"
        }
        body += "</tbody></table>\n<h2>Samples at seed \(page.seed)</h2>\n"
        for s in page.systems {
            body += "<details class=\"system\" data-system=\"\(e(s.system))\"><summary><b>\(e(s.system))</b> — \(s.samples.count) samples"
            body += (s.calls.isEmpty ? "" : ", \(s.calls.count) auxiliary calls") + (s.strategyOutcome.map { " — \(e($0))" } ?? "") + "</summary>\n"
            for sample in s.samples { body += self.sample(sample, suite: page.suite) }
            for call in s.calls { body += self.sample(call, suite: page.suite) }
            body += "</details>\n"
        }
        return layout(title: page.item, inSuite: true, crumbs: [(page.suite, links.suite(page.suite)), (page.item, nil)], body: body)
    }

    // MARK: a comparison

    func compare(_ page: ComparePage) -> String {
        var body = "<h1>Compare <code>\(e(page.a))</code> and <code>\(e(page.b))</code></h1>\n"
        body += "<p class=\"meta\" id=\"paired\">Paired difference A − B over \(page.items) items and \(page.seeds) seeds: <b>\(num(page.difference, 4))</b>"
        if let lo = page.ciLow, let hi = page.ciHigh { body += " [\(HTML.fixed(lo, 4)), \(HTML.fixed(hi, 4))]" }
        if let p = page.itemPValue { body += "; paired item test p = \(HTML.fixed(p, 4))" }
        body += ".</p>\n<p class=\"meta\" id=\"decision\">AdaStop: " + (page.decision.map { "\(e(Self.decisionWords($0))) (interim \($0.interim))" } ?? "not compared by the suite’s test") + ".</p>\n"
        body += "<p class=\"meta\">\(page.disagreements.count) items where the two differ, the largest differences first.</p>\n"
        body += "<table id=\"disagreements\"><thead><tr><th>Item</th><th>Accuracy A</th><th>Accuracy B</th><th>Answers A</th><th>Answers B</th></tr></thead><tbody>\n"
        func answers(_ a: [String?]) -> String {
            a.prefix(8).map { $0.map(clipInline) ?? "∅" }.joined(separator: " ") + (a.count > 8 ? " …" : "")
        }
        for r in page.disagreements {
            body += "<tr data-item=\"\(e(r.id))\"><td><a class=\"item\" href=\"\(e(links.item(suite: page.suite, item: r.id)))\">\(e(r.id))</a></td>"
            body += "<td class=\"num\">\(HTML.fixed(r.accuracyA, 2))</td><td class=\"num\">\(HTML.fixed(r.accuracyB, 2))</td>"
            body += "<td class=\"answers\">\(answers(r.answersA))</td><td class=\"answers\">\(answers(r.answersB))</td></tr>\n"
        }
        body += "</tbody></table>\n"
        return layout(title: "\(page.a) vs \(page.b)", inSuite: true,
                      crumbs: [(page.suite, links.suite(page.suite)), ("\(page.a) vs \(page.b)", nil)], body: body)
    }

    func error(_ message: String, status: Int) -> String {
        layout(title: "error", inSuite: false, crumbs: [("error \(status)", nil)], body: "<h1>Error \(status)</h1><p class=\"note\">\(e(message))</p>")
    }

    static let css = """
        body{margin:0;background:#f6f7f9;color:#1b1f24;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
        nav{padding:10px 28px;background:#fff;border-bottom:1px solid #d0d7de}main{max-width:1400px;margin:0 auto;padding:16px 28px 40px}
        h1{font-size:22px;margin:6px 0}h2{font-size:16px;margin:22px 0 6px}h4{margin:0 0 2px;font-size:13px}
        a{color:#0a58ca}code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.92em}
        table{border-collapse:collapse;width:100%;font-size:13px;background:#fff;border:1px solid #d0d7de;margin:10px 0}
        th,td{padding:4px 7px;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top}th{background:#f0f3f6}
        td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td.marks{font-family:ui-monospace,monospace;letter-spacing:1px;white-space:nowrap}
        td.answers,td.detail{max-width:360px;overflow-wrap:anywhere}
        .ok{color:#116329}.bad{color:#a40e26}.none{color:#8c959f}.meta{color:#404850}.note{background:#fff8c5;border:1px solid #eedc82;padding:6px 10px;border-radius:6px}
        .tag{font-size:10.5px;background:#ddf4ff;border:1px solid #a8d8f0;border-radius:4px;padding:0 4px}
        pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fa;border:1px solid #eaeef2;padding:6px;margin:4px 0;max-height:24em;overflow:auto;font-size:12.5px}
        pre.thinking{color:#57606a}.sample{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:6px 10px;margin:6px 0}
        .facts{margin:0;color:#404850;font-size:12.5px}.clipped{margin:0;font-size:12.5px}
        details.system{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:4px 10px;margin:6px 0}
        .filters{margin:6px 0}.pager{font-size:15px}
        """
}
