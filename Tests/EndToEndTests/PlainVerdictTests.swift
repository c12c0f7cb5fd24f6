// What a new user meets: a design that cannot decide is refused with the sizes that can, an
// edited suite is not mixed with the recorded one, a design is not changed under a running
// test, and `compare` says what it found in one sentence.

import Foundation
import Testing

@Suite struct PlainVerdictTests {
    static func suite(name: String = "plain", ability: Double = 1.5, items: Int = 40, compare: String) -> String {
        """
        suite: \(name)
        seed: 5
        task:
          generate: {kind: arithmetic, items: \(items), digits: 2}
        models:
          weak: {kind: simulated, ability: -1.0}
          strong: {kind: simulated, ability: \(ability)}
        verifiers:
          math: {kind: math}
        strategies:
          maj4: {kind: majority, n: 4, temperature: 0.8}
        systems:
          matrix: {model: [weak, strong], strategy: [maj4], verifier: [math]}
        compare:
          \(compare)

        """
    }

    @Test func validateAndPlanRefuseADesignThatCannotDecideWithTheSizesThatCan() async throws {
        let dir = try makeTempDir("ttsbench-e2e-design")
        try Self.suite(compare: "group_size: 2\n  max_interims: 2").write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        for command in ["validate", "plan"] {
            let r = try await Binary.run([command, "s.yaml"], in: dir)
            #expect(r.status == 2, "\(command): \(r.stdout)\(r.stderr)")
            // Located at compare.group_size (line 15, the value's column).
            #expect(r.stderr.hasPrefix("s.yaml:15:15: no comparison can ever be decided"), "\(command): \(r.stderr)")
            #expect(r.stderr.contains("group_size: 3 with max_interims: 2"), "\(r.stderr)")
            #expect(r.stderr.contains("with group_size: 2"), "\(r.stderr)")
        }
        // The sizes it names are accepted.
        try Self.suite(compare: "group_size: 3\n  max_interims: 2").write(toFile: dir + "/ok.yaml", atomically: true, encoding: .utf8)
        let ok = try await Binary.run(["validate", "ok.yaml"], in: dir)
        #expect(ok.status == 0, "\(ok.stderr)")
        // A run of the undecidable design still runs (nothing is lost) but warns.
        let run = try await Binary.run(["run", "s.yaml", "--db", "s.sqlite", "--out", "out", "--quiet"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("warning: s.yaml: no comparison can ever be decided"), "\(run.stderr)")
    }

    @Test func anEditedSuiteIsRefusedUnlessReplacedAndADesignIsNotChangedUnderARunningTest() async throws {
        let dir = try makeTempDir("ttsbench-e2e-changes")
        let args = ["run", "s.yaml", "--db", "s.sqlite", "--out", "out", "--quiet"]
        try Self.suite(compare: "group_size: 3\n  max_interims: 2").write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        let first = try await Binary.run(args, in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        let board = try String(contentsOfFile: dir + "/out/plain/leaderboard.md", encoding: .utf8)

        // Another model under the same name: refused, naming both fingerprints; nothing changes.
        try Self.suite(ability: 0.5, compare: "group_size: 3\n  max_interims: 2").write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        let edited = try await Binary.run(args, in: dir)
        #expect(edited.status == 2, "\(edited.stdout)\(edited.stderr)")
        #expect(edited.stderr.contains("suite 'plain' is recorded in s.sqlite with fingerprint") && edited.stderr.contains("--replace"),
                "\(edited.stderr)")
        #expect(try String(contentsOfFile: dir + "/out/plain/leaderboard.md", encoding: .utf8) == board, "the old board is kept")
        // Renamed: a second board beside the first.
        try Self.suite(name: "plain2", ability: 0.5, compare: "group_size: 3\n  max_interims: 2")
            .write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        #expect(try await Binary.run(args, in: dir).status == 0)
        #expect(FileManager.default.fileExists(atPath: dir + "/out/plain2/leaderboard.md"))
        // --replace: the edited suite replaces the recorded one.
        try Self.suite(ability: 0.5, compare: "group_size: 3\n  max_interims: 2").write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        let replaced = try await Binary.run(args + ["--replace"], in: dir)
        #expect(replaced.status == 0, "\(replaced.stderr)")

        // The test began: raising max_interims would continue it under another design.
        try Self.suite(ability: 0.5, compare: "group_size: 3\n  max_interims: 4").write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        for extra in [[], ["--replace"]] {
            let changed = try await Binary.run(args + extra, in: dir)
            #expect(changed.status == 2, "\(changed.stdout)\(changed.stderr)")
            #expect(changed.stderr.contains("began under another design") && changed.stderr.contains("\"max_interims\":2"),
                    "\(changed.stderr)")
        }
    }

