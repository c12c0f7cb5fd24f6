import TTSCore
import TTSStore
import Foundation

/// `provenance.json`: where the numbers come from, from the database alone: what the run
/// recorded (dataset, models and endpoints without keys, suite seed, the ttsbench version and
/// commit stamped into the binary that ran, its resolved dependencies, the fingerprint
/// version) and the dates the database holds. Never the clock, the working directory or git.
public enum Provenance {
    public static func render(board: Leaderboard, reader: StoreReader) throws -> String {
        let suite = try reader.suite(board.suite)
        let provenance: ProvenanceRecord
        do {
            provenance = try JSONDecoder().decode(ProvenanceRecord.self, from: Data(suite.provenanceJSON.utf8))
        } catch {
            throw StoreError(message: "the recorded provenance of suite '\(board.suite)' cannot be read: \(error)")
        }
        let systems = try reader.systems(suite: board.suite)
        func str(_ s: String?) -> String { s.map(jsonString) ?? "null" }

        let d = provenance.dataset
        var out = "{\n"
        out += "  \"adastop\": \(suite.compareJSON),\n"
        out += "  \"dataset\": {\"file_sha256\": \(str(d.fileSHA256)), \"items\": \(d.items), \"limit\": \(d.limit.map(String.init) ?? "null"), "
            + "\"name\": \(jsonString(d.name)), \"source\": \(jsonString(d.source)), \"task_digest\": \(jsonString(d.taskDigest))},\n"
        out += "  \"dates\": {\"first_recorded\": \(jsonString(suite.createdAt)), \"suite_last_changed\": \(jsonString(suite.updatedAt))},\n"
        out += "  \"dependencies\": {" + provenance.dependencies.map { "\(jsonString($0.name)): \(jsonString($0.version))" }
            .joined(separator: ", ") + "},\n"
        out += "  \"fingerprint_version\": \(provenance.fingerprintVersion),\n"
        out += "  \"git_commit\": \(jsonString(provenance.ttsbenchCommit)),\n"
        let models = provenance.models.sorted { $0.name < $1.name }.map { m -> String in
            let endpoint = m.endpoint.map { e in
                "{\"api\": \(jsonString(e.api)), \"api_key_env\": \(str(e.apiKeyEnv)), "
                    + "\"base_urls\": [\(e.baseURLs.map(jsonString).joined(separator: ", "))], \"model\": \(jsonString(e.model))}"
            } ?? "null"
            return "\n    {\"endpoint\": \(endpoint), \"fingerprint\": \(jsonString(m.fingerprint)), \"kind\": \(jsonString(m.kind)), "
                + "\"label\": \(jsonString(m.label)), \"name\": \(jsonString(m.name))}"
        }
        out += "  \"models\": [" + models.joined(separator: ",") + (models.isEmpty ? "],\n" : "\n  ],\n")
        out += "  \"seeds\": {\"suite_seed\": \(provenance.suiteSeed), \"per_system\": {"
        out += systems.map { "\(jsonString($0.name)): \($0.seedsUsed)" }.joined(separator: ", ")
        out += "}},\n"
        out += "  \"suite\": \(jsonString(board.suite)),\n"
        out += "  \"suite_fingerprint\": \(jsonString(board.fingerprint)),\n"
        out += "  \"suite_yaml_sha256\": \(jsonString(SHA256.hex(suite.yaml))),\n"
        out += "  \"systems\": ["
        out += systems.map { s in
            "\n    {\"fingerprint\": \(jsonString(s.fingerprint)), \"model\": \(jsonString(s.model)), \"name\": \(jsonString(s.name)), "
                + "\"seeds_used\": \(s.seedsUsed), \"strategy\": \(jsonString(s.strategy)), \"verifier\": \(jsonString(s.verifier))}"
        }.joined(separator: ",")
        out += systems.isEmpty ? "],\n" : "\n  ],\n"
        out += "  \"ttsbench_version\": \(jsonString(provenance.ttsbenchVersion))\n"
        return out + "}\n"
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

/// Writes a suite's leaderboard files from the database alone.
public enum LeaderboardFiles {
    /// The text of one format.
    public static func render(_ format: LeaderboardFormat, board: Leaderboard, reader: StoreReader) throws -> String {
        switch format {
        case .md: MarkdownRenderer().render(board)
        case .csv: CSVRenderer().render(board)
        case .json: JSONRenderer().render(board)
        case .html: HTMLRenderer().render(board)
        case .provenance: try Provenance.render(board: board, reader: reader)
        }
    }

    /// Builds the leaderboard once and writes the given formats into `directory` (atomically,
    /// file by file). Same database, same bytes, from any working directory.
    public static func write(reader: StoreReader, suite: String, directory: String,
                             formats: [LeaderboardFormat]) throws -> (Leaderboard, [String]) {
        let board = try LeaderboardBuilder.build(reader: reader, suite: suite)
        var files: [String] = []
        for format in formats {
            let path = (directory as NSString).appendingPathComponent(format.fileName)
            try AtomicWriter.write(try render(format, board: board, reader: reader), to: path)
            files.append(path)
        }
        return (board, files)
    }
}
