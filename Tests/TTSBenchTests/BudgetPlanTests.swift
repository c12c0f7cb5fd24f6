@testable import TTSBench
@testable import TTSReport
@testable import TTSSuite
@testable import TTSStore
@testable import TTSCore
import Foundation
import Testing

/// Issue 12, parts 5-7: systems outside every comparison, `plan`, and budgets.
@Suite struct BudgetPlanTests {
    /// The base suite (9 systems, 40 items) with a small test: 2 seeds per interim, at most 3 interims.
    static func suite(compare: String) -> String {
        baseSuite + "compare:\n" + compare
    }

    static let smallTest = "  group_size: 2\n  max_interims: 3\n  permutations: 1000\n"
    /// The smallest design of this size that `plan` accepts: with 9 systems (36 comparisons under
    /// Holm) group_size 2 can decide no comparison.
    static let decidableTest = "  group_size: 3\n  max_interims: 3\n  permutations: 1000\n"

    static func run(_ suitePath: String, db: String, out: String, budget: Budget? = nil) async throws -> RunReport {
        var options = Session.Options()
        options.databasePath = db
        options.outputDirectory = out
        options.workers = 8
        options.showProgress = false
        options.budget = budget
        return try await Session.open(suitePath: suitePath, options: options).run(seeds: nil)
    }

    /// Pooled samples plus auxiliary calls, and their tokens, in a database.
    static func generated(_ db: String) throws -> (samples: Int, tokens: Int) {
        let usage = try StoreReader(path: db).usage()
        return (usage.generations, usage.tokens)
    }

    // MARK: part 5: systems outside every comparison

    @Test func systemsOutsideEveryComparisonRunOneInterimAndGetARankWithoutDecisions() async throws {
        let dir = try makeTempDir("uncompared")
        let path = try writeFile(dir, "small.yaml", Self.suite(compare: "  comparisons: [[weak/maj4, strong/maj4]]\n" + Self.smallTest))
        let suite = try SuiteLoader.load(path: path)
        #expect(suite.uncomparedSystems == ["weak/single", "weak/bon4", "mid/single", "mid/maj4", "mid/bon4", "strong/single", "strong/bon4"])
        let report = try await Self.run(path, db: dir + "/db.sqlite", out: dir + "/out")
        let board = report.leaderboard
        #expect(board.rows.count == 9, "every system is on the leaderboard")
        for row in board.rows where suite.uncomparedSystems.contains(row.name) {
            #expect(row.seeds == 2, "\(row.name): one interim of group_size seeds, got \(row.seeds)")
            #expect(row.mean > 0, "\(row.name) has a real mean")
        }
        #expect(board.rows.allSatisfy { $0.seeds > 0 && !$0.rank.isEmpty })
        // The only decision is the one comparison; ranks follow the means.
        #expect(board.decisions.count == 1 && board.decisions[0].a == "weak/maj4" && board.decisions[0].b == "strong/maj4")
        #expect(board.rows.map(\.mean) == board.rows.map(\.mean).sorted(by: >))
        let md = MarkdownRenderer().render(board)
        #expect(md.contains("Outside every comparison (one interim, ranked by the mean without decisions): "))
        // A suite comparing all pairs has none.
        let all = try SuiteLoader.load(path: try writeFile(dir, "all.yaml", Self.suite(compare: "  comparisons: all\n")))
        #expect(all.uncomparedSystems.isEmpty)
    }

    // MARK: part 7: budgets

    @Test func budgetParsesWithLocatedErrorsAndStaysOutOfUnbudgetedSettings() throws {
        let dir = try makeTempDir("budget-parse")
        let plain = try SuiteLoader.load(path: try writeFile(dir, "plain.yaml", Self.suite(compare: Self.smallTest)))
        #expect(!plain.compare.canonicalJSON.contains("budget"), "unbudgeted settings keep their bytes")
        let budgeted = try SuiteLoader.load(path: try writeFile(dir, "b.yaml", Self.suite(compare: Self.smallTest
            + "  budget: {samples: 5000, usd: 2.5}\n")))
        #expect(budgeted.compare.budget == Budget(samples: 5000, tokens: nil, usd: 2.5))
        #expect(budgeted.compare.canonicalJSON.hasPrefix("{\"alpha\":0.05,\"budget\":{\"samples\":5000,\"usd\":2.5},\"comparisons\""))
        #expect(budgeted.fingerprint == plain.fingerprint, "a budget changes no number: the suite fingerprint stays")
        // The base suite has 18 lines; compare: is line 19, budget on line 23.
        let cases: [(String, Int, Int, String)] = [
            ("  budget: {}\n", 23, 11, "sets no limit"),
            ("  budget: {samples: 0}\n", 23, 21, "must be at least 1"),
            ("  budget: {tokens: lots}\n", 23, 20, "must be an integer"),
            ("  budget: {dollars: 3}\n", 23, 12, "unknown key 'dollars'"),
        ]
        for (text, line, column, mention) in cases {
            let p = try writeFile(dir, "bad.yaml", Self.suite(compare: Self.smallTest + text))
            let error = try #require(throws: SuiteError.self) { try SuiteLoader.load(path: p) }
            #expect(error.line == line && error.column == column && error.message.contains(mention), "\(text): \(error)")
        }
        // Flags replace the suite's limits one by one.
        #expect(Budget(samples: 10, usd: 1).overridden(by: Budget(samples: 20)) == Budget(samples: 20, usd: 1))
    }

