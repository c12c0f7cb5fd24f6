import ArgumentParser
import Foundation
import TTSBench
import TTSStore
import TTSView

/// `ttsbench view`: a read-only local web viewer over the database (or, with `--export`, the
/// same pages as a static bundle).
struct ViewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Browse the database in a web browser: suites, leaderboards, each system's items, each item's samples, comparisons (read-only).",
        discussion: "Serves on 127.0.0.1 unless --host says otherwise; --port 0 picks a free port. --export DIR writes the pages as static files instead.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "The address to listen on (another address than 127.0.0.1 shows the database to the network).") var host = "127.0.0.1"
    @Option(help: "The port (0: any free port).") var port = 8787
    @Flag(help: "Open the viewer in the default browser.") var open = false
    @Option(help: ArgumentHelp("Write the pages as a static bundle into DIR instead of serving them.", valueName: "DIR")) var export: String?
    @Option(help: "With --export: a suite to export (repeatable; default: every suite).") var suite: [String] = []
    @Option(help: "With --export: a system to export (repeatable; default: every system).") var system: [String] = []

    func validate() throws {
        if !(0...65535).contains(port) { throw ValidationError("--port must be from 0 to 65535") }
        if export == nil && (!suite.isEmpty || !system.isEmpty) { throw ValidationError("--suite and --system go with --export") }
    }

    func run() async throws {
        let db = database.db
        guard FileManager.default.fileExists(atPath: db) else {
            throw Exit.fail("ttsbench view: no database at \(db) (give the one `ttsbench run` or `publish` wrote, with --db PATH)", code: 2)
        }
        let model: ViewModel
        do {
            model = ViewModel(reader: try StoreReader(path: db), sources: { RecordedSuiteSources.load($0) })
        } catch {
            throw Exit.fail("ttsbench view: \(error)", code: 2)
        }
        if let export {
            do {
                let files = try ViewExport(model: model).write(to: export, suites: suite.isEmpty ? nil : suite, systems: system.isEmpty ? nil : system)
                print("Wrote \(files) files to \(export) (open \((export as NSString).appendingPathComponent("index.html")))")
            } catch let error as ViewError {
                throw Exit.fail("ttsbench view: \(error)", code: 2)
            } catch {
                throw Exit.fail("ttsbench view: \(error)", code: 1)
            }
            return
        }
        let open = self.open
        let host = self.host
        do {
            try await ViewServer(model: model).run(host: host, port: port) { port in
                let url = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)/"
                FileHandle.standardOutput.write(Data("ttsbench view: \(url) (read-only; Ctrl-C stops)\n".utf8))
                if open { Self.openBrowser(url) }
            }
        } catch {
            throw Exit.fail("ttsbench view: cannot serve on \(host):\(port): \(error)", code: 1)
        }
    }

    static func openBrowser(_ url: String) {
        let process = Process()
        #if os(macOS)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/open")
        #else
        process.executableURL = URL(fileURLWithPath: "/usr/bin/xdg-open")
        #endif
        process.arguments = [url]
        try? process.run()
    }
}
