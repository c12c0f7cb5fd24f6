@testable import TTSBench
@testable import TTSSuite
@testable import TTSCore
import Foundation
import GRDB
import Testing

/// The strategies through the real runner and store: auxiliary calls are recorded once, runs are
/// deterministic whatever the number of workers, and a second run makes no call at all.
@Suite struct StrategyRunTests {
    static let yaml = """
        suite: strategies-run
        seed: 11
        task:
          generate: {kind: arithmetic, items: 25, digits: 3}
        models:
          mid: {kind: simulated, ability: 0.5}
          strong: {kind: simulated, ability: 2.0}
        verifiers:
          math: {kind: math}
          rm: {kind: simulated, auc: 0.8}
        strategies:
          maj4: {kind: majority, n: 4, temperature: 0.8}
          wmaj4: {kind: weighted_majority, n: 4, temperature: 0.8, scorer: rm}
          mt: {kind: multi_temperature, n: 6, temperatures: [0.4, 0.8, 1.2]}
          fuse: {kind: fusion, n: 4, temperature: 0.8}
          fuses: {kind: fusion, n: 4, temperature: 0.8, fuser: strong}
          ffs: {kind: first_finish, n: 4, temperature: 0.8}
          refine: {kind: refine, rounds: 2, temperature: 0.8}
          pdr: {kind: refine, mode: parallel, drafts: 3, rounds: 2, workspace: 500, temperature: 0.8}
          bf: {kind: budget_forcing, budget: 300, min_tokens: 250, temperature: 0.8}
        systems:
          matrix: {model: [mid], strategy: [maj4, wmaj4, mt, fuse, fuses, ffs, refine, pdr, bf], verifier: [math]}

        """

    func run(_ dir: String, workers: Int) async throws -> (db: String, generated: Int) {
        let path = try writeFile(dir, "suite.yaml", Self.yaml)
        var options = Session.Options.quiet(in: dir, workers: workers)
        let report = try await Session.open(suitePath: path, options: options).run(seeds: 2)
        return (options.databasePath, report.samplesGenerated)
    }

    func rows(_ db: String, _ sql: String) throws -> [String] {
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: db, configuration: config)
        return try queue.read { db in try String.fetchAll(db, sql: sql) }
    }

    static let outcomesSQL = """
        SELECT r.system_name || '|' || r.seed_index || '|' || o.item_id || '|' || COALESCE(o.answer, '-') || '|' || o.correct
          || '|' || o.prompt_tokens || '|' || o.completion_tokens || '|' || o.calls || '|' || o.detail
        FROM outcomes o JOIN seed_runs r ON r.id = o.run_id ORDER BY r.system_name, r.seed_index, o.item_index
        """

    @Test func auxiliaryCallsAreRecordedDeterministicAndNotRepeated() async throws {
        let a = try makeTempDir("strategy-run-a")
        let b = try makeTempDir("strategy-run-b")
        let first = try await run(a, workers: 1)
        let other = try await run(b, workers: 16)
        // Same outcomes, details included, with 1 or 16 workers.
        #expect(try rows(first.db, Self.outcomesSQL) == rows(other.db, Self.outcomesSQL))
        let aux = try rows(first.db, "SELECT call_id FROM aux_calls")
        let tags = Set(aux.map { String($0.prefix { $0 != ":" }) })
        #expect(tags.isSuperset(of: ["fuse", "refine-1", "refine-2", "pdr-1-0", "pdr-1-2", "pdr-2-final"]))
        #expect(tags.contains { $0.hasPrefix("wait-") } && tags.contains("conclude"))
        // Self-fusion and fusion by `strong` are recorded under different pools.
        #expect(try rows(first.db, "SELECT DISTINCT pool FROM aux_calls WHERE call_id LIKE 'fuse:%'").count == 2)
        #expect(try rows(first.db, "SELECT COUNT(*) FROM aux_calls WHERE call_id LIKE 'fuse:%'") == ["100"])
        #expect(try rows(first.db, "SELECT COUNT(*) FROM (SELECT 1 FROM aux_calls GROUP BY pool, seed_index, item_id, call_id HAVING COUNT(*) > 1)") == ["0"])
        // Calls per outcome: fusion n + 1, sequential refine 1 + rounds, PDR k + k + 1.
        #expect(try rows(first.db, "SELECT DISTINCT o.calls FROM outcomes o JOIN seed_runs r ON r.id = o.run_id WHERE r.system_name = 'mid/fuse'") == ["5"])
        #expect(try rows(first.db, "SELECT DISTINCT o.calls FROM outcomes o JOIN seed_runs r ON r.id = o.run_id WHERE r.system_name = 'mid/refine'") == ["3"])
        #expect(try rows(first.db, "SELECT DISTINCT o.calls FROM outcomes o JOIN seed_runs r ON r.id = o.run_id WHERE r.system_name = 'mid/pdr'") == ["7"])

        // Running again makes no call: every sample and auxiliary call is read back.
        let auxBefore = aux.count
        let again = try await run(a, workers: 4)
        #expect(again.generated == 0)
        #expect(try rows(a + "/db.sqlite", "SELECT COUNT(*) FROM aux_calls") == [String(auxBefore)])
    }

    /// A resumed run whose seed runs were lost (but whose samples and calls were recorded)
    /// reproduces the same outcomes from the recorded calls.
    @Test func resumingFromRecordedCallsGivesTheSameOutcomes() async throws {
        let dir = try makeTempDir("strategy-run-resume")
        let first = try await run(dir, workers: 4)
        let before = try rows(first.db, Self.outcomesSQL)
        try simulateCrashBeforeCommit(first.db)
        let again = try await run(dir, workers: 2)
        #expect(again.generated == 0)
        #expect(try rows(first.db, Self.outcomesSQL) == before)
    }
}
