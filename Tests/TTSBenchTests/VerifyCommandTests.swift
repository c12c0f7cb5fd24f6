import TTSSuite
import TTSCore
import Foundation
import Testing

/// `ttsbench verify`, run as the built binary (.build/debug/ttsbench; `make test` builds it first).
@Suite struct VerifyCommandTests {
    static let binary = (packageRoot as NSString).appendingPathComponent(".build/debug/ttsbench")

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String]) throws -> Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["verify"] + arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    @Test func onePairPrintsCorrectOrIncorrectAndExitsZero() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build ttsbench first: swift build --product ttsbench")
        let a = try Self.run(["--kind", "math", "--reference", "\\frac{\\sqrt{3}}{2}", "--candidate", "\\sqrt{3}/2"])
        #expect(a.status == 0 && a.stdout == "correct\n", "\(a)")
        let b = try Self.run(["--kind", "math", "--reference", "3", "--candidate", "4"])
        #expect(b.status == 0 && b.stdout == "incorrect\n", "\(b)")
        let c = try Self.run(["--kind", "numeric", "--reference", "-5", "--candidate=-5.0000001", "--tolerance", "1e-6", "--detail"])
        #expect(c.status == 0 && c.stdout == "correct\nwithin tolerance\n", "\(c)")
        let d = try Self.run(["--kind", "exact", "--reference", "Evelyn", "--candidate", "evelyn", "--case-sensitive", "--detail"])
        #expect(d.status == 0 && d.stdout == "incorrect\ndiffers\n", "\(d)")
        let e = try Self.run(["--kind", "math", "--reference", "10", "--candidate", "so the answer is $\\boxed{10}$.", "--extract", "boxed"])
        #expect(e.status == 0 && e.stdout == "correct\n", "\(e)")
        // Whole completions are read with `auto` by default, which prints the rule with --detail.
        let f = try Self.run(["--kind", "math", "--reference", "7\\pi", "--candidate", "We get $x=3$.\nThe answer is $7\\pi$.", "--detail"])
        #expect(f.status == 0 && f.stdout.hasPrefix("correct\n") && f.stdout.contains("extracted: 7\\pi (rule: marker)"), "\(f)")
        // `raw` keeps the old behaviour: the whole candidate is the answer.
        let g = try Self.run(["--kind", "math", "--reference", "7\\pi", "--candidate", "The answer is $7\\pi$.", "--extract", "raw"])
        #expect(g.status == 0 && g.stdout == "incorrect\n", "\(g)")
        let h = try Self.run(["--kind", "math", "--reference", "\\frac13", "--candidate", "0.33", "--precision", "2"])
        #expect(h.status == 0 && h.stdout == "correct\n", "\(h)")
    }

    @Test func badArgumentsExitTwo() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary))
        let cases: [[String]] = [
            [],
            ["--kind", "fuzzy", "--reference", "1", "--candidate", "1"],
            ["--kind", "math", "--reference", "1"],
            ["--kind", "math", "--candidate", "1"],
            ["--kind", "math", "--reference", "1", "--candidate", "1", "--bogus"],
            ["--kind", "math", "--reference", "1", "--candidate", "1", "extra"],
            ["--kind", "math", "--reference"],
            ["--kind", "math", "--tolerance", "0.1", "--reference", "1", "--candidate", "1"],
            ["--kind", "numeric", "--tolerance", "-1", "--reference", "1", "--candidate", "1"],
            ["--kind", "math", "--pairs", "/nonexistent/pairs.jsonl"],
            ["--kind", "math", "--pairs", "x.jsonl", "--reference", "1"],
        ]
        for args in cases {
            let r = try Self.run(args)
            #expect(r.status == 2, "\(args) exited \(r.status): \(r.stderr)")
            #expect(r.stdout.isEmpty && r.stderr.contains("ttsbench verify"), "\(args): \(r)")
        }
    }

    @Test func pairsFilePrintsOneJSONVerdictPerLine() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary))
        let dir = try makeTempDir("verify-pairs")
        let path = try writeFile(dir, "pairs.jsonl", """
            {"reference": "\\\\frac{1}{2}", "candidate": "0.5"}

            {"reference": 3, "candidate": "4"}
            {"reference": "(1,2)", "candidate": "(2,1)"}
            {"candidate": "\\\\pi", "reference": "\\\\pi"}

            """)
        let r = try Self.run(["--kind", "math", "--pairs", path])
        #expect(r.status == 0, "\(r)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        let objects = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(objects.map { $0["line"] as? Int } == [1, 3, 4, 5])
        #expect(objects.map { $0["correct"] as? Bool } == [true, false, false, true])
        #expect(objects.allSatisfy { !(($0["reason"] as? String) ?? "").isEmpty })
        #expect(lines[0].hasPrefix("{\"line\": 1, \"correct\": true, \"reason\": "))
        // Each line says which extraction rule read the candidate (auto by default for math).
        #expect(objects.allSatisfy { $0["rule"] as? String == "raw" })
        let completions = try writeFile(dir, "completions.jsonl", """
            {"reference": "18", "candidate": "She sells 9 eggs at $2 each.\\n#### 18"}
            {"reference": "18", "candidate": "I am not sure."}

            """)
        let c = try Self.run(["--kind", "math", "--pairs", completions])
        let read = try c.stdout.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(read.map { $0["rule"] as? String } == ["marker", "none"], "\(c)")
        #expect(read.map { $0["correct"] as? Bool } == [true, false])
        #expect(read[1]["answer"] is NSNull)
    }

    @Test func aMalformedLineIsNamedAndExitsTwo() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary))
        let dir = try makeTempDir("verify-bad")
        for (body, line, why) in [("{\"reference\": \"1\", \"candidate\": \"1\"}\n{\"reference\": 1\n", 2, "malformed JSON"),
                                  ("{\"reference\": \"1\", \"candidate\": \"1\"}\n\n[1, 2]\n", 3, "not a JSON object"),
                                  ("{\"reference\": \"1\"}\n", 1, "missing \"candidate\""),
                                  ("{\"reference\": \"1\", \"candidate\": [1]}\n", 1, "must be a string or a number")] {
            let path = try writeFile(dir, "bad-\(line).jsonl", body)
            let r = try Self.run(["--kind", "numeric", "--pairs", path])
            #expect(r.status == 2, "\(r)")
            #expect(r.stderr.contains("\(path):\(line):") && r.stderr.contains(why), "\(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
    }
}
