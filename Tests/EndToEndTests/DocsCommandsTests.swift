// The command lines in README.md and docs/*.md against the binary: every option they show for a
// command is one its --help lists, and the version they speak of is the binary's.

import Foundation
import Testing

@Suite struct DocsCommandsTests {
    static let subcommands: Set<String> = ["run", "merge", "validate", "plan", "compare", "adastop", "publish", "leaderboard",
                                           "verify", "import", "view"]

    /// (file, command words such as ["import", "lm-eval"], options) for every `ttsbench ...` line
    /// inside a fenced block, its indented continuation lines included.
    static func documentedCommands() throws -> [(file: String, command: [String], options: [String])] {
        let files = ["README.md"] + (try FileManager.default.contentsOfDirectory(atPath: Binary.root + "/docs"))
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
        var out: [(String, [String], [String])] = []
        for file in files {
            let text = try String(contentsOfFile: Binary.root + "/" + file, encoding: .utf8)
            var inBlock = false
            var current: (command: [String], text: String)? = nil
            func flush() {
                guard let c = current else { return }
                let options = c.text.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "-") })
                    .map(String.init).filter { $0.hasPrefix("--") && $0.count > 2 }
                out.append((file, c.command, options))
                current = nil
            }
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
                if line.hasPrefix("```") {
                    flush()
                    inBlock.toggle()
                    continue
                }
                guard inBlock else { continue }
                // Only the command part: a comment after '#' describes it.
                let code = line.components(separatedBy: " #").first ?? line
                let words = code.split(separator: " ").map(String.init)
                if words.first == "ttsbench", words.count >= 2, subcommands.contains(words[1]) {
                    flush()
                    let command = words[1] == "import" && words.count >= 3 && !words[2].hasPrefix("-") ? [words[1], words[2]] : [words[1]]
                    current = (command, code)
                } else if current != nil, line.hasPrefix(" "), code.trimmingCharacters(in: .whitespaces).hasPrefix("[")
                            || code.trimmingCharacters(in: .whitespaces).hasPrefix("--") {
                    current!.text += " " + code
                } else {
                    flush()
                }
            }
            flush()
        }
        return out
    }

    @Test func everyDocumentedOptionIsOneTheCommandTakes() async throws {
        let commands = try Self.documentedCommands()
        #expect(commands.count >= 15, "found only \(commands.count) documented command lines")
        let dir = try makeTempDir("ttsbench-e2e-docs-commands")
        var helps: [[String]: String] = [:]
        for (file, command, options) in commands {
            if helps[command] == nil {
                let r = try await Binary.run(command + ["--help"], in: dir)
                #expect(r.status == 0, "\(command) --help: \(r.stderr)")
                helps[command] = r.stdout
            }
            for option in options where option != "--help" {
                #expect(helps[command]!.contains(option), "\(file): `ttsbench \(command.joined(separator: " "))` shows \(option), which its --help does not list")
            }
        }
    }

    @Test func theDocsSpeakOfTheBinarysVersion() async throws {
        let r = try await Binary.run(["--version"], in: try makeTempDir("ttsbench-e2e-docs-version"))
        let version = try #require(r.stdout.split(separator: " ").dropFirst().first.map(String.init))
        let parts = version.split(separator: ".").compactMap { Int($0) }
        try #require(parts.count == 3, "\(r.stdout)")
        // "before 0.N" in the docs names a release up to this one, never a future one.
        for file in ["README.md"] + (try FileManager.default.contentsOfDirectory(atPath: Binary.root + "/docs")).filter({ $0.hasSuffix(".md") }).map({ "docs/" + $0 }) {
            let text = try String(contentsOfFile: Binary.root + "/" + file, encoding: .utf8)
            for range in text.ranges(of: "before 0.") {
                let minor = Int(text[range.upperBound...].prefix(while: \.isNumber)) ?? 0
                #expect(minor <= parts[1], "\(file) speaks of \"before 0.\(minor)\" but the binary is \(version)")
            }
        }
    }
}
