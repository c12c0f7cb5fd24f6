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
        guard let adastop = JSONValue.parse(Array(suite.compareJSON.utf8)) else {
            throw StoreError(message: "the recorded AdaStop settings of suite '\(board.suite)' are not JSON: \(suite.compareJSON)")
        }
        let systems = try reader.systems(suite: board.suite)
        var top = provenance.jsonFields
        // The settings as stored (canonical JSON, compact), byte for byte.
        var verbatim: [[String]: String] = [["adastop"]: suite.compareJSON]
        top["adastop"] = adastop
        top["dates"] = .object(["first_recorded": .string(suite.createdAt), "suite_last_changed": .string(suite.updatedAt)])
        var seeds: [String: JSONValue] = [
            "per_system": .object(Dictionary(systems.map { ($0.name, JSONValue.integer($0.seedsUsed)) }, uniquingKeysWith: { a, _ in a })),
        ]
        if let seed = Int64(exactly: provenance.suiteSeed) {
            seeds["suite_seed"] = .int(seed)
        } else {
            seeds["suite_seed"] = .null
            verbatim[["seeds", "suite_seed"]] = String(provenance.suiteSeed)  // beyond Int64
        }
        top["seeds"] = .object(seeds)
        top["suite"] = .string(board.suite)
        top["suite_fingerprint"] = .string(board.fingerprint)
        top["suite_yaml_sha256"] = .string(SHA256.hex(suite.yaml))
        top["systems"] = .array(systems.map { s in
            .object(["fingerprint": .string(s.fingerprint), "model": .string(s.model), "name": .string(s.name),
                     "seeds_used": .integer(s.seedsUsed), "strategy": .string(s.strategy), "verifier": .string(s.verifier)])
        })
        // The published order: the seed before the systems, systems and dependencies as recorded.
        let order: [[String]: [String]] = [
            ["seeds"]: ["suite_seed", "per_system"], ["seeds", "per_system"]: systems.map(\.name),
            ["dependencies"]: provenance.dependencies.map(\.name),
        ]
        return JSONWriter(layout: .document).string(.object(top), verbatim: verbatim, order: order)
    }
}

extension ProvenanceRecord {
    /// What provenance.json shows of the record: every field (absent optionals as null), the
    /// dependencies as one object (name: version), the models by name. The suite seed is not
    /// here: a `UInt64` may be beyond what a `JSONValue` integer holds.
    var jsonFields: [String: JSONValue] {
        func str(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        let d = dataset
        return [
            "dataset": .object([
                "file_sha256": str(d.fileSHA256), "items": .integer(d.items), "limit": d.limit.map(JSONValue.integer) ?? .null,
                "name": .string(d.name), "source": .string(d.source), "task_digest": .string(d.taskDigest),
            ]),
            "dependencies": .object(Dictionary(dependencies.map { ($0.name, JSONValue.string($0.version)) }, uniquingKeysWith: { a, _ in a })),
            "fingerprint_version": .integer(fingerprintVersion),
            "git_commit": .string(ttsbenchCommit),
            "models": .array(models.sorted { $0.name < $1.name }.map { m in
                .object([
                    "endpoint": m.endpoint.map { e in
                        .object(["api": .string(e.api), "api_key_env": str(e.apiKeyEnv),
                                 "base_urls": .array(e.baseURLs.map(JSONValue.string)), "model": .string(e.model)])
                    } ?? .null,
                    "fingerprint": .string(m.fingerprint), "kind": .string(m.kind), "label": .string(m.label), "name": .string(m.name),
                ])
            }),
            "ttsbench_version": .string(ttsbenchVersion),
        ]
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
