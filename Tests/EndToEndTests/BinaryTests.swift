@_exported import TestSupport
import TTSBench
import TTSSuite
import TTSCore
import Foundation
import GRDB
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `ttsbench` binary (`make test` builds it before `swift test`).
enum Binary {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
    static let path = root + "/.build/debug/ttsbench"

    struct Result {
        var status: Int32
        var signalled: Bool
        var stdout: String
        var stderr: String
    }

    /// Starts the binary with its output going to files (no pipe can fill up and block it).
    final class Running: @unchecked Sendable {
        let process = Process()
        let outPath: String, errPath: String

        /// `environment`: the child's whole environment (nil: this process's).
        init(_ arguments: [String], in dir: String, environment: [String: String]? = nil) throws {
            guard FileManager.default.isExecutableFile(atPath: Binary.path) else {
                throw BinaryMissing(path: Binary.path)
            }
            outPath = dir + "/stdout-\(UUID().uuidString).txt"
            errPath = dir + "/stderr-\(UUID().uuidString).txt"
            FileManager.default.createFile(atPath: outPath, contents: nil)
            FileManager.default.createFile(atPath: errPath, contents: nil)
            process.executableURL = URL(fileURLWithPath: Binary.path)
            process.arguments = arguments
            process.currentDirectoryURL = URL(fileURLWithPath: dir)
            if let environment { process.environment = environment }
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        var isRunning: Bool { process.isRunning }
        func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

        /// Polls `condition` on a dedicated thread (not the test's cooperative pool, which other
        /// CPU-bound tests can starve for seconds) and freezes the process with SIGSTOP the moment it
        /// holds, so the caller can inspect and signal it without racing its completion. Returns
        /// false when the process ended first or `timeout` passed.
        func freeze(when condition: @escaping @Sendable () -> Bool, timeout: Duration = .seconds(600)) async -> Bool {
            let pid = process.processIdentifier
            let process = self.process
            return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let thread = Thread {
                    let deadline = ContinuousClock.now + timeout
                    while process.isRunning && ContinuousClock.now < deadline {
                        if condition() {
                            kill(pid, SIGSTOP)
                            continuation.resume(returning: process.isRunning)
                            return
                        }
                        usleep(5_000)
                    }
                    continuation.resume(returning: false)
                }
                thread.start()
            }
        }

