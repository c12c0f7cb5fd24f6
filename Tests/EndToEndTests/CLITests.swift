import Foundation
import Testing

/// The tool's exit statuses and `--version`, through the built binary (see `Binary`).
@Suite struct CLITests {
    /// Usage errors: ArgumentParser's own status would be 64; the tool's is 2 for any bad input.
    static let usageErrors: [[String]] = [
        ["run", "s.yaml", "--no-such-option"],
        ["run", "s.yaml", "--workers", "0"],
        ["run"],
        ["compare", "s.yaml", "a"],
        ["compare", "s.yaml", "a", "b", "--alpha", "abc"],
        ["compare", "s.yaml", "a", "b", "--alpha", "0.9"],
        ["publish", "s.yaml", "--workers", "x"],
        ["leaderboard", "--format", "bogus"],
        ["adastop", "scores.csv", "--compat", "adastop-9"],
        ["adastop", "scores.csv", "--permutation", "bogus"],
        ["adastop", "scores.csv", "--compat", "adastop-0.1.3", "--permutation", "closed"],
        ["adastop", "scores.csv", "--compat", "adastop-0.1.3", "--early-accept-sd", "1"],
        ["adastop", "scores.csv", "--beta", "1.5"],
        ["adastop", "scores.csv", "--early-accept-sd", "-1"],
        ["verify", "--kind", "bogus", "--reference", "1", "--candidate", "1"],
        ["verify"],
        ["no-such-command"],
    ]

    @Test(arguments: usageErrors)
    func aUsageErrorExitsTwo(_ arguments: [String]) async throws {
        let dir = try makeTempDir("ttsbench-e2e-usage")
        let result = try await Binary.run(arguments, in: dir)
        #expect(result.status == 2 && !result.signalled, "\(arguments) exited \(result.status): \(result.stderr)")
        #expect(result.stderr.contains("Error:") && result.stderr.contains("Usage:"), "\(arguments): \(result.stderr)")
        #expect(result.stdout.isEmpty, "\(arguments): \(result.stdout)")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { !$0.hasPrefix("stdout-") && !$0.hasPrefix("stderr-") }
        #expect(left.isEmpty, "\(arguments) left files behind: \(left)")
    }

