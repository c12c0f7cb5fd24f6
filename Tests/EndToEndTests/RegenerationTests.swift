import Foundation
import Testing

/// The product's first promise: every number of a published leaderboard regenerates from the
/// database alone. A file-based suite is published from its own folder; then its data file and
/// suite file are deleted and the five files are rewritten from another folder, with an empty
/// PATH (no git, no python, nothing to run): the bytes must be the same.
@Suite struct RegenerationTests {
    static let items = (0..<16).map { i in
        "{\"id\": \"q\(i)\", \"question\": \"What is \(i) + \(2 * i)?\", \"answer\": \"\(3 * i)\"}"
    }.joined(separator: "\n") + "\n"

    static let suite = suiteYAML(
        name: "regen", seed: 11,
        task: ["file: data/q.jsonl", #"prompt: "Solve. Put the final answer in \\boxed{}.\n\n{question}""#],
        models: ["m: {kind: simulated, ability: 0.3}", "f: {kind: simulated, ability: 1.0}"],
        systems: ["matrix: {model: [m], strategy: [single, maj4, bon4], verifier: [math]}"],
        tail: ["compare: {group_size: 2, max_interims: 2, permutations: 200}", "leaderboard:",
               "  variants: [multi_temperature, fusion]", "  multi_temperature: {temperatures: [0.4, 1.0]}", "  fusion: {fuser: f}"])

    @Test func aPublishedFileSuiteRegeneratesByteIdenticallyFromTheDatabaseAlone() async throws {
        let base = try makeTempDir("ttsbench-e2e-regen")
        let project = base + "/project", elsewhere = base + "/elsewhere"
        try FileManager.default.createDirectory(atPath: project + "/data", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        try Data(Self.items.utf8).write(to: URL(fileURLWithPath: project + "/data/q.jsonl"))
        try Data(Self.suite.utf8).write(to: URL(fileURLWithPath: project + "/regen.yaml"))

        let published1 = try await Binary.run(["publish", "regen.yaml", "--db", "db.sqlite", "--out", "out", "--quiet"], in: project,
                                              timeout: .seconds(300))
        #expect(published1.status == 0, "publish failed: \(published1.stderr)")
        let names = ["leaderboard.md", "leaderboard.csv", "leaderboard.json", "index.html", "provenance.json"]
        let published = try names.map { try Data(contentsOf: URL(fileURLWithPath: project + "/out/regen/" + $0)) }

        try FileManager.default.removeItem(atPath: project + "/data/q.jsonl")
        try FileManager.default.removeItem(atPath: project + "/regen.yaml")
        let regenerated = try await Binary.run(["leaderboard", "--db", project + "/db.sqlite", "--suite", "regen", "--format", "all",
                                                "--out", elsewhere + "/again"], in: elsewhere, environment: ["PATH": ""])
        #expect(regenerated.status == 0, "leaderboard failed: \(regenerated.stderr)")
        for (name, bytes) in zip(names, published) {
            let again = try Data(contentsOf: URL(fileURLWithPath: elsewhere + "/again/regen/" + name))  // OUT/<suite>/, as publish writes
            #expect(again == bytes, "\(name) differs when regenerated from the database alone")
        }

        // What used to be lost without the data file is there: latency on every row, the
        // estimator curves, the data file's digest and the build's commit.
        let markdown = String(decoding: published[0], as: UTF8.self)
        // The main table: | Rank | System | ... | Tokens/item | Sequential tokens/item | Calls/item | Latency/item | Cost/item
        // | Failures | No answer |, five systems.
        let rows = markdown.split(separator: "\n").map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
            .filter { $0.count == 16 && $0[1].hasPrefix("m/") }
        #expect(rows.count == 5)
        for cells in rows {
            let total = Double(cells[9]) ?? 0, sequential = Double(cells[10]) ?? -1
            #expect(sequential > 0 && sequential <= total, "sequential tokens \(cells[10]) of \(cells[9]) for \(cells[1])")
            #expect(cells[12].hasSuffix(" s"), "no latency for \(cells[1])")
            #expect(cells[15].hasSuffix("%"), "no no-answer rate for \(cells[1])")
        }
        let json = String(decoding: published[2], as: UTF8.self)
        #expect(json.contains("\"source\": \"estimator\""))
        let provenance = String(decoding: published[4], as: UTF8.self)
        #expect(provenance.contains("\"file_sha256\": \"") && provenance.contains("\"source\": \"file: data/q.jsonl\""))
        #expect(!provenance.contains("\"git_commit\": \"unknown\"") || !FileManager.default.fileExists(atPath: Binary.root + "/.git"),
                "the build's commit is stamped into the binary")
    }
}