    @Test func aBudgetedRunStaysWithinItRecordsUndecidedAndResumesToTheUnbudgetedDecisions() async throws {
        let dir = try makeTempDir("budget-run")
        let path = try writeFile(dir, "small.yaml", Self.suite(compare: "  comparisons: all\n" + Self.smallTest))
        // The reference: an unbudgeted run.
        let full = try await Self.run(path, db: dir + "/full.sqlite", out: dir + "/full")
        #expect(full.leaderboard.decisions.allSatisfy { !$0.isUndecided })
        #expect(full.leaderboard.rows.contains { $0.seeds > 2 }, "some comparison needs a second interim")

        // A budget that pays for the first interim (3 pools x 40 items x (4 x 2 seeds + 1 greedy sample,
        // generated once on the deterministic simulated backend) = 1080) but not the second (+960).
        let db = dir + "/budget.sqlite"
        let budget = Budget(samples: 1500)
        let first = try await Self.run(path, db: db, out: dir + "/budget", budget: budget)
        let spent = try Self.generated(db)
        #expect(spent.samples == 1080 && spent.samples <= budget.samples!, "within the budget: \(spent.samples)")
        let stop = try #require(first.budgetStop)
        #expect(stop.interim == 1 && stop.undecided > 0 && stop.spent.samples == 1080)
        let board = first.leaderboard
        let open = board.decisions.filter(\.isUndecided)
        #expect(!open.isEmpty && open.allSatisfy { $0.reason == "budget" && $0.interim == 0 })
        #expect(!board.decisions.contains { $0.decision == "equal" }, "an open comparison is never reported as equal")
        #expect(board.rows.allSatisfy { $0.seeds == 2 })
        // Recorded at run time, shown by every report.
        let md = MarkdownRenderer().render(board)
        #expect(md.contains("undecided (budget)") || md.contains("`?` undecided (budget)"))
        let json = JSONRenderer().render(board)
        #expect(json.contains("\"decision\": \"undecided\"") && json.contains("\"reason\": \"budget\""))
        #expect(HTMLRenderer().render(board).contains("undecided (budget)"))
        let rebuilt = try LeaderboardBuilder.build(reader: StoreReader(path: db), suite: "small")
        #expect(rebuilt.decisions == board.decisions, "the leaderboard reads the undecided comparisons from the database")

        // A larger budget resumes: the recorded interim is replayed for free and the test goes on.
        let resumed = try await Self.run(path, db: db, out: dir + "/budget", budget: Budget(samples: 1_000_000))
        #expect(resumed.budgetStop == nil)
        #expect(resumed.leaderboard.decisions == full.leaderboard.decisions, "the same decisions as the unbudgeted run")
        #expect(resumed.leaderboard.rows.map(\.name) == full.leaderboard.rows.map(\.name))
        #expect(resumed.leaderboard.rows.map(\.seeds) == full.leaderboard.rows.map(\.seeds))
        #expect(resumed.leaderboard.rows.map(\.rank) == full.leaderboard.rows.map(\.rank))
        #expect(try Self.generated(db).samples == (try Self.generated(dir + "/full.sqlite").samples))
    }

    @Test func aBudgetTooSmallForTheFirstInterimShowsNoSystemWithZeroSeeds() async throws {
        let dir = try makeTempDir("budget-none")
        let path = try writeFile(dir, "small.yaml", Self.suite(compare: "  comparisons: all\n" + Self.smallTest
            + "  budget: {samples: 100}\n"))
        let report = try await Self.run(path, db: dir + "/db.sqlite", out: dir + "/out")
        #expect(try Self.generated(dir + "/db.sqlite").samples == 0)
        #expect(report.leaderboard.rows.isEmpty, "no system with 0 seeds on a leaderboard")
        #expect(report.leaderboard.decisions.count == 36 && report.leaderboard.decisions.allSatisfy { $0.isUndecided && $0.interim == -1 })
        #expect(MarkdownRenderer().render(report.leaderboard).contains("36 comparisons were left undecided (budget)"))
        #expect(HTMLRenderer().render(report.leaderboard).contains("<table id=\"undecided\">"))
        #expect(CSVRenderer().render(report.leaderboard) == CSVRenderer.header.joined(separator: ",") + "\r\n")
    }

