@testable import TTSStore
@testable import TTSCore
import TTSDesign
import GRDB
import Testing

/// The recorded AdaStop settings: one typed record, read back byte for byte, and a stored value
/// this version does not know is an error naming it.
@Suite struct CompareSettingsTests {
    /// Stored texts as earlier releases wrote them: today's (the demo), one with a budget, pairs
    /// and an absolute margin, one from before `permutation`/`futility` existed, and the
    /// reference rule with early accept off.
    static let stored = [
        #"{"alpha":0.05,"comparisons":"all","futility":{"beta":0.25,"margin_sd":0.9},"group_size":5,"max_interims":6,"metric":"accuracy","permutation":"closed","permutations":10000,"pool":"shared","rule":"absolute"}"#,
        #"{"alpha":0.1,"budget":{"samples":5000,"usd":2.5},"comparisons":[["a","b"],["c \"q\"","d"]],"futility":{"beta":0.1,"margin":0.02},"group_size":2,"max_interims":3,"metric":"accuracy","permutation":"holm","permutations":2000,"pool":"independent","rule":"absolute"}"#,
        #"{"alpha":0.05,"comparisons":{"reference":"base"},"group_size":5,"max_interims":6,"metric":"accuracy","permutations":10000,"pool":"shared","rule":"adastop-0.1.3"}"#,
        #"{"alpha":0.05,"budget":{"tokens":2000000,"usd":5.0},"comparisons":[],"futility":"off","group_size":5,"max_interims":6,"metric":"accuracy","permutation":"pairwise","permutations":10000,"pool":"shared","rule":"adastop-0.1.3"}"#,
    ]

    @Test("stored settings read back and write the same bytes", arguments: stored)
    func roundTrip(_ text: String) throws {
        let settings = try CompareSettings(json: text)
        #expect(settings.canonicalJSON == text)
    }

    @Test func typedFieldsAndOldDefaults() throws {
        let demo = try CompareSettings(json: Self.stored[0])
        #expect(demo.metric == .accuracy && demo.rule == .absolute && demo.scheme == .closed && demo.pool == .shared)
        #expect(demo.futility == .on(.standard) && demo.futility?.summary == "0.9 seed sd, beta 0.25")
        let pairs = try CompareSettings(json: Self.stored[1])
        #expect(pairs.comparisons == .pairs([["a", "b"], ["c \"q\"", "d"]]))
        #expect(pairs.futility?.summary == "0.02 (score units), beta 0.1")
        #expect(pairs.budget == CompareSettings.Budget(samples: 5000, usd: 2.5))
        #expect(pairs.design.canonicalJSON == Self.stored[1].replacingOccurrences(of: #""budget":{"samples":5000,"usd":2.5},"#, with: ""))
        let old = try CompareSettings(json: Self.stored[2])
        // Settings from before the choice ran pairwise permutations and had no early accept.
        #expect(old.permutation == nil && old.scheme == .pairwise && old.futility == nil && old.rule == .adastop013)
        #expect(old.comparisons == .reference("base"))
    }

    @Test("an unknown or malformed stored value is an error naming it", arguments: [
        ("\"metric\":\"accuracy\"", "\"metric\":\"f1\"", "'metric' is 'f1'"),
        ("\"rule\":\"absolute\"", "\"rule\":\"relative\"", "'rule' is 'relative'"),
        ("\"permutation\":\"closed\"", "\"permutation\":\"exact\"", "'permutation' is 'exact'"),
        ("\"group_size\":5", "\"group_size\":\"5\"", "'group_size'"),
        ("\"futility\":{\"beta\":0.25,\"margin_sd\":0.9}", "\"futility\":{\"beta\":0.25}", "'futility'"),
    ])
    func unknownValues(_ replace: (String, String, String)) throws {
        let text = Self.stored[0].replacingOccurrences(of: replace.0, with: replace.1)
        #expect(text != Self.stored[0])
        let error = #expect(throws: CompareSettingsError.self) { try CompareSettings(json: text) }
        #expect(error?.message.contains(replace.2) == true, "\(error?.message ?? "")")
    }

    @Test func seedScoresReadTheTypedMetric() {
        let s = SeedScores(accuracy: 0.5, tokensPerItem: 120, callsPerItem: 3, failures: 0)
        #expect(s.value(of: .accuracy) == 0.5 && s.value(of: .tokensPerItem) == 120 && s.value(of: .callsPerItem) == 3)
    }

    /// Decisions are AdaStop's type in the store: written and read back as such, an open
    /// comparison with its reason, and a stored word this version does not know is an error.
    @Test func decisionsAreTypedAndAnUnknownOneIsAnError() async throws {
        let path = try makeTempDir("decisions") + "/t.sqlite"
        let store = try Store(path: path)
        try await store.recordInterim(scope: "s", interim: InterimRow(interim: 0, boundary: 1.5, levelSpent: 0.01, active: [["a", "b"]]),
                                      decisions: [DecisionRecord(a: "a", b: "b", decision: .larger, interim: 0, meanA: 0.9, meanB: 0.5)])
        try await store.recordUndecided(scope: "s", decisions: [DecisionRecord(a: "a", b: "c", decision: nil, interim: 0, meanA: 0.9,
                                                                                meanB: 0.8, reason: "budget")])
        let read = try store.reader.decisions(scope: "s").sorted { $0.b < $1.b }
        #expect(read.map(\.decision) == [.larger, nil] && read.map(\.word) == ["larger", "undecided"] && read[1].reason == "budget")
        let stored = try await DatabaseQueue(path: path).read { try String.fetchAll($0, sql: "SELECT decision FROM decisions ORDER BY b") }
        #expect(stored == ["larger", "undecided:budget"], "the stored words are unchanged")
        try await DatabaseQueue(path: path).write { try $0.execute(sql: "UPDATE decisions SET decision = 'bigger' WHERE b = 'b'") }
        let error = #expect(throws: StoreError.self) { try store.reader.decisions(scope: "s") }
        #expect(error?.message.contains("'bigger'") == true, "\(error?.message ?? "")")
    }
}