        /// Waits for the exit; kills the process and fails after `timeout`.
        func wait(timeout: Duration = .seconds(60)) async throws -> Result {
            let deadline = ContinuousClock.now + timeout
            while process.isRunning {
                if ContinuousClock.now > deadline {
                    kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                    throw TimedOut(timeout: timeout)
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            process.waitUntilExit()
            return Result(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                          stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                          stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
        }
    }

    struct BinaryMissing: Error, CustomStringConvertible {
        var path: String
        var description: String { "\(path) is missing: build it first (`swift build --product ttsbench`, or `make test`)" }
    }
    struct TimedOut: Error { var timeout: Duration }

    static func run(_ arguments: [String], in dir: String, environment: [String: String]? = nil,
                    timeout: Duration = .seconds(60)) async throws -> Result {
        try await Running(arguments, in: dir, environment: environment).wait(timeout: timeout)
    }
}


@Suite struct BinaryTests {
    static let systems = ["weak/single", "weak/maj4", "weak/bon4", "mid/single", "mid/maj4", "mid/bon4",
                          "strong/single", "strong/maj4", "strong/bon4"]

    @Test func runWritesALeaderboardAndARerunChangesNothing() async throws {
        let dir = try makeTempDir("ttsbench-e2e-run")
        try smallSuiteYAML(name: "e2e", seed: 11, taskName: nil, items: 30).write(toFile: dir + "/e2e.yaml", atomically: true, encoding: .utf8)
        let args = ["run", "e2e.yaml", "--db", "db/e2e.sqlite", "--out", "out", "--seeds", "2", "--quiet"]
        let first = try await Binary.run(args, in: dir)
        #expect(first.status == 0 && !first.signalled, "\(first.stderr)")
        let md = try String(contentsOfFile: dir + "/out/e2e/leaderboard.md", encoding: .utf8)
        let json = try Data(contentsOf: URL(fileURLWithPath: dir + "/out/e2e/leaderboard.json"))
        for name in Self.systems {
            #expect(md.contains("| \(name) |"), "leaderboard.md lacks \(name)")
            #expect(first.stdout.contains("| \(name) |"), "the printed table lacks \(name)")
        }
        #expect(md.contains("*(sim)*"), "simulated models are labelled")
        let parsed = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect((parsed["systems"] as? [[String: Any]])?.count == 9)
        #expect(parsed["suite"] as? String == "e2e")
        let samples = try storeCounts(dir + "/db/e2e.sqlite").samples
        // Per model: the greedy sample once (the simulated backend answers temperature 0 alike in
        // every seed, so it is generated for one seed), and 4 sampled per item and seed.
        #expect(samples == 3 * (30 + 30 * 4 * 2))
        #expect(first.stdout.contains("\(samples) new samples"), "\(first.stdout.suffix(300))")
        #expect(first.stderr.isEmpty, "quiet run wrote to stderr: \(first.stderr)")

        let second = try await Binary.run(args, in: dir)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("0 new samples"))
        #expect(try storeCounts(dir + "/db/e2e.sqlite").samples == samples)
        #expect(try String(contentsOfFile: dir + "/out/e2e/leaderboard.md", encoding: .utf8) == md)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/out/e2e/leaderboard.json")) == json)
    }

    @Test func validateAcceptsAValidSuite() async throws {
        let dir = try makeTempDir("ttsbench-e2e-valid")
        try smallSuiteYAML(name: "e2e", seed: 11, taskName: nil, items: 30).write(toFile: dir + "/e2e.yaml", atomically: true, encoding: .utf8)
        let result = try await Binary.run(["validate", "e2e.yaml"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("valid") && result.stdout.contains("9 systems"), "\(result.stdout)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".sqlite") || $0 == "results" }.isEmpty)
    }

    @Test func validateNamesSystemsOutsideEveryComparisonAndPlanAndBudgetFlagsWork() async throws {
        let dir = try makeTempDir("ttsbench-e2e-plan-budget")
        let suite = smallSuiteYAML(name: "e2e", seed: 11, taskName: nil, items: 20) + "compare:\n  comparisons: [[weak/maj4, strong/maj4], [mid/maj4, mid/bon4]]\n"
            + "  group_size: 2\n  max_interims: 3\n  permutations: 1000\n"
        try suite.write(toFile: dir + "/e2e.yaml", atomically: true, encoding: .utf8)
        let valid = try await Binary.run(["validate", "e2e.yaml"], in: dir)
        #expect(valid.status == 0, "\(valid.stderr)")
        #expect(valid.stdout.contains("outside every comparison") && valid.stdout.contains("weak/single, weak/bon4, mid/single, strong/single, strong/bon4"),
                "\(valid.stdout)")

        let plan = try await Binary.run(["plan", "e2e.yaml", "--db", "db.sqlite", "--json"], in: dir)
        #expect(plan.status == 0, "\(plan.stderr)")
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
        let total = try #require(parsed["total"] as? [String: [String: Double]])
        #expect(Set(total.keys) == ["samples", "requests", "tokens", "usd"])
        let samples = try #require(total["samples"])
        #expect(samples["min"]! <= samples["expected"]! && samples["expected"]! <= samples["max"]!)
        #expect((parsed["systems"] as? [[String: Any]])?.count == 9)
        #expect(!FileManager.default.fileExists(atPath: dir + "/db.sqlite"), "plan writes nothing")

        // A budget for the first interim only: exit 0, undecided (budget), within the budget.
        let budgeted = try await Binary.run(["run", "e2e.yaml", "--db", "db.sqlite", "--out", "out", "--quiet",
                                             "--max-samples", String(Int(samples["min"]!))], in: dir)
        #expect(budgeted.status == 0, "\(budgeted.stderr)")
        let generated = try storeCounts(dir + "/db.sqlite").samples
        #expect(generated <= Int(samples["min"]!))
        let md = try String(contentsOfFile: dir + "/out/e2e/leaderboard.md", encoding: .utf8)
        if budgeted.stdout.contains("budget (") {
            #expect(md.contains("undecided (budget)"), "\(md)")
        }
        let board = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/out/e2e/leaderboard.json")))
                                 as? [String: Any])
        #expect(((board["systems"] as? [[String: Any]]) ?? []).allSatisfy { ($0["seeds"] as? Int ?? 0) > 0 }, "no system with 0 seeds")

        let usage = try await Binary.run(["run", "e2e.yaml", "--seeds", "2", "--max-samples", "10"], in: dir)
        #expect(usage.status == 2 && usage.stderr.contains("--seeds"), "\(usage.stderr)")
    }

    /// (suite text, expected "FILE:LINE:COL:" prefix after the file name, a fragment of the message)
    static let broken: [(String, String, String)] = [
        (smallSuiteYAML(name: "e2e", seed: 11, taskName: nil, items: 30).replacingOccurrences(of: "n: 4, temperature: 0.8}", with: "n: 0, temperature: 0.8}"), ":14:29: ", "at least 1"),
        (smallSuiteYAML(name: "e2e", seed: 11, taskName: nil, items: 30).replacingOccurrences(of: "seed: 11", with: "sede: 11"), ":2:1: ", "did you mean 'seed'"),
        (smallSuiteYAML(name: "e2e", seed: 11, taskName: nil, items: 30).replacingOccurrences(of: "[weak, mid, strong]", with: "[weak, mid, strnog]"), ":17:31: ", "did you mean 'strong'"),
        ("suite: x\nseed: [1\n", ":3:1: ", "YAML syntax error"),
    ]

    @Test(arguments: 0..<4)
    func aBrokenSuiteIsLocatedExitsTwoAndCreatesNoDatabase(_ index: Int) async throws {
        let (text, location, fragment) = Self.broken[index]
        let dir = try makeTempDir("ttsbench-e2e-broken")
        try text.write(toFile: dir + "/broken.yaml", atomically: true, encoding: .utf8)
        let validate = try await Binary.run(["validate", "broken.yaml"], in: dir)
        #expect(validate.status == 2 && !validate.signalled)
        #expect(validate.stderr.hasPrefix("broken.yaml" + location), "\(validate.stderr)")
        #expect(validate.stderr.contains(fragment), "\(validate.stderr)")
        #expect(validate.stdout.isEmpty)

        let run = try await Binary.run(["run", "broken.yaml", "--db", "db.sqlite", "--out", "out", "--quiet"], in: dir)
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.hasPrefix("broken.yaml" + location), "\(run.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { !$0.hasPrefix("stdout-") && !$0.hasPrefix("stderr-") }
        #expect(left == ["broken.yaml"], "a broken suite left files behind: \(left)")
    }

    @Test func aMalformedDataFileIsLocatedInTheDataFile() async throws {
        let dir = try makeTempDir("ttsbench-e2e-jsonl")
        try "{\"id\": \"a\", \"question\": \"1+1?\", \"answer\": \"2\"}\n{\"id\": \"b\", \"question\": \n"
            .write(toFile: dir + "/items.jsonl", atomically: true, encoding: .utf8)
        let suite = smallSuiteYAML(name: "e2e", seed: 11, taskName: nil, items: 30).replacingOccurrences(of: "  generate: {kind: arithmetic, items: 30, digits: 2}", with: "  file: items.jsonl")
        try suite.write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        let result = try await Binary.run(["run", "s.yaml", "--db", "db.sqlite", "--quiet"], in: dir)
        #expect(result.status == 2)
        #expect(result.stderr.contains("items.jsonl:2:1: "), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/db.sqlite"))
    }

    /// An alias bomb used as a mapping key: Yams hashes every key while composing to check for
    /// duplicates, which walks the 9^9-node expansion. The loader must refuse it quickly.
    @Test func anAliasBombAsAKeyFailsFast() async throws {
        let dir = try makeTempDir("ttsbench-e2e-keybomb")
        var lines = ["suite: t", "description: x", "task:", "  name: a",
                     "laughs:", "  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]"]
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            lines.append("  \(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]")
            previous = name
        }
        lines += ["models:", "  ? *i", "  : 1"]
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/bomb.yaml", atomically: true, encoding: .utf8)
        // Unguarded, this takes hours; the generous limit only keeps a loaded machine from failing it.
        let result = try await Binary.run(["validate", "bomb.yaml"], in: dir, timeout: .seconds(60))
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("bomb.yaml:"), "\(result.stderr)")
    }

