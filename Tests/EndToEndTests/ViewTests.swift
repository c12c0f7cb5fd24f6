import TTSBench
import TTSReport
import TTSStore
import TTSCore
import TestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import Testing

/// `ttsbench view` started as a binary on a real socket, driven through headless Chromium
/// (suite → system → item → compare), with the DOM checked against the database; and hostile
/// completions shown as text only. Skipped without Chromium unless TTSBENCH_REQUIRE_CHROMIUM=1 or
/// TTSBENCH_REQUIRE_INPUTS=1 (as `HTMLCheckTests`).
@Suite(.serialized) struct ViewTests {
    static let suite = suiteYAML(
        name: "viewcheck", seed: 5, task: ["generate: {kind: arithmetic, items: 24, digits: 2}"],
        models: ["weak: {kind: simulated, ability: -1.0}", "strong: {kind: simulated, ability: 2.0}"],
        strategies: ["single: {kind: single}", "maj4: {kind: majority, n: 4, temperature: 0.8}"],
        systems: ["matrix: {model: [weak, strong], strategy: [single, maj4], verifier: [math]}"],
        tail: ["compare: {group_size: 3, max_interims: 2, permutations: 1000}"])

    /// A recorded suite in a fresh folder: (folder, database path).
    static func recorded() async throws -> (dir: String, db: String) {
        let dir = (NSTemporaryDirectory() as NSString).appendingPathComponent("view-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data(suite.utf8).write(to: URL(fileURLWithPath: dir + "/viewcheck.yaml"))
        _ = try await Session.open(suitePath: dir + "/viewcheck.yaml", options: .quiet(in: dir)).publish()
        return (dir, dir + "/db.sqlite")
    }

    /// Starts `ttsbench view` on a free port and returns it with its base URL.
    static func serve(db: String, in dir: String) async throws -> (Binary.Running, String) {
        let running = try Binary.Running(["view", "--db", db, "--port", "0"], in: dir)
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let out = (try? String(contentsOfFile: running.outPath, encoding: .utf8)) ?? ""
            if let range = out.range(of: "http://127.0.0.1:[0-9]+", options: .regularExpression) {
                return (running, String(out[range]))
            }
            if !running.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        running.signal(SIGKILL)
        let result = try await running.wait()
        throw StoreError(message: "ttsbench view did not start: \(result.stderr)")
    }

    static func dom(_ url: String, in dir: String) throws -> String {
        let out = try HTMLCheckTests.chrome(["--dump-dom", "--virtual-time-budget=2000", url], profile: dir + "/profile-\(UUID().uuidString)")
        #expect(out.status == 0, "chromium exited with \(out.status): \(out.stderr.suffix(1500))")
        #expect(HTMLCheckTests.consoleLines(out.stderr).isEmpty, "console messages on \(url): \(HTMLCheckTests.consoleLines(out.stderr))")
        return out.stdout
    }

    static func fetch(_ url: String, method: String = "GET") async throws -> (status: Int, body: Data, type: String) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        return (http.statusCode, data, http.value(forHTTPHeaderField: "Content-Type") ?? "")
    }

