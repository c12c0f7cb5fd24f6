import TTSBench
import TTSSuite
import TTSCore
import Foundation
import Testing

/// The published `index.html` opened in a real headless Chromium (Debian's `chromium`, installed
/// by `.ci/run`): it loads without console messages, its table has one row per system, and a
/// screenshot is written to `.build/test-output/html-check/index.png`.
///
/// Without a Chromium the test is skipped, unless `TTSBENCH_REQUIRE_CHROMIUM=1` or
/// `TTSBENCH_REQUIRE_INPUTS=1` (both set by `.ci/run`) makes a missing browser a failure.
@Suite struct HTMLCheckTests {
    static let chromium: String? = {
        for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/chromium-headless-shell"]
        where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        return nil
    }()
    static let required = ProcessInfo.processInfo.environment["TTSBENCH_REQUIRE_CHROMIUM"] == "1" || requireInputs

    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let suite = suiteYAML(
        name: "htmlcheck", seed: 11, task: ["generate: {kind: arithmetic, items: 30, digits: 2}"],
        models: ["weak: {kind: simulated, ability: -0.5}", "strong: {kind: simulated, ability: 1.5}"],
        strategies: ["single: {kind: single}", "maj2: {kind: majority, n: 2, temperature: 0.8}",
                     "maj4: {kind: majority, n: 4, temperature: 0.8}", "bon4: {kind: best_of_n, n: 4, temperature: 0.8, scorer: rm}"],
        systems: ["matrix: {model: [weak, strong], strategy: [single, maj2, maj4, bon4], verifier: [math]}"],
        tail: ["compare: {group_size: 3, max_interims: 2, permutations: 1000}", "leaderboard:",
               "  variants: [fusion]", "  fusion: {fuser: strong}"])

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func chrome(_ arguments: [String], profile: String) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium!)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                             "--disable-extensions", "--hide-scrollbars", "--user-data-dir=\(profile)",
                             "--enable-logging=stderr", "--v=0"] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes concurrently: a full pipe would block the browser.
        nonisolated(unsafe) var errData = Data()
        let reader = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !reader.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        return Output(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Console messages (any level) and uncaught errors, as Chromium logs them with --enable-logging.
    static func consoleLines(_ stderr: String) -> [String] {
        stderr.components(separatedBy: "\n").filter { $0.contains(":CONSOLE") || $0.contains("Uncaught") }
    }

    @Test(.enabled(if: chromium != nil || required, "no headless Chromium installed (apt-get install chromium)"))
    func thePublishedPageLoadsCleanlyInHeadlessChromium() async throws {
        let chromium = try #require(Self.chromium, "TTSBENCH_REQUIRE_CHROMIUM=1 or TTSBENCH_REQUIRE_INPUTS=1 but no Chromium is installed")
        _ = chromium
        let dir = (NSTemporaryDirectory() as NSString).appendingPathComponent("html-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let suitePath = dir + "/htmlcheck.yaml"
        try Data(Self.suite.utf8).write(to: URL(fileURLWithPath: suitePath))
        var options = Session.Options.quiet(in: dir)
        let report = try await Session.open(suitePath: suitePath, options: options).publish()
        let page = dir + "/out/htmlcheck/index.html"
        let html = try String(contentsOfFile: page, encoding: .utf8)
        let systems = report.leaderboard.rows.count
        #expect(systems == 12, "8 systems and 4 fusion twins (maj2 and maj4 differ in N)")

        // Self-contained: no script, stylesheet, image or font fetched from anywhere.
        for pattern in ["<script", "<link", "src=\"http", "href=\"http", "url(", "@import"] {
            #expect(!html.contains(pattern), "index.html contains \(pattern)")
        }

        // 1. Load it and read the DOM Chromium built: no console output, one row per system.
        let dom = try Self.chrome(["--dump-dom", "file://" + page], profile: dir + "/profile-1")
        #expect(dom.status == 0, "chromium exited with \(dom.status): \(dom.stderr.suffix(2000))")
        #expect(Self.consoleLines(dom.stderr).isEmpty, "console messages: \(Self.consoleLines(dom.stderr))")
        let table = try #require(dom.stdout.range(of: "<table id=\"leaderboard\">").map { dom.stdout[$0.lowerBound...] })
        let body = try #require(table.range(of: "<tbody>").flatMap { start in table.range(of: "</tbody>").map { table[start.upperBound..<$0.lowerBound] } })
        #expect(body.components(separatedBy: "<tr").count - 1 == systems, "table rows in the rendered DOM")
        #expect(dom.stdout.components(separatedBy: "<svg").count - 1 >= 4 + systems, "the four plots (and a CI bar per row)")

        // 2. The same page with a probe that records script errors and counts rows after load.
        let probe = """
            <script>
            window.__errors = [];
            window.addEventListener('error', e => window.__errors.push(String(e.message || e.type)), true);
            const original = console.error;
            console.error = (...a) => { window.__errors.push(a.join(' ')); original(...a); };
            window.addEventListener('load', () => {
              const rows = document.querySelectorAll('#leaderboard tbody tr').length;
              const svgs = Array.from(document.querySelectorAll('svg')).filter(s => s.getBBox && s.getBoundingClientRect().width > 0).length;
              document.body.setAttribute('data-probe', 'rows=' + rows + ' svgs=' + svgs + ' errors=' + window.__errors.length);
            });
            </script>
            """
        let probed = dir + "/probed.html"
        try Data(html.replacingOccurrences(of: "<head>", with: "<head>\n" + probe).utf8).write(to: URL(fileURLWithPath: probed))
        let probe2 = try Self.chrome(["--dump-dom", "--virtual-time-budget=2000", "file://" + probed], profile: dir + "/profile-2")
        let attribute = try #require(probe2.stdout.range(of: "data-probe=\"[^\"]*\"", options: .regularExpression).map { String(probe2.stdout[$0]) },
                                     "the probe did not run: \(probe2.stderr.suffix(1500))")
        #expect(attribute.contains("rows=\(systems) "), "\(attribute)")
        #expect(attribute.hasSuffix("errors=0\""), "\(attribute)")

        // 3. A screenshot, for people to look at.
        let outputDir = Self.packageRoot + "/.build/test-output/html-check"
        try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
        let png = outputDir + "/index.png"
        try? FileManager.default.removeItem(atPath: png)
        let shot = try Self.chrome(["--window-size=1400,2600", "--screenshot=\(png)", "file://" + page], profile: dir + "/profile-3")
        #expect(shot.status == 0, "\(shot.stderr.suffix(2000))")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(bytes.count > 10_000 && bytes.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "a PNG screenshot")
        try? FileManager.default.removeItem(atPath: outputDir + "/index.html")
        try? FileManager.default.copyItem(atPath: page, toPath: outputDir + "/index.html")
        try? FileManager.default.removeItem(atPath: dir)
    }
}
