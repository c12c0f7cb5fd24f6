// Checks the AdaStop test against the reference cases (computed with PyPI adastop 0.1.3, see their
// README), in both boundary modes. The cases are the project's own test data, vendored in
// Tests/Fixtures/adastop-cases (copied from the shared adastop/cases; outside the test target's
// directory so that SwiftPM does not warn about unhandled files), so a fresh clone runs them all.

import Foundation
import Testing
@testable import AdaStop

/// `Tests/Fixtures/adastop-cases`, located from this file's `#filePath` (so no resource bundle is
/// needed). `ADASTOP_CASES_DIR` overrides, e.g. to check a new set of cases before vendoring it.
func adastopCasesDirectory(filePath: String = #filePath) -> URL {
    if let env = ProcessInfo.processInfo.environment["ADASTOP_CASES_DIR"], !env.isEmpty {
        return URL(fileURLWithPath: env)
    }
    return URL(fileURLWithPath: filePath)
        .deletingLastPathComponent()   // Tests/AdaStopTests
        .deletingLastPathComponent()   // Tests
        .appendingPathComponent("Fixtures/adastop-cases")
}

let casesDirectory = adastopCasesDirectory()

func caseFileNames() -> [String] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: casesDirectory.path) else { return [] }
    return names.filter { $0.hasPrefix("case") && $0.hasSuffix(".json") }.sorted()
}

struct ReferenceExpected: Decodable {
    var decisions: [String: String]
    var decidedAt: [String: Int]
    var scoresUsed: [String: Int]
    var interimsRun: Int
    var boundaries: [Double?]
    var levelSpent: Double

    enum CodingKeys: String, CodingKey {
        case decisions, boundaries
        case decidedAt = "decided_at_interim"
        case scoresUsed = "scores_used"
        case interimsRun = "interims_run"
        case levelSpent = "level_spent"
    }
}

/// The case file as stored. Decoded with JSONDecoder: on Linux, JSONSerialization parses some
/// doubles one ulp off, which is enough to move a knife-edge case.
struct ReferenceCaseFile: Decodable {
    struct Params: Decodable {
        var K: Int
        var n: Int
        var B: Int
        var alpha: Double
        var seed: UInt64
        var comparisons: ComparisonSpec
    }
    enum ComparisonSpec: Decodable {
        case all
        case list([[Int]])
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) {
                guard s == "all" else {
                    throw DecodingError.dataCorruptedError(in: c, debugDescription: "unknown comparisons \(s)")
                }
                self = .all
            } else {
                self = .list(try c.decode([[Int]].self))
            }
        }
    }
    var params: Params
    var exact_enumeration: Bool
    var robust_to_rounding: Bool?
    var agents: [String]
    var scores: [String: [Double]]
    var expected: [String: ReferenceExpected]
}

struct ReferenceCase {
    var name: String
    var agents: [String]
    var scores: [[Double]]
    var comparisons: [Comparison]
    var config: AdaStopConfig
    var exactEnumeration: Bool
    var robustToRounding: Bool
    var expected: [String: ReferenceExpected]

    init(file: URL) throws {
        let raw = try JSONDecoder().decode(ReferenceCaseFile.self, from: Data(contentsOf: file))
        name = file.lastPathComponent
        agents = raw.agents
        scores = try raw.agents.map { try #require(raw.scores[$0]) }
        switch raw.params.comparisons {
        case .all:
            comparisons = Comparison.allPairs(agentCount: agents.count)
        case .list(let list):
            comparisons = list.map { Comparison($0[0], $0[1]) }
        }
        config = AdaStopConfig(interims: raw.params.K, groupSize: raw.params.n, permutations: raw.params.B,
                               alpha: raw.params.alpha, seed: raw.params.seed, rule: .absolute)
        exactEnumeration = raw.exact_enumeration
        robustToRounding = raw.robust_to_rounding ?? true
        expected = raw.expected
    }

    func label(_ c: Comparison) -> String { "\(agents[c.a]) vs \(agents[c.b])" }
}

func loadCase(_ name: String) throws -> ReferenceCase {
    try ReferenceCase(file: casesDirectory.appendingPathComponent(name))
}

func relativelyClose(_ a: Double, _ b: Double, _ tol: Double = 1e-9) -> Bool {
    abs(a - b) <= tol * max(1, abs(a), abs(b))
}

@Suite("Reference cases (adastop 0.1.3)")
struct ReferenceCaseTests {
    @Test("the vendored cases are present")
    func casesArePresent() throws {
        // The parameterized checks below have no arguments (and so check nothing) without them.
        #expect(caseFileNames().count >= 8, "expected at least the 8 cases in \(casesDirectory.path)")
    }