    /// `adastop` runs ttsbench's rule by default (closed testing, early accept) and the
    /// reference's test with `--compat`: two identical score columns stop early only in the first.
    @Test func adastopDefaultsToTheClosedTestWithEarlyAccept() async throws {
        let dir = try makeTempDir("ttsbench-e2e-adastop-rule")
        var rows = ["a,b"]
        for i in 0..<25 {
            let x = 0.5 + 0.01 * Double((i * 7) % 11)
            rows.append("\(x),\(x)")
        }
        try (rows.joined(separator: "\n") + "\n").write(toFile: dir + "/scores.csv", atomically: true, encoding: .utf8)
        let ours = try await Binary.run(["adastop", "scores.csv", "--json"], in: dir)
        #expect(ours.status == 0, "\(ours.stderr)")
        #expect(ours.stdout.contains("\"decision\": \"equal\", \"interim\": 2"), "\(ours.stdout)")  // 1-based: the second interim
        #expect(ours.stdout.contains("\"scores_used\": {\"a\": 10, \"b\": 10}"), "\(ours.stdout)")
        let text = try await Binary.run(["adastop", "scores.csv"], in: dir)
        #expect(text.stdout.contains("closed testing, early accept below 0.9 seed sd (beta 0.25)"), "\(text.stdout)")
        let reference = try await Binary.run(["adastop", "scores.csv", "--compat", "adastop-0.1.3", "--json"], in: dir)
        #expect(reference.status == 0, "\(reference.stderr)")
        #expect(reference.stdout.contains("\"scores_used\": {\"a\": 25, \"b\": 25}"), "\(reference.stdout)")
        let off = try await Binary.run(["adastop", "scores.csv", "--early-accept-sd", "0", "--json"], in: dir)
        #expect(off.stdout.contains("\"scores_used\": {\"a\": 25, \"b\": 25}"), "\(off.stdout)")
        #expect(ours.stdout.contains("\"procedure\": \"closed\""), "\(ours.stdout)")
        #expect(reference.stdout.contains("\"procedure\": \"adastop-0.1.3\"") && reference.stdout.contains("\"guarantee\": \"no guarantee"),
                "\(reference.stdout)")
    }

    /// Beyond closed testing's size `adastop` runs Holm over exact pairwise tests and says so.
    @Test func adastopNamesTheProcedureThatRan() async throws {
        let dir = try makeTempDir("ttsbench-e2e-adastop-procedure")
        let names = (0..<8).map { "s\($0)" }
        var rows = [names.joined(separator: ",")]
        for i in 0..<25 {
            rows.append(names.indices.map { j in String(Double(j) * 3 + 0.01 * Double((i * 7 + j) % 11)) }.joined(separator: ","))
        }
        try (rows.joined(separator: "\n") + "\n").write(toFile: dir + "/scores.csv", atomically: true, encoding: .utf8)
        let json = try await Binary.run(["adastop", "scores.csv", "--json"], in: dir)
        #expect(json.status == 0, "\(json.stderr)")
        #expect(json.stdout.contains("\"procedure\": \"holm\"") && json.stdout.contains(
                    "\"guarantee\": \"family-wise error at most alpha whatever the true differences (strong control)\""), "\(json.stdout)")
        // Every pair is 3 apart with a spread of 0.1: all 28 decided "smaller" at the second interim
        // (1-based; the first spends too little of each pair's level to reject).
        #expect(json.stdout.components(separatedBy: "\"decision\": \"smaller\", \"interim\": 2").count == 29, "\(json.stdout)")
        let text = try await Binary.run(["adastop", "scores.csv"], in: dir)
        #expect(text.stdout.contains("Procedure: Holm's step-down over exact pairwise permutation tests; family-wise error at most alpha"),
                "\(text.stdout)")
        #expect(!text.stdout.contains("closed testing over"), "\(text.stdout)")
    }

    @Test(arguments: [["--help"], ["run", "--help"], ["help", "verify"], ["--version"]])
    func helpAndVersionExitZero(_ arguments: [String]) async throws {
        let result = try await Binary.run(arguments, in: try makeTempDir("ttsbench-e2e-help"))
        #expect(result.status == 0 && !result.signalled, "\(arguments) exited \(result.status): \(result.stderr)")
        #expect(!result.stdout.isEmpty && result.stderr.isEmpty, "\(arguments): \(result.stderr)")
    }

    @Test func helpListsTheSharedOptionsUnderTheirDocumentedNames() async throws {
        let dir = try makeTempDir("ttsbench-e2e-help")
        let run = try await Binary.run(["run", "--help"], in: dir)
        for flag in ["--db <db>", "--out <out>", "--seeds <seeds>", "--workers <workers>", "--quiet", "results/ttsbench.sqlite"] {
            #expect(run.stdout.contains(flag), "run --help lacks \(flag)")
        }
        let compare = try await Binary.run(["compare", "--help"], in: dir)
        for flag in ["--alpha <alpha>", "--group-size <group-size>", "--max-interims <max-interims>", "--permutations <permutations>",
                     "--db <db>", "--workers <workers>", "--json", "--quiet"] {
            #expect(compare.stdout.contains(flag), "compare --help lacks \(flag)")
        }
        let publish = try await Binary.run(["publish", "--help"], in: dir)
        for flag in ["--db <db>", "--out <out>", "--workers <workers>", "--quiet"] {
            #expect(publish.stdout.contains(flag), "publish --help lacks \(flag)")
        }
        let leaderboard = try await Binary.run(["leaderboard", "--help"], in: dir)
        for value in ["md", "csv", "json", "html", "provenance", "all"] {
            #expect(leaderboard.stdout.contains(value), "leaderboard --help lacks \(value)")
        }
    }

    /// The commit is stamped at build time: the binary runs in a temporary folder outside any
    /// checkout, and still names the commit the worktree's HEAD is at.
    @Test func versionNamesTheBuildCommitAndTheDependencies() async throws {
        let result = try await Binary.run(["--version"], in: try makeTempDir("ttsbench-e2e-version"))
        #expect(result.status == 0, "\(result.stderr)")
        let first = result.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.hasPrefix("ttsbench 0.4.0 (commit "), "\(result.stdout)")
        if let head = Self.gitHead(Binary.root) {
            #expect(first == "ttsbench 0.4.0 (commit \(head))", "\(Binary.path) was built at another commit than HEAD \(head), or not stamped: rebuild it (`swift build --product ttsbench`, as `make test` does; `swift test` alone does not rebuild the executable)")
        } else {
            #expect(first == "ttsbench 0.4.0 (commit unknown)", "\(first)")
        }
        // The dependencies as resolved for the build, one `  name version` line each.
        if FileManager.default.fileExists(atPath: Binary.root + "/Package.resolved") {
            #expect(result.stdout.contains("\n  swift-argument-parser 1."), "\(result.stdout)")
            #expect(result.stdout.contains("\n  grdb.swift "), "\(result.stdout)")
        }
    }

    /// `git rev-parse HEAD` in `dir`, or nil without git or a repository.
    static func gitHead(_ dir: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", dir, "rev-parse", "HEAD"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let head = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return head.count == 40 || head.count == 64 ? head : nil
    }
}
