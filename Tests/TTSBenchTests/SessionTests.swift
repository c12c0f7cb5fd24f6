@testable import TTSBench
@testable import TTSSuite
@testable import TTSStore
import Foundation
import Testing

/// The use-case layer: what `compare` does before anything is recorded.
@Suite struct SessionTests {
    static let suite = """
        suite: session
        seed: 1
        task: {generate: {kind: arithmetic, items: 10}}
        models:
          a: {kind: simulated, ability: 0.0}
          b: {kind: simulated, ability: 1.0}
        verifiers:
          math: {kind: math}
        strategies:
          maj4: {kind: majority, n: 4, temperature: 0.8}
        systems:
          matrix: {model: [a, b], strategy: [maj4], verifier: [math]}
        compare: {group_size: 3, max_interims: 2, permutations: 200}

        """

    @Test func compareNamingAnUnknownSystemFailsBeforeOpeningTheDatabase() async throws {
        let dir = try makeTempDir("session-compare")
        let path = try writeFile(dir, "session.yaml", Self.suite)
        var options = Session.Options()
        options.databasePath = dir + "/db.sqlite"
        options.showProgress = false
        // A name from the command line: an argument error, not a location in the suite file.
        let error = await #expect(throws: ArgumentError.self) {
            _ = try await Session.compare(suitePath: path, "a/maj4", "b/maj", options: options)
        }
        #expect(error?.message.contains("did you mean 'b/maj4'") == true)
        #expect(error?.message.contains(":1:1") == false)
        await #expect(throws: ArgumentError.self) { _ = try await Session.compare(suitePath: path, "a/maj4", "a/maj4", options: options) }
        #expect(!FileManager.default.fileExists(atPath: options.databasePath), "nothing is opened or recorded for a bad name")

        // Two real systems: decided, recorded under the compare's own scope, not the suite's.
        let report = try await Session.compare(suitePath: path, "a/maj4", "b/maj4", options: options)
        #expect(report.seedsA == report.seedsB && report.seedsA >= 2)
        // Beside the verdict: the difference over items and seeds, and the paired item test.
        let overItems = try #require(report.overItems)
        let itemTest = try #require(report.itemTest)
        #expect(overItems.items == itemTest.items && itemTest.items > 0)
        #expect(abs(overItems.difference - report.difference) < 1e-9, "the same seeds and items: the same mean difference")
        #expect(overItems.ciLow <= overItems.difference && overItems.difference <= overItems.ciHigh)
        #expect(report.json().contains("\"item_test\": {\"difference\": ") && report.text().contains("Item test (paired permutation"))
        let reader = try StoreReader(path: options.databasePath)
        #expect(try reader.decisions(scope: "session").isEmpty)
        let scopes = try reader.scopes(withPrefix: "session:compare:a/maj4|b/maj4|design=")
        #expect(scopes.count == 1 && scopes.allSatisfy { try! reader.decisions(scope: $0).count == 1 }, "\(scopes)")

        // The same design again replays the recorded test; another design is refused, never
        // continued (raising the interims after a "no difference" would spend alpha twice).
        let again = try await Session.compare(suitePath: path, "a/maj4", "b/maj4", options: options)
        #expect(again.decision == report.decision && again.seedsA == report.seedsA)
        var more = CompareOverrides()
        more.maxInterims = report.config.interims + 2
        await #expect(throws: ArgumentError.self) {
            _ = try await Session.compare(suitePath: path, "a/maj4", "b/maj4", overrides: more, options: options)
        }
        #expect(try reader.scopes(withPrefix: "session:compare:a/maj4|b/maj4|design=") == scopes, "nothing recorded for the refused design")
    }
}
