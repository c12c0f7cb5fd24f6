import Foundation
import GRDB

public enum TTSBenchInfo {
    public static let version = "0.2.0"

    /// The commit of the ttsbench checkout this binary was built from (`git rev-parse HEAD` in
    /// the source tree, read once per process), or of the current directory; "unknown" without git.
    /// It does not depend on the clock or on uncommitted files, so two regenerations at the same
    /// commit give the same bytes.
    public static let gitCommit: String = {
        var source = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { source.deleteLastPathComponent() }  // Sources/TTSBench/Engine/Publish.swift
        for dir in [source.path, FileManager.default.currentDirectoryPath] {
            if let commit = run("/usr/bin/env", ["git", "-C", dir, "rev-parse", "HEAD"]), commit.count == 40 { return commit }
        }
        return "unknown"
    }()

    static func run(_ executable: String, _ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        do { try process.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The formats `ttsbench leaderboard` and `ttsbench publish` write.
public enum LeaderboardFormat: String, Sendable, CaseIterable {
    case md, csv, json, html, provenance

    public var fileName: String {
        switch self {
        case .md: "leaderboard.md"
        case .csv: "leaderboard.csv"
        case .json: "leaderboard.json"
        case .html: "index.html"
        case .provenance: "provenance.json"
        }
    }
}

public struct PublishOptions: Sendable {
    public var databasePath = "results/ttsbench.sqlite"
    /// Files go to `<outputDirectory>/<suite>/`.
    public var outputDirectory = "results"
    public var workers = 8
    public var showProgress = true
    public init() {}
}

public struct PublishReport: Sendable {
    public var leaderboard: Leaderboard
    public var files: [String]
    public var samplesGenerated: Int
}

/// `ttsbench publish`: run the suite (a resume: nothing is generated when it is complete), then
/// write the five files of a published leaderboard from the database.
public enum Publish {
    public static func publish(suitePath: String, options: PublishOptions) async throws -> PublishReport {
        var run = RunOptions()
        run.databasePath = options.databasePath
        run.outputDirectory = options.outputDirectory
        run.workers = options.workers
        run.showProgress = options.showProgress
        let report = try await SuiteRun.run(suitePath: suitePath, options: run)
        let store = try Store(path: options.databasePath)
        let directory = (options.outputDirectory as NSString).appendingPathComponent(report.leaderboard.suite)
        let (board, files) = try await write(reader: store.reader, suite: report.leaderboard.suite, directory: directory,
                                             formats: LeaderboardFormat.allCases)
        return PublishReport(leaderboard: board, files: files, samplesGenerated: report.samplesGenerated)
    }

    /// The full leaderboard of a suite: database columns, then what the sample pools give.
    public static func board(reader: any DatabaseReader, suite: String) async throws -> Leaderboard {
        var board = try LeaderboardBuilder.build(reader: reader, suite: suite)
        try await PoolMetrics.attach(to: &board, reader: reader)
        return board
    }

    /// The text of one format.
    public static func render(_ format: LeaderboardFormat, board: Leaderboard, reader: any DatabaseReader) throws -> String {
        switch format {
        case .md: MarkdownRenderer().render(board)
        case .csv: CSVRenderer().render(board)
        case .json: JSONRenderer().render(board)
        case .html: HTMLRenderer().render(board)
        case .provenance: try Provenance.render(board: board, reader: reader)
        }
    }

    /// Writes the given formats into `directory` (atomically, file by file).
    public static func write(reader: any DatabaseReader, suite: String, directory: String,
                             formats: [LeaderboardFormat]) async throws -> (Leaderboard, [String]) {
        let board = try await board(reader: reader, suite: suite)
        var files: [String] = []
        for format in formats {
            let path = (directory as NSString).appendingPathComponent(format.fileName)
            try AtomicWriter.write(try render(format, board: board, reader: reader), to: path)
            files.append(path)
        }
        return (board, files)
    }

    /// Opens a database for reading only (never migrates or writes): `ttsbench leaderboard`.
    public static func openReadOnly(_ path: String) throws -> any DatabaseReader {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError(message: "no database at \(path)") }
        var config = Configuration()
        config.readonly = true
        do {
            return try DatabasePool(path: path, configuration: config)
        } catch {
            throw StoreError(message: "cannot open the database \(path): \(error)")
        }
    }
}

/// `provenance.json`: where the numbers come from. Built from the database (and the suite text
/// stored in it), never from the clock; API keys are never stored, so never shown.
public enum Provenance {
    public static func render(board: Leaderboard, reader: any DatabaseReader) throws -> String {
        let stored = try reader.read { db in
            try Row.fetchOne(db, sql: "SELECT yaml, task_digest, compare_json, created_at, updated_at FROM suites WHERE name = ?",
                             arguments: [board.suite])
        }
        guard let stored else { throw StoreError(message: "the database holds no suite named '\(board.suite)'") }
        let yaml: String = stored["yaml"]
        let suite = try? SuiteLoader.load(data: Data(yaml.utf8), path: "\(board.suite).yaml")
        let recordedModels: [Row] = try reader.read { db in
            guard try db.tableExists("models") else { return [] }
            return try Row.fetchAll(db, sql: "SELECT name, fingerprint, label FROM models WHERE suite = ? ORDER BY name", arguments: [board.suite])
        }
        let systems = try reader.read { db in
            try Row.fetchAll(db, sql: "SELECT name, fingerprint, model, strategy, verifier, seeds_used FROM systems WHERE suite = ? ORDER BY position",
                             arguments: [board.suite])
        }

        var out = "{\n"
        out += "  \"adastop\": \(stored["compare_json"] as String),\n"
        out += "  \"dataset\": \(dataset(suite: suite, taskDigest: stored["task_digest"])),\n"
        out += "  \"dates\": {\"first_recorded\": \(jsonString(stored["created_at"])), \"suite_last_changed\": \(jsonString(stored["updated_at"]))},\n"
        out += "  \"git_commit\": \(jsonString(TTSBenchInfo.gitCommit)),\n"
        out += "  \"models\": ["
        var models: [String] = []
        if let suite {
            models = suite.models.sorted { $0.name < $1.name }.map { m in
                "\n    {\"endpoint\": \(endpoint(m)), \"fingerprint\": \(jsonString(m.fingerprint)), \"kind\": \(jsonString(kindName(m))), "
                    + "\"label\": \(jsonString(m.label)), \"name\": \(jsonString(m.name))}"
            }
        } else {
            models = recordedModels.map { m in
                "\n    {\"endpoint\": null, \"fingerprint\": \(jsonString(m["fingerprint"])), \"kind\": null, \"label\": \(jsonString(m["label"])), "
                    + "\"name\": \(jsonString(m["name"]))}"
            }
        }
        out += models.joined(separator: ",") + (models.isEmpty ? "],\n" : "\n  ],\n")
        out += "  \"seeds\": {\"suite_seed\": \(suite.map { String($0.seed) } ?? "null"), \"per_system\": {"
        out += systems.map { "\(jsonString($0["name"])): \($0["seeds_used"] as Int)" }.joined(separator: ", ")
        out += "}},\n"
        out += "  \"suite\": \(jsonString(board.suite)),\n"
        out += "  \"suite_fingerprint\": \(jsonString(board.fingerprint)),\n"
        out += "  \"suite_yaml_sha256\": \(jsonString(SHA256.hex(yaml))),\n"
        out += "  \"systems\": ["
        out += systems.map { s in
            "\n    {\"fingerprint\": \(jsonString(s["fingerprint"])), \"model\": \(jsonString(s["model"])), \"name\": \(jsonString(s["name"])), "
                + "\"seeds_used\": \(s["seeds_used"] as Int), \"strategy\": \(jsonString(s["strategy"])), \"verifier\": \(jsonString(s["verifier"]))}"
        }.joined(separator: ",")
        out += systems.isEmpty ? "],\n" : "\n  ],\n"
        out += "  \"ttsbench_version\": \(jsonString(TTSBenchInfo.version))\n"
        return out + "}\n"
    }

    static func dataset(suite: Suite?, taskDigest: String) -> String {
        guard let task = suite?.task else { return "{\"task_digest\": \(jsonString(taskDigest))}" }
        var source: String
        var fileHash = "null"
        switch task.source {
        case .arithmetic(let a):
            source = "generated: arithmetic, items \(a.items), digits \(a.digits), operations \(a.operations.joined(separator: " "))"
        case .file(let path, let shown):
            source = "file: \(shown)"
            if let data = FileManager.default.contents(atPath: path) { fileHash = jsonString(SHA256.hex(bytes: data)) }
        }
        return "{\"file_sha256\": \(fileHash), \"limit\": \(task.limit.map(String.init) ?? "null"), \"name\": \(jsonString(task.name)), "
            + "\"source\": \(jsonString(source)), \"task_digest\": \(jsonString(taskDigest))}"
    }

    static func kindName(_ m: ModelSpec) -> String {
        let described = "\(m.kind)"
        return String(described.prefix { $0 != "(" })
    }

    /// Where a real model is reached, without credentials: URLs lose any user info and query.
    static func endpoint(_ m: ModelSpec) -> String {
        guard case .openai(let p) = m.kind else { return "null" }
        let urls = p.baseURLs.map { raw -> String in
            guard var c = URLComponents(string: raw) else { return "(unparseable URL)" }
            c.user = nil
            c.password = nil
            c.query = nil
            c.fragment = nil
            return c.string ?? "(unparseable URL)"
        }
        return "{\"api\": \(jsonString(p.api.rawValue)), \"api_key_env\": \(p.apiKeyEnv.map(jsonString) ?? "null"), "
            + "\"base_urls\": [\(urls.map(jsonString).joined(separator: ", "))], \"model\": \(jsonString(p.model))}"
    }
}