    @Test func compareSaysWhoIsBetterByHowManyPointsFirst() async throws {
        let dir = try makeTempDir("ttsbench-e2e-compare-plain")
        try Self.suite(compare: "group_size: 3\n  max_interims: 3").write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        let r = try await Binary.run(["compare", "s.yaml", "weak/maj4", "strong/maj4", "--db", "s.sqlite", "--quiet"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let first = r.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.hasPrefix("strong/maj4 is better than weak/maj4 by ") && first.contains(" points on these 40 items (95% CI ["),
                "\(r.stdout)")
        #expect(first.contains("item test"), "\(first)")
        // Two models share no samples: the seed interval is not called paired.
        #expect(!r.stdout.contains("paired bootstrap"), "\(r.stdout)")
        let json = try await Binary.run(["compare", "s.yaml", "weak/maj4", "strong/maj4", "--db", "s.sqlite", "--json", "--quiet"], in: dir)
        #expect(json.stdout.contains("\"ending\": \"decided\"") && json.stdout.contains("\"paired\": false"), "\(json.stdout)")

        // The leaderboard's item test for the same pair and seeds gives the same p-value.
        let run = try await Binary.run(["run", "s.yaml", "--db", "s.sqlite", "--out", "out", "--quiet"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        let board = try String(contentsOfFile: dir + "/out/plain/leaderboard.json", encoding: .utf8)
        // The leaderboard opens with one plain sentence too.
        let markdown = try String(contentsOfFile: dir + "/out/plain/leaderboard.md", encoding: .utf8)
        let opening = markdown.split(separator: "\n").dropFirst().first.map(String.init) ?? ""
        #expect(opening.hasPrefix("**strong/maj4 is first with accuracy ") && opening.contains(" points above weak/maj4 (95% CI [")
                && opening.contains("AdaStop found the difference real on these items"), "\(opening)")
        let p = json.stdout.components(separatedBy: "\"p_value\": ").dropFirst().first?.prefix(while: { $0 != "}" && $0 != "," })
        let q = board.components(separatedBy: "\"p_value\": ").dropFirst().first?.prefix(while: { $0 != "}" && $0 != "," })
        let pa = try #require(p.flatMap { Double($0) }), pb = try #require(q.flatMap { Double($0) })
        #expect(abs(pa - pb) < 1e-6, "compare p \(pa), leaderboard p \(pb)")

        // A CLI name error is not located in the suite file.
        let bad = try await Binary.run(["compare", "s.yaml", "weak/maj4", "strong/maj", "--db", "s.sqlite"], in: dir)
        #expect(bad.status == 2 && bad.stderr.contains("did you mean 'strong/maj4'") && !bad.stderr.contains("s.yaml:1:1"), "\(bad.stderr)")
    }

    @Test func planWarnsWhenAFivePointDifferenceIsAlmostNeverDetected() async throws {
        let dir = try makeTempDir("ttsbench-e2e-power")
        // 10 items: the seed spread of majority@4 is about 0.12, and 6 seeds each see 5 points rarely.
        try Self.suite(items: 10, compare: "group_size: 3\n  max_interims: 2").write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        let weak = try await Binary.run(["plan", "s.yaml"], in: dir)
        #expect(weak.status == 0, "\(weak.stderr)")
        #expect(weak.stdout.contains("warning: with group_size 3 and max_interims 2, a difference of 5 accuracy points is detected with probability"),
                "\(weak.stdout)")
        // 400 items: the spread is small and the same design has power: no warning.
        try Self.suite(items: 400, compare: "group_size: 3\n  max_interims: 2").write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        let strong = try await Binary.run(["plan", "s.yaml", "--json"], in: dir)
        #expect(strong.status == 0 && strong.stdout.contains("\"warnings\": []"), "\(strong.stdout)")
    }

    @Test func validateWarnsOfAnUnsetAPIKeyButAccepts() async throws {
        let dir = try makeTempDir("ttsbench-e2e-key")
        let suite = Self.suite(compare: "group_size: 3\n  max_interims: 2")
            .replacingOccurrences(of: "  weak: {kind: simulated, ability: -1.0}",
                                  with: "  weak: {kind: openai, base_url: \"http://127.0.0.1:9/v1\", model: m, api_key_env: TTSBENCH_UNSET_KEY_FOR_TEST}")
        try suite.write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        let r = try await Binary.run(["validate", "s.yaml"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("model 'weak' reads its API key from $TTSBENCH_UNSET_KEY_FOR_TEST, which is not set here"), "\(r.stderr)")
    }

    @Test func leaderboardWithoutItsDatabaseExitsTwo() async throws {
        let dir = try makeTempDir("ttsbench-e2e-no-db")
        let r = try await Binary.run(["leaderboard", "--db", "missing.sqlite"], in: dir)
        #expect(r.status == 2 && r.stderr.contains("no database at missing.sqlite"), "\(r.stderr)")
    }
}