    /// Every match of `pattern`'s first group in `text`.
    static func captures(_ pattern: String, in text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { m in
            Range(m.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    /// The part of `html` from the element with `id` to the end of its table.
    static func table(_ id: String, in html: String) -> String {
        guard let start = html.range(of: "id=\"\(id)\"") else { return "" }
        let rest = html[start.lowerBound...]
        return String(rest[..<(rest.range(of: "</table>")?.upperBound ?? rest.endIndex)])
    }

    static func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }

    static func digest(_ path: String) -> String {
        SHA256.hex(bytes: FileManager.default.contents(atPath: path) ?? Data())
    }

    @Test(.enabled(if: HTMLCheckTests.chromium != nil || HTMLCheckTests.required, "no headless Chromium installed (apt-get install chromium)"))
    func chromiumWalksSuiteSystemItemAndCompareAndTheDOMMatchesTheDatabase() async throws {
        _ = try #require(HTMLCheckTests.chromium, "TTSBENCH_REQUIRE_CHROMIUM=1 or TTSBENCH_REQUIRE_INPUTS=1 but no Chromium is installed")
        let (dir, db) = try await Self.recorded()
        let before = Self.digest(db)
        let reader = try StoreReader(path: db)
        let board = try LeaderboardBuilder.build(reader: reader, suite: "viewcheck")
        let systems = try reader.systems(suite: "viewcheck")
        let (server, base) = try await Self.serve(db: db, in: dir)
        defer { server.signal(SIGKILL) }

        // Suites → the suite.
        let home = try Self.dom(base + "/", in: dir)
        let suiteLink = try #require(Self.captures("href=\"(/suite/[^\"]+)\"", in: home).first)
        #expect(suiteLink == "/suite/viewcheck")

        // The leaderboard: one row per system, the published means.
        let suitePage = try Self.dom(base + suiteLink, in: dir)
        let boardTable = Self.table("leaderboard", in: suitePage)
        #expect(Self.captures("data-system=\"([^\"]+)\"", in: boardTable).map(Self.unescape) == board.rows.map(\.name))
        #expect(Self.captures("class=\"num mean\">([0-9.]+)<", in: boardTable) == board.rows.map { String(format: "%.4f", $0.mean) })

        // The top system's items: one row per item, its marks are the recorded outcomes.
        let top = board.rows[0]
        let fingerprint = try #require(systems.first { $0.name == top.name }?.fingerprint)
        let systemLink = try #require(Self.captures("href=\"(/suite/viewcheck/system/[^\"]+)\"", in: boardTable).first)
        let systemPage = try Self.dom(base + Self.unescape(systemLink), in: dir)
        let itemsTable = Self.table("items", in: systemPage)
        let itemIDs = Self.captures("<tr data-item=\"([^\"]+)\"", in: itemsTable)
        #expect(itemIDs.count == 24)
        let outcomes = try reader.itemOutcomes(systemFingerprint: fingerprint, seeds: top.seeds)
        let rows = itemsTable.components(separatedBy: "<tr data-item=").dropFirst()
        for (id, row) in zip(itemIDs, rows) {
            let marks = Self.captures("class=\"(ok|bad)\" title", in: row)
            let recorded = outcomes.map { $0[id].map { $0 > 0.5 ? "ok" : "bad" } ?? "none" }.filter { $0 != "none" }
            #expect(marks == recorded, "per-seed marks of \(id)")
        }

        // An item: an outcome row per system, the answers recorded at seed 0, and the samples of the majority system.
        let itemLink = try #require(Self.captures("href=\"(/suite/viewcheck/item/[^\"]+)\"", in: itemsTable).first)
        let itemPage = try Self.dom(base + Self.unescape(itemLink), in: dir)
        let item = Self.unescape(String(itemLink.split(separator: "/").last!)).removingPercentEncoding!
        let outcomeTable = Self.table("outcomes", in: itemPage)
        #expect(Self.captures("<tr data-system=\"([^\"]+)\"", in: outcomeTable).map(Self.unescape) == systems.map(\.name))
        for system in systems {
            let seed0 = try reader.itemOutcomes(systemFingerprint: system.fingerprint, seeds: 1)[0][item]
            let row = outcomeTable.components(separatedBy: "<tr data-system=\"\(system.name)\"").dropFirst().first ?? ""
            #expect(row.contains(seed0 == 1 ? "class=\"ok\">correct" : "class=\"bad\">wrong"), "seed-0 verdict of \(system.name) on \(item)")
        }
        let majority = try #require(systems.first { $0.strategy == "maj4" })
        let section = itemPage.components(separatedBy: "<details class=\"system\" data-system=\"\(majority.name)\"").dropFirst().first ?? ""
        let samples = section.components(separatedBy: "</details>\n<details class=\"system\"")[0]
        #expect(samples.components(separatedBy: "data-sample=").count - 1 == 4, "maj4 shows its 4 samples at seed 0")
        if let reference = try? #require(Self.captures("Reference answer: <code>([^<]*)</code>", in: itemPage).first) {
            #expect(!reference.isEmpty)
        }

        // Compare: the items where the two differ are the items whose per-seed verdicts differ.
        let (a, b) = (board.rows[0], board.rows[board.rows.count - 1])
        let compareURL = base + "/suite/viewcheck/compare/\(a.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)/\(b.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
        let comparePage = try Self.dom(compareURL, in: dir)
        let seeds = min(a.seeds, b.seeds)
        let ta = try reader.itemOutcomes(systemFingerprint: a.fingerprint, seeds: seeds)
        let tb = try reader.itemOutcomes(systemFingerprint: b.fingerprint, seeds: seeds)
        let differing = Set(ta[0].keys).filter { id in (0..<seeds).map { ta[$0][id] } != (0..<seeds).map { tb[$0][id] } }
        #expect(Set(Self.captures("<tr data-item=\"([^\"]+)\"", in: Self.table("disagreements", in: comparePage))) == differing)
        if let decided = board.decisions.first(where: { Set([$0.a, $0.b]) == Set([a.name, b.name]) }) {
            #expect(comparePage.contains("(interim \(decided.interim))"), "the recorded AdaStop decision")
        }

        // The JSON API says the same; other methods, other paths and traversal get nothing.
        let api = try await Self.fetch(base + "/api/suite/viewcheck")
        let json = try JSONSerialization.jsonObject(with: api.body) as? [String: Any]
        #expect((json?["rows"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == board.rows.map(\.name))
        #expect(try await Self.fetch(base + "/", method: "POST").status != 200)
        for path in ["/assets/../../../../etc/passwd", "/assets/%2e%2e/%2e%2e/etc/passwd", "/etc/passwd", "/assets/", "/suite/nope"] {
            let r = try await Self.fetch(base + path)
            #expect(r.status == 404, "\(path) answered \(r.status)")
            #expect(!String(decoding: r.body, as: UTF8.self).contains("root:"))
        }
        #expect(Self.digest(db) == before, "the database is unchanged")
    }

    @Test(.enabled(if: HTMLCheckTests.chromium != nil || HTMLCheckTests.required, "no headless Chromium installed (apt-get install chromium)"))
    func hostileCompletionsAreShownAsTextAndNoScriptRuns() async throws {
        _ = try #require(HTMLCheckTests.chromium, "TTSBENCH_REQUIRE_CHROMIUM=1 or TTSBENCH_REQUIRE_INPUTS=1 but no Chromium is installed")
        let (dir, db) = try await Self.recorded()
        let reader = try StoreReader(path: db)
        let system = try #require(try reader.systems(suite: "viewcheck").first { $0.strategy == "maj4" })
        let item = try #require(try reader.itemOutcomes(systemFingerprint: system.fingerprint, seeds: 1)[0].keys.sorted().first)
        let hostile = "<script>document.title='PWNED'</script><img src=x onerror=\"document.title='PWNED'\"></textarea><b id=\"bold\">bold</b>"
            + "<iframe src=\"javascript:alert(1)\"></iframe>"
        let huge = String(repeating: "0123456789", count: 5_000_000)  // 50 MB
        // Written as a broken run or an adversarial model could leave them (the test may use SQL; the product may not).
        let queue = try DatabaseQueue(path: db)
        try await queue.write { db in
            func sql(_ value: String, _ index: Int) -> String {
                "UPDATE samples SET text = \(value) WHERE item_id = ? AND seed_index = 0 AND temperature = 0.8 AND sample_index = \(index)"
            }
            try db.execute(sql: sql("?", 0), arguments: [hostile, item])
            try db.execute(sql: sql("?", 1), arguments: [huge, item])
            try db.execute(sql: sql("CAST(X'48656c6c6ffffec328' AS TEXT)", 2), arguments: [item])
            try db.execute(sql: sql("?", 3), arguments: ["</pre></details></main><script>document.title='PWNED'</script>", item])
        }
        let (server, base) = try await Self.serve(db: db, in: dir)
        defer { server.signal(SIGKILL) }
        let url = base + "/suite/viewcheck/item/\(item.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
        let page = try await Self.fetch(url)
        #expect(page.status == 200)
        let csp = try await URLSession.shared.data(from: URL(string: url)!).1 as! HTTPURLResponse
        #expect(csp.value(forHTTPHeaderField: "Content-Security-Policy")?.contains("default-src 'none'") == true)
        #expect(page.body.count < 2_000_000, "the 50 MB completion is clipped (page: \(page.body.count) bytes)")

        let dom = try Self.dom(url, in: dir)
        #expect(!dom.contains("PWNED</title>"), "a completion's script ran")
        #expect(Self.captures("<title>([^<]*)</title>", in: dom).first?.contains("PWNED") == false)
        #expect(!dom.contains("<img"), "no image element from a completion")
        #expect(!dom.contains("<iframe"), "no frame from a completion")
        #expect(!dom.contains("<b id=\"bold\">"), "no element from a completion")
        #expect(dom.contains("&lt;script&gt;document.title='PWNED'&lt;/script&gt;"), "the script is shown as text")
        #expect(dom.contains("&lt;/textarea&gt;&lt;b id=\"bold\"&gt;"), "</textarea> is shown as text")
        #expect(dom.contains("Hello\u{FFFD}"), "invalid UTF-8 is shown with replacement characters")
        // The huge text: clipped, with a link to the whole of it.
        #expect(dom.contains("more characters"))
        let full = try #require(Self.captures("<a class=\"full\" href=\"(/text/sample/[0-9]+)\"", in: dom).first)
        let whole = try await Self.fetch(base + full)
        #expect(whole.status == 200 && whole.type.hasPrefix("text/plain"))
        #expect(whole.body.count == huge.utf8.count)
    }

    @Test(.enabled(if: HTMLCheckTests.chromium != nil || HTMLCheckTests.required, "no headless Chromium installed (apt-get install chromium)"))
    func theExportIsAStaticBundleWithRelativeLinksThatOpensFromDisk() async throws {
        _ = try #require(HTMLCheckTests.chromium, "TTSBENCH_REQUIRE_CHROMIUM=1 or TTSBENCH_REQUIRE_INPUTS=1 but no Chromium is installed")
        let (dir, db) = try await Self.recorded()
        let reader = try StoreReader(path: db)
        let chosen = try reader.systems(suite: "viewcheck").filter { $0.model == "strong" }.map(\.name)
        let result = try await Binary.run(["view", "--db", db, "--export", "site", "--suite", "viewcheck"] + chosen.flatMap { ["--system", $0] }, in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let site = dir + "/site"
        let files = try #require(FileManager.default.subpathsOfDirectory(atPath: site).filter { $0.hasSuffix(".html") })
        #expect(files.contains("index.html"))
        let items = files.filter { $0.contains("/item-") }
        #expect(items.count == 24, "a page per item")
        #expect(files.filter { $0.contains("/system-") }.count == chosen.count, "a page per chosen system")
        for file in files {
            let html = try String(contentsOfFile: site + "/" + file, encoding: .utf8)
            #expect(!html.contains("<script"), "\(file) has a script")
            #expect(!html.contains("href=\"/") && !html.contains("href=\"http"), "\(file) links outside the bundle")
            // Every relative link points at a file of the bundle.
            let folder = ((site + "/" + file) as NSString).deletingLastPathComponent
            for link in Self.captures("href=\"([^\"#?]+)\"", in: html) {
                let target = ((folder as NSString).appendingPathComponent(Self.unescape(link)) as NSString).standardizingPath
                #expect(FileManager.default.fileExists(atPath: target), "\(file) links to a missing \(link)")
            }
        }
        // The leaderboard lists only the chosen systems; an item page opens from disk cleanly.
        let suitePage = try Self.dom("file://" + site + "/" + (try #require(files.first { $0.hasSuffix("/index.html") })), in: dir)
        #expect(Set(Self.captures("data-system=\"([^\"]+)\"", in: suitePage).map(Self.unescape)) == Set(chosen))
        let itemPage = try Self.dom("file://" + site + "/" + items[0], in: dir)
        #expect(Self.captures("<tr data-system=\"([^\"]+)\"", in: Self.table("outcomes", in: itemPage)).count == chosen.count)
        #expect(itemPage.contains("data-sample="))
    }
}
