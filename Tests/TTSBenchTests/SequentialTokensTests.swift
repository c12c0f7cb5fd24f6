@testable import TTSBench
@testable import TTSReport
@testable import TTSRuntime
@testable import TTSSuite
@testable import TTSStore
@testable import TTSCore
import Foundation
import Testing
@testable import TTSSeams
@testable import TTSStrategies

/// Sequential tokens (the critical path of a strategy's calls), FFS-k@N and LFS-k@N.
@Suite struct SequentialTokensTests {
    /// Six samples whose overall majority ("5") differs from the majority of the three that
    /// finish first ("7") and of the three that finish last ("9").
    static let script = StrategyScriptedSource(script: [0.8: [
        .init(answer: "5", tokens: 300), .init(answer: "7", tokens: 100), .init(answer: "5", tokens: 310),
        .init(answer: "7", tokens: 120), .init(answer: "9", tokens: 900), .init(answer: "5", tokens: 130),
        .init(answer: "9", tokens: 800), .init(answer: "5", tokens: 320),
    ]])

    @Test func firstFinishKVotesAmongTheFirstKAndIsChargedUpToTheKth() async throws {
        let outcome = try await FirstFinishStrategy(n: 8, k: 3, temperature: 0.8).solve(strategyContext(strategyScriptedItem, Self.script))
        // First three to finish: 100 ("7"), 120 ("7"), 130 ("5"): "7" wins 2/3; the majority of all eight is "5" (4/8).
        #expect(outcome.answer == "7", "\(outcome.detail)")
        #expect(outcome.detail.contains("first 3 to finish [1,3,5]") && outcome.detail.contains("'7' 2/3"), "\(outcome.detail)")
        let all = try await MajorityStrategy(n: 8, temperature: 0.8).solve(strategyContext(strategyScriptedItem, Self.script))
        #expect(all.answer == "5")
        // The others are cancelled when the third finishes (130 tokens).
        #expect(outcome.completionTokens == [300, 100, 310, 120, 900, 130, 800, 320].reduce(0) { $0 + min($1, 130) })
        #expect(outcome.sequentialTokens == 130)
        #expect(outcome.calls == 8)
    }

    @Test func lastFinishKVotesAmongTheLongestAndWaitsForAll() async throws {
        let outcome = try await LastFinishStrategy(n: 8, k: 3, temperature: 0.8).solve(strategyContext(strategyScriptedItem, Self.script))
        // The three longest: 900 ("9"), 800 ("9"), 320 ("5").
        #expect(outcome.answer == "9", "\(outcome.detail)")
        #expect(outcome.detail.hasPrefix("last 3 to finish [4,6,7]"), "\(outcome.detail)")
        #expect(outcome.completionTokens == 300 + 100 + 310 + 120 + 900 + 130 + 800 + 320)
        #expect(outcome.sequentialTokens == 900)
        let longest = try await LastFinishStrategy(n: 4, temperature: 0.8).solve(strategyContext(strategyScriptedItem, Self.script))
        #expect(longest.answer == "5" && longest.sequentialTokens == 310)  // of samples 0-3 the longest is sample 2
    }

    @Test func kOneKeepsTheFingerprintOfFirstFinishWithoutK() throws {
        #expect(Fingerprint.canonicalJSON(TaggedKind(FirstFinishKind(n: 8))) == Fingerprint.canonicalJSON(TaggedKind(FirstFinishKind(n: 8, k: 1))))
        #expect(!Fingerprint.canonicalJSON(TaggedKind(FirstFinishKind(n: 8, k: 1))).contains("\"k\""))
        #expect(Fingerprint.canonicalJSON(TaggedKind(FirstFinishKind(n: 8, k: 3))).contains("\"k\":3"))
        #expect(FirstFinishKind(n: 8, k: 3).label == "first_finish-3@8" && FirstFinishKind(n: 8).label == "first_finish@8")
    }

    @Test func parallelSamplesCountTheLongestAndDependentCallsAddUp() async throws {
        let majority = try await MajorityStrategy(n: 8, temperature: 0.8).solve(strategyContext(strategyScriptedItem, Self.script))
        #expect(majority.sequentialTokens == 900)
        #expect(majority.completionTokens == 2980)

        // Auxiliary calls on the simulated backend: the fuser waits for every candidate; each
        // refinement round waits for the one before; PDR's calls in one round run side by side.
        let source = StrategySimSource(model: strategyModel("mid", ability: 0.3))
        let item = strategyItems[7]
        let fusion = FusionStrategy(parameters: FusionParameters(n: 4, fuser: nil, fuserTemperature: 0, prompt: FusionParameters.defaultPrompt,
                                                                 maxCandidateChars: 4000), temperature: 0.8)
        let fused = try await fusion.solve(strategyContext(item, source))
        let pool = try await source.samples(for: item, temperature: 0.8, indices: 0..<4)
        let longest = pool.map { $0.completion!.completionTokens }.max()!
        let fuserTokens = fused.completionTokens - pool.reduce(0) { $0 + $1.completion!.completionTokens }
        #expect(fused.sequentialTokens == longest + fuserTokens)

        let sequential = RefineStrategy(parameters: RefineParameters(mode: .sequential, rounds: 3, drafts: 1, workspace: 2000), temperature: 0.8)
        let refined = try await sequential.solve(strategyContext(item, source))
        #expect(refined.sequentialTokens == refined.completionTokens)  // draft, then three rounds, each waiting for the last

        let pdr = RefineStrategy(parameters: RefineParameters(mode: .parallel, rounds: 2, drafts: 4, workspace: 2000), temperature: 0.8)
        let logged = PathRecordingSource(base: source)
        let parallel = try await pdr.solve(strategyContext(item, logged))
        // drafts (4 in parallel), round 1 (4 in parallel), round 2 (the final call).
        let drafts = try await source.samples(for: item, temperature: 0.8, indices: 0..<4).map { $0.completion!.completionTokens }
        let rounds = logged.tokens.calls
        #expect(rounds.count == 5)
        #expect(parallel.sequentialTokens == drafts.max()! + rounds.prefix(4).max()! + rounds[4])
        #expect(parallel.sequentialTokens < parallel.completionTokens)
    }

