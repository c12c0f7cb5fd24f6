import ArgumentParser
import Foundation
import TTSBench
import TTSCore
import TTSStore
import TTSRuntime
import TTSReport

struct LeaderboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leaderboard",
        abstract: "Write a suite's leaderboard from the database alone (no run; the same database gives the same bytes).")

    @Option(help: "The SQLite database (opened read-only).") var db = "results/ttsbench.sqlite"
    @Option(help: "The suite (default: the only suite in the database).") var suite: String?
    @Option(help: "md, csv, json, html, provenance, or all (the five files).") var format = FormatChoice.md
    @Option(help: "Write the files into OUT/<suite>/, as run and publish do (default: print one format; 'all' writes to results/<suite>/).") var out: String?

    func run() async throws {
        guard FileManager.default.fileExists(atPath: db) else {
            throw Exit.fail("ttsbench leaderboard: no database at \(db) (give the one `ttsbench run` or `publish` wrote, with --db PATH)", code: 2)
        }
        do {
            let reader = try StoreReader(path: db)
            let names = try reader.suiteNames()
            let name: String
            if let suite {
                name = suite
            } else if names.count == 1 {
                name = names[0]
            } else {
                throw Exit.fail("ttsbench leaderboard: \(names.isEmpty ? "the database holds no suite" : "the database holds several suites (\(names.joined(separator: ", "))); choose one with --suite")", code: 2)
            }
            guard names.contains(name) else {
                throw Exit.fail("ttsbench leaderboard: the database holds no suite named '\(name)'; suites: \(names.joined(separator: ", "))", code: 2)
            }
            let formats = format.formats
            if out == nil && formats.count == 1 {
                let board = try LeaderboardBuilder.build(reader: reader, suite: name)
                let text = try LeaderboardFiles.render(formats[0], board: board, reader: reader)
                FileHandle.standardOutput.write(Data(text.utf8))
                return
            }
            let directory = ((out ?? "results") as NSString).appendingPathComponent(name)
            let (_, files) = try LeaderboardFiles.write(reader: reader, suite: name, directory: directory, formats: formats)
            print("Wrote \(files.joined(separator: ", "))")
        } catch let error as ExitCode {
            throw error
        } catch {
            throw Exit.fail("ttsbench leaderboard: \(error)", code: 1)
        }
    }
}