    /// Kill a run mid-way (SIGKILL, then SIGINT), run it again: the same leaderboard bytes as an
    /// uninterrupted run, and no duplicate sample.
    @Test func interruptedRunsResumeToTheSameLeaderboard() async throws {
        let dir = try makeTempDir("ttsbench-e2e-kill")
        try smallSuiteYAML(name: "e2e", seed: 11, taskName: nil, items: 160).write(toFile: dir + "/e2e.yaml", atomically: true, encoding: .utf8)
        func args(_ name: String) -> [String] {
            ["run", "e2e.yaml", "--db", "\(name)/db.sqlite", "--out", "\(name)/out", "--seeds", "3", "--quiet", "--workers", "4"]
        }
        let total = 3 * (160 + 160 * 4 * 3)  // greedy samples generated once, for seed 0

        // The uninterrupted reference runs alongside the first interrupted run.
        let referenceRun = try Binary.Running(args("reference"), in: dir)
        var referenceFiles: (md: Data, json: Data)?
        func reference() async throws -> (md: Data, json: Data) {
            if let referenceFiles { return referenceFiles }
            let result = try await referenceRun.wait()
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try storeCounts(dir + "/reference/db.sqlite").samples == total)
            let files = (try Data(contentsOf: URL(fileURLWithPath: dir + "/reference/out/e2e/leaderboard.md")),
                         try Data(contentsOf: URL(fileURLWithPath: dir + "/reference/out/e2e/leaderboard.json")))
            referenceFiles = files
            return files
        }