    /// Over every kind on the simulated backend, the critical path is at least the longest
    /// call's completion and never more than the total tokens.
    @Test func neverMoreThanTotalTokensForAnyKind() async throws {
        let source = StrategySimSource(model: strategyModel("mid", ability: 0.3))
        let strategies: [any Strategy] = [
            SingleStrategy(temperature: 0.8), MajorityStrategy(n: 6, temperature: 0.8),
            FirstFinishStrategy(n: 6, k: 3, temperature: 0.8), LastFinishStrategy(n: 6, k: 3, temperature: 0.8),
            MultiTemperatureStrategy(parameters: MultiTemperatureParameters(temperatures: [0.4, 0.8, 1.2], n: 12, minPerTemperature: 2,
                                                                            tauIntra: 0.6, tauCross: 1.0, finalRule: .pooled)),
            RefineStrategy(parameters: RefineParameters(mode: .parallel, rounds: 2, drafts: 3, workspace: 2000), temperature: 0.8),
            BudgetForcingStrategy(parameters: BudgetForcingParameters(budget: 600, minTokens: 400, maxWaits: 2, cue: "Wait", answerTokens: 16),
                                  temperature: 0.8),
        ]
        for strategy in strategies {
            for outcome in try await strategyOutcomes(strategy, source, items: Array(strategyItems.prefix(40))) {
                #expect(outcome.sequentialTokens > 0 && outcome.sequentialTokens <= outcome.completionTokens,
                        "\(type(of: strategy)): \(outcome.sequentialTokens) of \(outcome.completionTokens)")
            }
        }
    }

    /// Outcomes keep their sequential tokens in the store; a seed run's mean is what the
    /// leaderboard reads, and every renderer shows it.
    @Test func recordedAndRenderedFromTheDatabase() async throws {
        let dir = try makeTempDir("sequential")
        let path = try writeFile(dir, "seq.yaml", """
            suite: seq
            seed: 11
            task: {name: arith, generate: {kind: arithmetic, items: 30, digits: 2}}
            models: {m: {kind: simulated, ability: 0.2}}
            verifiers: {math: {kind: math}}
            strategies:
              single: {kind: single}
              ffs: {kind: first_finish, n: 6, k: 3}
              lfs: {kind: last_finish, n: 6, k: 3}
              maj: {kind: majority, n: 6}
            systems: {matrix: {model: [m], strategy: [single, ffs, lfs, maj], verifier: [math]}}
            compare: {group_size: 2, max_interims: 1, permutations: 200}

            """)
        var options = Session.Options()
        options.databasePath = dir + "/seq.sqlite"
        options.outputDirectory = dir
        options.showProgress = false
        _ = try await Session.open(suitePath: path, options: options).run()
        let board = try LeaderboardBuilder.build(reader: try StoreReader(path: options.databasePath), suite: "seq")
        let rows = Dictionary(uniqueKeysWithValues: board.rows.map { ($0.name, $0) })
        for row in board.rows {
            let sequential = try #require(row.sequentialTokensPerItem, "\(row.name)")
            #expect(sequential > 0 && sequential < row.tokensPerItem, "\(row.name)")
        }
        // Six parallel samples wait for the longest; first-finish-3 stops at the third.
        #expect(rows["m/ffs"]!.sequentialTokensPerItem! < rows["m/maj"]!.sequentialTokensPerItem!)
        #expect(rows["m/lfs"]!.sequentialTokensPerItem! == rows["m/maj"]!.sequentialTokensPerItem!)
        #expect(rows["m/maj"]!.sequentialTokensPerItem! > rows["m/single"]!.sequentialTokensPerItem!)
        let json = JSONRenderer().render(board), csv = CSVRenderer().render(board), md = MarkdownRenderer().render(board)
        let html = HTMLRenderer().render(board)
        #expect(json.contains("\"sequential_tokens_per_item\": \(JSONRenderer.numbers.spell(rows["m/ffs"]!.sequentialTokensPerItem!))"))
        #expect(csv.hasPrefix(CSVRenderer.header.joined(separator: ",")) && CSVRenderer.header.contains("sequential_tokens_per_item"))
        #expect(md.contains("Sequential tokens/item") && md.contains(fixed(rows["m/lfs"]!.sequentialTokensPerItem!, 1)))
        #expect(html.contains("Accuracy against sequential tokens per item"))
    }
}

/// A sample source that passes through to another and records each auxiliary call's completion tokens in order.
struct PathRecordingSource: SampleSource {
    let base: StrategySimSource
    let tokens = TokenLog()
    func messages(for item: TaskItem) -> [ChatMessage] { base.messages(for: item) }
    func samples(for item: TaskItem, temperature: Double, indices: Range<Int>) async throws -> [Sample] {
        try await base.samples(for: item, temperature: temperature, indices: indices)
    }
    func auxiliary(_ call: AuxiliaryCall, for item: TaskItem) async throws -> Sample {
        let s = try await base.auxiliary(call, for: item)
        tokens.append(s.completion?.completionTokens ?? 0)
        return s
    }
}

final class TokenLog: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Int] = []
    func append(_ n: Int) { lock.withLock { storage.append(n) } }
    var calls: [Int] { lock.withLock { storage } }
}
