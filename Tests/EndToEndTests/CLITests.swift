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
        ["verify", "--kind", "bogus", "--reference", "1", "--candidate", "1"],
        ["verify"],
        ["no-such-command"],
    ]

    @Test(arguments: usageErrors)
    func aUsageErrorExitsTwo(_ arguments: [String]) async throws {
        let dir = try e2eTempDir("usage")
        let result = try await Binary.run(arguments, in: dir)
        #expect(result.status == 2 && !result.signalled, "\(arguments) exited \(result.status): \(result.stderr)")
        #expect(result.stderr.contains("Error:") && result.stderr.contains("Usage:"), "\(arguments): \(result.stderr)")
        #expect(result.stdout.isEmpty, "\(arguments): \(result.stdout)")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { !$0.hasPrefix("stdout-") && !$0.hasPrefix("stderr-") }
        #expect(left.isEmpty, "\(arguments) left files behind: \(left)")
    }

    @Test(arguments: [["--help"], ["run", "--help"], ["help", "verify"], ["--version"]])
    func helpAndVersionExitZero(_ arguments: [String]) async throws {
        let result = try await Binary.run(arguments, in: try e2eTempDir("help"))
        #expect(result.status == 0 && !result.signalled, "\(arguments) exited \(result.status): \(result.stderr)")
        #expect(!result.stdout.isEmpty && result.stderr.isEmpty, "\(arguments): \(result.stderr)")
    }

    @Test func helpListsTheSharedOptionsUnderTheirDocumentedNames() async throws {
        let dir = try e2eTempDir("help")
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
        let result = try await Binary.run(["--version"], in: try e2eTempDir("version"))
        #expect(result.status == 0, "\(result.stderr)")
        let first = result.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.hasPrefix("ttsbench 0.3.0 (commit "), "\(result.stdout)")
        if let head = Self.gitHead(Binary.root) {
            #expect(first == "ttsbench 0.3.0 (commit \(head))", "\(Binary.path) was built at another commit than HEAD \(head), or not stamped: rebuild it (`swift build --product ttsbench`, as `make test` does; `swift test` alone does not rebuild the executable)")
        } else {
            #expect(first == "ttsbench 0.3.0 (commit unknown)", "\(first)")
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