    @Test("decisions, interims, scores used, boundaries and level spent match the reference",
          arguments: caseFileNames(), [BoundaryRule.adastop013, BoundaryRule.absolute])
    func matchesReference(file: String, rule: BoundaryRule) throws {
        let rc = try loadCase(file)
        let exp = try #require(rc.expected[rule.rawValue], "\(file) has no expected results for \(rule.rawValue)")
        var config = rc.config
        config.rule = rule
        let run = try runAdaStop(scores: rc.scores, comparisons: rc.comparisons, config: config)
        let ctx = "\(file) [\(rule.rawValue)]"

        #expect(run.interims.count == exp.interimsRun, "\(ctx): interims run")
        for r in run.results {
            let key = rc.label(r.comparison)
            #expect(r.decision?.rawValue == exp.decisions[key], "\(ctx): decision of \(key)")
            #expect(r.interim == exp.decidedAt[key], "\(ctx): interim of the decision on \(key)")
        }
        #expect(run.results.count == exp.decisions.count, "\(ctx): number of comparisons")
        for (i, agent) in rc.agents.enumerated() {
            #expect(run.scoresUsed[i] == exp.scoresUsed[agent], "\(ctx): scores used by \(agent)")
        }

        // Boundaries and level spent can be matched wherever the permutations were enumerated
        // (always in exact_enumeration cases; in the others, the leading exact interims).
        #expect(exp.boundaries.count == exp.interimsRun)
        var allExact = true
        for rec in run.interims {
            guard rec.exact else {
                allExact = false
                continue
            }
            guard rec.interim < exp.boundaries.count else { continue }
            let want = exp.boundaries[rec.interim]
            switch (rec.boundary, want) {
            case (nil, nil):
                break
            case let (got?, want?):
                #expect(relativelyClose(got, want), "\(ctx): boundary at interim \(rec.interim): \(got) vs \(want)")
            default:
                Issue.record("\(ctx): boundary at interim \(rec.interim): \(String(describing: rec.boundary)) vs \(String(describing: want))")
            }
        }
        if rc.exactEnumeration {
            #expect(allExact, "\(ctx): every interim should have been enumerated exactly")
        }
        if allExact {
            let spent = run.interims.last?.levelSpent ?? 0
            #expect(relativelyClose(spent, exp.levelSpent, 1e-12), "\(ctx): level spent \(spent) vs \(exp.levelSpent)")
        }
    }

    @Test("the interim-by-interim state machine gives the same results as the one-shot run",
          arguments: caseFileNames())
    func stateMachineMatchesOneShot(file: String) throws {
        let rc = try loadCase(file)
        let oneShot = try runAdaStop(scores: rc.scores, comparisons: rc.comparisons, config: rc.config)
        var test = try AdaStopTest(agentCount: rc.agents.count, comparisons: rc.comparisons, config: rc.config)
        // Feed only what each agent needs, as a driver producing scores on demand would.
        var given = Array(repeating: [Double](), count: rc.agents.count)
        while !test.isFinished {
            let needing = test.agentsNeedingScores
            #expect(!needing.isEmpty)
            for a in 0..<rc.agents.count {
                let need = test.scoresNeeded(agent: a)
                if needing.contains(a) {
                    #expect(need == (test.currentInterim + 1) * rc.config.groupSize)
                    given[a] = Array(rc.scores[a].prefix(need))
                } else {
                    #expect(need == test.scoresUsed[a], "a frozen agent needs nothing new")
                }
            }
            let before = test.currentInterim
            let rec = try test.runInterim(scores: given)
            #expect(rec.interim == before)
        }
        #expect(test.results == oneShot.results)
        #expect(test.scoresUsed == oneShot.scoresUsed)
        #expect(test.interims == oneShot.interims)
        #expect(test.agentsNeedingScores.isEmpty)
        #expect(throws: AdaStopError.testFinished) { _ = try test.runInterim(scores: given) }
    }

    @Test("the CSV front end reproduces the cases, also when written by pandas with an index column",
          arguments: caseFileNames())
    func csvReproducesCases(file: String) throws {
        let rc = try loadCase(file)
        let rows = rc.scores[0].count
        for withIndex in [false, true] {
            var text = (withIndex ? "," : "") + rc.agents.joined(separator: ",") + "\n"
            for i in 0..<rows {
                text += (withIndex ? "\(i)," : "") + rc.scores.map { "\($0[i])" }.joined(separator: ", ") + "\n"
            }
            let csv = try AdaStopCSV(text: text)
            #expect(csv.hasIndexColumn == withIndex)
            #expect(csv.agents == rc.agents)
            #expect(csv.scores == rc.scores, "Swift's shortest round-trip printing must parse back exactly")
            for rule in [BoundaryRule.adastop013, .absolute] {
                var config = rc.config
                config.rule = rule
                let report = try csv.run(config: config, comparisons: rc.comparisons)
                let exp = try #require(rc.expected[rule.rawValue])
                for r in report.results {
                    #expect(r.decision?.rawValue == exp.decisions[rc.label(r.comparison)], "\(file) \(rule.rawValue)")
                }
                #expect(report.interims.count == exp.interimsRun)
                #expect(report.isFinished)
            }
        }
    }

    @Test("a file holding only the first interim's rows runs that interim and leaves the rest undecided")
    func partialFile() throws {
        let rc = try loadCase("case07.json")  // runs all 5 interims
        let n = rc.config.groupSize
        let partial = rc.scores.map { Array($0.prefix(2 * n + 3)) }  // 2 full groups and 3 extra rows
        let run = try runAdaStop(scores: partial, comparisons: rc.comparisons, config: rc.config)
        #expect(run.interims.count == 2)
        #expect(run.results.allSatisfy { $0.decision == nil && $0.interim == nil })
        #expect(run.scoresUsed == Array(repeating: 2 * n, count: rc.agents.count))
        // Same first interims as the full run.
        let full = try runAdaStop(scores: rc.scores, comparisons: rc.comparisons, config: rc.config)
        #expect(Array(full.interims.prefix(2)) == run.interims)
    }
}