    @Test func anUndecidedComparisonMakesNoRankClaim() {
        func row(_ name: String, _ mean: Double) -> Leaderboard.Row {
            Leaderboard.Row(name: name, model: "", modelLabel: "", strategy: "", strategyLabel: "", verifier: "", simulated: true, mean: mean,
                            ciLow: mean, ciHigh: mean, seeds: 2, rank: "", tokensPerItem: 0, callsPerItem: 0, failures: 0)
        }
        let decisions = [Leaderboard.DecisionRow(a: "a", b: "b", decision: "undecided", interim: 0, reason: "budget"),
                         Leaderboard.DecisionRow(a: "b", b: "c", decision: "larger", interim: 0)]
        var rows = LeaderboardBuilder.order([row("c", 0.9), row("b", 0.5), row("a", 0.4)], decisions: decisions, higherIsBetter: true)
        LeaderboardBuilder.assignRanks(&rows, decisions: decisions)
        // b beat c (the decision wins over the means); a and b are not separated by the open comparison.
        #expect(rows.map(\.name) == ["b", "c", "a"])
        #expect(rows.map(\.rank) == ["1", "2=", "2="])
    }

    // MARK: part 6: plan

    @Test func planBracketsAnActualRunAndCountsRecordedSamplesAsFree() async throws {
        let dir = try makeTempDir("plan")
        let path = try writeFile(dir, "small.yaml", Self.suite(compare: "  comparisons: all\n" + Self.decidableTest))
        let db = dir + "/db.sqlite"
        let plan = try Plan.make(suitePath: path, databasePath: db)
        #expect(plan.database == nil, "no database yet: nothing recorded")
        #expect(plan.systems.allSatisfy { $0.expectedFrom.hasPrefix("prior: simulated") && $0.tokensFrom == "simulated token model" })
        // Distinct pool samples: per model and item, 4 shared by maj4 and bon4 per seed, and 1
        // greedy sample priced once (the simulated backend answers temperature 0 alike in every seed).
        #expect(plan.total.samples.min == 3 * 40 * (4 * 3 + 1))
        #expect(plan.total.samples.max == 3 * 40 * (4 * 9 + 1))
        // A system counts what it reads: bon4 reads 4 per item and seed.
        #expect(plan.systems.first { $0.name == "mid/bon4" }?.figures.samples.max == Double(40 * 4 * 9))

        let report = try await Self.run(path, db: db, out: dir + "/out")
        let actual = try Self.generated(db)
        let t = plan.total
        #expect(t.samples.min <= Double(actual.samples) && Double(actual.samples) <= t.samples.max, "\(t.samples) vs \(actual.samples)")
        #expect(t.tokens.min <= Double(actual.tokens) && Double(actual.tokens) <= t.tokens.max, "\(t.tokens) vs \(actual.tokens)")
        #expect(t.samples.expected <= 2 * Double(actual.samples) && Double(actual.samples) <= 2 * t.samples.expected)
        #expect(t.tokens.expected <= 2 * Double(actual.tokens) && Double(actual.tokens) <= 2 * t.tokens.expected)

        // Planned again on the database: what is recorded is free, and the priors are pilots.
        let again = try Plan.make(suitePath: path, databasePath: db)
        #expect(again.database == db)
        #expect(again.total.samples.min == 0)
        #expect(again.total.samples.max == t.samples.max - Double(actual.samples))
        // The recorded scores replay the whole test: nothing more is expected.
        #expect(again.total.samples.expected == 0 && again.total.tokens.expected == 0)
        #expect(again.systems.allSatisfy { $0.expectedFrom == "replay of the recorded scores (exact)" && $0.tokensFrom == "recorded" })
        #expect(zip(again.systems, report.leaderboard.rows.sorted { l, r in
            (again.systems.firstIndex { $0.name == l.name } ?? 0) < (again.systems.firstIndex { $0.name == r.name } ?? 0)
        }).allSatisfy { $0.seeds.expected == Double($1.seeds) }, "the replay uses the seeds the run used")
        let json = again.json()
        for key in ["\"systems\": [", "\"total\": {\"requests\": {\"expected\": ", "\"samples\": {\"expected\": ", "\"tokens\": {", "\"usd\": {"] {
            #expect(json.contains(key), "\(key)")
        }
        #expect(try JSONSerialization.jsonObject(with: Data(json.utf8)) is [String: Any])
    }
}