        for (name, sig) in [("killed", SIGKILL), ("interrupted", SIGINT)] {
            let db = dir + "/\(name)/db.sqlite"
            let running = try Binary.Running(args(name), in: dir)
            // Freeze it as soon as some samples are committed, then stop it.
            let frozen = await running.freeze(when: { ((try? storeCounts(db).samples) ?? 0) > 0 })
            try #require(frozen, "the run finished before it could be stopped; make the suite bigger")
            if sig == SIGKILL {
                // One writer per database: a second run on the same database refuses at once.
                let second = try await Binary.run(args(name), in: dir, timeout: .seconds(20))
                #expect(second.status != 0 && second.stderr.contains("in use"), "\(second.status) \(second.stderr)")
            }
            running.signal(sig)
            running.signal(SIGCONT)
            let stopped = try await running.wait()
            if sig == SIGKILL {
                try #require(stopped.signalled, "the run finished before it was killed; make the suite bigger")
            } else {
                try #require(stopped.status == 130, "SIGINT: status \(stopped.status), stderr \(stopped.stderr)")
                #expect(stopped.stderr.contains("interrupted"))
            }
            let partial = try storeCounts(db).samples
            // Stopped mid-way: samples or seed runs are missing (under load the last samples may be in
            // while seed runs are still being committed).
            let seedRuns = try storeCounts(db).seedRuns
            #expect(partial > 0 && (partial < total || seedRuns < 27), "\(name): \(partial) of \(total) samples, \(seedRuns) of 27 seed runs before resuming")
            #expect(!FileManager.default.fileExists(atPath: dir + "/\(name)/out/e2e/leaderboard.md"))

            let resumed = try await Binary.run(args(name), in: dir)
            #expect(resumed.status == 0, "\(name): \(resumed.stderr)")
            #expect(resumed.stdout.contains("\(total - partial) new samples"), "\(name): \(resumed.stdout.suffix(200))")
            #expect(try storeCounts(db).samples == total)
            #expect(try countRows(db, duplicateSamplesSQL) == 0)
            let (referenceMD, referenceJSON) = try await reference()
            #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/\(name)/out/e2e/leaderboard.md")) == referenceMD, "\(name)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/\(name)/out/e2e/leaderboard.json")) == referenceJSON, "\(name)")
        }
    }
}
