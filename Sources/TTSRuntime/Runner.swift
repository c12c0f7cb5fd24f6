import TTSCore
import TTSStore
import TTSSuite
import TTSSeams
import TTSModels
import TTSVerifiers
import TTSStrategies
/// Runs seed runs: (system, seed index) over all items of the task, through the sample pool.
/// Seed runs already committed are skipped, so calling it again after a crash resumes where the
/// store stopped.
///
/// Concurrency comes from the endpoints, not from items: the runner keeps a window of items in
/// flight across the items, systems and seeds of the work it is given (`itemWindow`), large
/// enough that every endpoint model's `max_concurrency` requests are in flight (its
/// `AdaptiveLimiter` bounds what actually goes out). Items are admitted in a fixed order (seed,
/// system, item), only as slots free up, so memory holds the window, not the whole interim; a
/// seed run is committed as soon as its last item is done. `workers` (`--workers`) caps the window.
/// Every draw is keyed by stable identifiers, so any window gives the same numbers.
public final class Runner: Sendable {
    public let suite: Suite
    public let task: LoadedTask
    public let store: Store
    /// Every recorded call of the run: pooled samples and auxiliary calls (fuser, refinement,
    /// continuation, a judge's verdicts, a reward model's or PRM's scores, in `aux_calls`).
    public let pool: CallPool
    /// The cap on items in flight given by the user (`--workers`), nil for the default.
    public let workers: Int?
    /// Items in flight at most: `workers` when given, otherwise `defaultItemWindow(for:)`.
    public let itemWindow: Int
    let clients: [String: any ModelClient]
    let verifiers: [String: any Verifier]
    let strategies: [String: any Strategy]
    let progress: Progress?
    /// A sharded run (`--shard i/M`): only the shard's items, recorded as item outcomes (see `Runner+Shards`).
    public let shard: Shard?

    /// `workers`: the most items in flight at once (nil: enough to keep every endpoint full).
    public init(suite: Suite, task: LoadedTask, store: Store, workers: Int? = nil, progress: Progress? = nil, shard: Shard? = nil) throws {
        self.suite = suite
        let task = shard.map { $0.restrict(task) } ?? task
        self.task = task
        self.shard = shard
        self.store = store
        self.workers = workers.map { max(1, $0) }
        itemWindow = workers.map { max(1, $0) } ?? Self.defaultItemWindow(for: suite)
        self.progress = progress
        let pool = CallPool(store: store, suiteSeed: suite.seed, onGenerated: { progress?.samplesGenerated($0) })
        self.pool = pool
        var clients: [String: any ModelClient] = [:]
        for model in suite.models { clients[model.name] = try ModelClientFactory.make(model, suiteSeed: suite.seed, store: store) }
        self.clients = clients
        var resources = ModelClientFactory.verifierResources(clients: clients)
        // A verifier's model calls (a judge's) are recorded calls: cached, resumed and priced.
        for model in suite.models {
            resources.clients[model.name] = RecordedVerifierClient(
                inner: clients[model.name]!, pool: pool,
                handle: RecordedVerifierClient.handle(model: model, suiteSeed: suite.seed, taskDigest: task.digest),
                price: model.price, extraction: task.spec.extract)
        }
        // So are a scoring endpoint's (a reward model's, a PRM's).
        resources.scores = RecordedScores(pool: pool, suiteSeed: suite.seed, taskDigest: task.digest, extraction: task.spec.extract)
        var verifiers: [String: any Verifier] = [:]
        for v in suite.verifiers { verifiers[v.name] = VerifierFactory.make(v, suiteSeed: suite.seed, resources: resources) }
        self.verifiers = verifiers
        var strategies: [String: any Strategy] = [:]
        for s in suite.strategies { strategies[s.name] = StrategyFactory.make(s) }
        self.strategies = strategies
    }

    /// The default window of items in flight: twice the requests the suite's endpoints take at
    /// once (the `max_concurrency` of every `kind: openai` model and `kind: reward` verifier),
    /// plus 8 for in-process work (the simulated backend, replays, verification). An item makes
    /// at least one request while it generates, so the window keeps every endpoint's limit full
    /// even while some items are between requests (verifying, or waiting for a sequential step).
    public static func defaultItemWindow(for suite: Suite) -> Int {
        var requests = 0
        for model in suite.models {
            if case .openai(let p) = model.kind { requests += p.maxConcurrency }
        }
        for verifier in suite.verifiers {
            if let reward = verifier.kind as? RewardKind { requests += reward.parameters.maxConcurrency }
            if let prm = verifier.kind as? PRMKind { requests += prm.parameters.endpoint.maxConcurrency }
        }
        return 8 + 2 * requests
    }

    /// The pool a system's samples come from.
    public func poolHandle(for system: SystemSpec) -> CallPool.Handle {
        poolHandle(model: suite.model(system.model)!, strategy: suite.strategy(system.strategy)!, system: system)
    }

    /// The pool of `model` under a system's strategy: the system's own model, or another model
    /// the strategy calls (a fuser), whose auxiliary calls are recorded under this pool.
    func poolHandle(model: ModelSpec, strategy: StrategySpec, system: SystemSpec) -> CallPool.Handle {
        CallPool.Handle(id: Self.poolID(suite: suite, task: task, model: model, strategy: strategy, system: system), modelName: model.name,
                          deterministic: model.deterministicAtZero)
    }

    /// The pool id: everything that shapes a sample except the temperature and indices.
    public static func poolID(suite: Suite, task: LoadedTask, model: ModelSpec, strategy: StrategySpec, system: SystemSpec) -> String {
        var parts = ["suite-seed=\(suite.seed)", "model=\(model.fingerprint)", "task=\(task.digest)", "prompt=\(task.spec.prompt)",
                     "extract=\(task.spec.extract.rawValue)", "top_p=\(strategy.topP)", "max_tokens=\(strategy.maxTokens)"]
        if suite.compare.pool == .independent { parts.append("independent=\(system.name)") }
        return String(SHA256.hex(parts.joined(separator: "\n")).prefix(24))
    }

    /// Makes sure seeds 0..<count[name] of each named system are committed.
    public func ensureSeeds(_ counts: [(system: SystemSpec, seeds: Int)]) async throws {
        var work: [(system: SystemSpec, seed: Int)] = []
        for (system, seeds) in counts {
            let done = try await seedsDone(system, below: seeds)
            for seed in 0..<seeds where !done.contains(seed) { work.append((system, seed)) }
        }
        // Seed-major order: systems sharing a pool read the same block close together in time.
        work.sort { ($0.seed, suite.systems.firstIndex(of: $0.system)!) < ($1.seed, suite.systems.firstIndex(of: $1.system)!) }
        guard !work.isEmpty else { return }
        let items = task.items
        progress?.begin(seedRuns: work.count, items: work.count * items.count)

        var remainingPerSeed: [Int: Int] = [:]
        for w in work { remainingPerSeed[w.seed, default: 0] += 1 }

        /// A seed run with items in flight: what its items need, the outcomes so far, and the
        /// items a failed request left unfinished.
        struct Open {
            var context: SeedRunContext
            var outcomes: [Outcome?]
            var remaining: Int
            var failed: [(item: String, failure: RequestFailure)] = []
        }
        var open: [Int: Open] = [:]
        var unfinished: [UnfinishedItem] = []
        var unfinishedRuns = 0

        // One flat stream of (seed run, item) in work order; at most `itemWindow` in flight.
        try await withThrowingTaskGroup(of: (Int, Int, Result<Outcome, RequestFailure>).self) { group in
            var nextRun = 0, nextItem = 0, running = 0
            while true {
                try Task.checkCancellation()
                while running < itemWindow && nextRun < work.count {
                    if nextItem == 0 {
                        let context = seedRunContext(system: work[nextRun].system, seedIndex: work[nextRun].seed)
                        open[nextRun] = Open(context: context, outcomes: Array(repeating: nil, count: items.count), remaining: items.count)
                    }
                    if items.isEmpty {
                        nextRun += 1
                        continue
                    }
                    let context = open[nextRun]!.context, run = nextRun, index = nextItem
                    group.addTask {
                        do {
                            return (run, index, .success(try await context.solve(items[index])))
                        } catch let failure as RequestFailure {
                            return (run, index, .failure(failure))
                        } catch let partial as PartialGenerationError {
                            return (run, index, .failure(partial.requestFailure))
                        }
                    }
                    running += 1
                    nextItem += 1
                    if nextItem == items.count {
                        nextItem = 0
                        nextRun += 1
                    }
                }
                var finished: [Int] = []
                if let (run, index, result) = try await group.next() {
                    running -= 1
                    switch result {
                    case .success(let outcome):
                        open[run]!.outcomes[index] = outcome
                    case .failure(let failure):
                        // A failed request is not a sample: the item stays unfinished, its seed run
                        // is not committed, and the next run asks again.
                        let system = work[run].system
                        let record = failureRecord(failure, system: system, seedIndex: work[run].seed, item: items[index].id)
                        if failure.stopsRun {
                            try? await store.recordFailures([record])
                            throw EndpointDownError(failure: failure)
                        }
                        open[run]!.failed.append((items[index].id, failure))
                        unfinished.append(UnfinishedItem(system: system.name, model: failure.model, url: failure.url, cause: failure.cause,
                                                         message: failure.message))
                        progress?.itemFailed(failure)
                    }
                    progress?.itemFinished()
                    open[run]!.remaining -= 1
                    if open[run]!.remaining == 0 { finished.append(run) }
                } else {
                    finished = open.keys.sorted()  // only seed runs without items are left
                }
                for run in finished {
                    let done = open.removeValue(forKey: run)!
                    if done.failed.isEmpty {
                        try await commit(done.context.record(done.outcomes.map { $0! }, items: items))
                    } else {
                        // Not committed, never handed to the test: recorded for diagnosis. A shard
                        // keeps the outcomes of its finished items (a later run does the rest).
                        unfinishedRuns += 1
                        try await store.recordFailures(done.failed.map {
                            failureRecord($0.failure, system: work[run].system, seedIndex: work[run].seed, item: $0.item)
                        }, replacingSeedRuns: true)
                        if shard != nil {
                            let kept = zip(items, done.outcomes).filter { $0.1 != nil }
                            try await commit(done.context.record(kept.map { $0.1! }, items: kept.map(\.0)))
                        }
                    }
                    try await pool.flush()
                    progress?.seedRunFinished()
                    let seed = work[run].seed
                    remainingPerSeed[seed]! -= 1
                    if remainingPerSeed[seed] == 0 {
                        try await pool.evict(seedIndex: seed)
                    }
                }
                if running == 0 && nextRun >= work.count && open.isEmpty { break }
            }
        }
        try await store.flush()
        try await pool.flush()
        if !unfinished.isEmpty { throw IncompleteRunError(items: unfinished, seedRuns: unfinishedRuns) }
    }

    /// The record of an item a failed request left unfinished.
    func failureRecord(_ failure: RequestFailure, system: SystemSpec, seedIndex: Int, item: String) -> FailureRecord {
        FailureRecord(suite: suite.name, systemFingerprint: system.fingerprint, systemName: system.name, seedIndex: seedIndex, itemID: item,
                      model: failure.model, url: failure.url, cause: failure.cause.rawValue, message: failure.message,
                      attempts: failure.attempts)
    }

    /// What the items of one seed run need: the system's sample source, verifier, scorers and strategy.
    func seedRunContext(system: SystemSpec, seedIndex: Int) -> SeedRunContext {
        let model = suite.model(system.model)!
        let strategySpec = suite.strategy(system.strategy)!
        var others: [String: PoolSource.OtherModel] = [:]
        for name in strategySpec.referencedModels {
            others[name] = PoolSource.OtherModel(handle: poolHandle(model: suite.model(name)!, strategy: strategySpec, system: system),
                                                 client: clients[name]!, price: suite.model(name)!.price)
        }
        let source = PoolSource(pool: pool, handle: poolHandle(for: system), client: clients[model.name]!,
                                extraction: task.spec.extract, seedIndex: seedIndex, strategy: strategySpec,
                                promptTemplate: task.spec.prompt, others: others, price: model.price)
        let price = model.price
        return SeedRunContext(system: system, seedIndex: seedIndex, source: source, verifier: verifiers[system.verifier]!,
                              scorers: verifiers, strategy: strategies[system.strategy]!, suiteSeed: suite.seed,
                              recordPoolScores: Self.recordsPoolScores(system: system, suite: suite),
                              priceInput: price?.input, priceOutput: price?.output)
    }

    /// Whether a system's outcomes carry its pool's per-sample scores (the leaderboard's scaling
    /// curves): majority and best-of-N systems whose verifier and scorer run in-process (a judge
    /// or a reward endpoint would be called once more per answer class).
    static func recordsPoolScores(system: SystemSpec, suite: Suite) -> Bool {
        guard let strategy = suite.strategy(system.strategy), let verifier = suite.verifier(system.verifier) else { return false }
        guard StrategyFactory.recordsPoolScores(strategy) else { return false }
        if verifier.callsOut { return false }
        if let scorer = strategy.scorer.flatMap(suite.verifier), scorer.callsOut { return false }
        return true
    }

    /// Prices seed runs before they run (budgets): tokens of the simulated backend at their
    /// upper figure (every answer wrong), so a token budget is not overrun by a low estimate.
    public var costModel: CostModel {
        var model = CostModel(suite: suite, task: task, reader: store.reader)
        model.tokenBound = .high
        return model
    }

    /// What was generated since `start` (a `Store.usage()`): samples and auxiliary calls (a
    /// judge's included), their tokens, and US dollars (the recorded costs, each call at its own
    /// model's price; auxiliary calls recorded without their model priced at the highest output
    /// price of the suite's models, an upper bound).
    public func spent(since start: Usage) async throws -> CostModel.Cost {
        let now = try await store.usage()
        let auxPrice = suite.models.compactMap { m -> Double? in
            if case .openai(let p) = m.kind { return max(p.pricePerMillionInput, p.pricePerMillionOutput) }
            return nil
        }.max() ?? 0
        return CostModel.Cost(samples: now.generations - start.generations, requests: 0, tokens: Double(now.tokens - start.tokens),
                              usd: now.usd - start.usd + Double(now.auxiliaryUnpricedTokens - start.auxiliaryUnpricedTokens) * auxPrice / 1e6)
    }

    /// Per-seed values of the suite's metric for the first `seeds` seeds of a system.
    public func scores(of system: SystemSpec, seeds: Int) async throws -> [Double] {
        let all = try await store.seedScores(systemFingerprint: system.fingerprint)
        return try (0..<seeds).map { seed in
            guard let s = all[seed] else { throw StoreError(message: "seed \(seed) of system '\(system.name)' is not recorded") }
            return s.value(of: suite.compare.metric)
        }
    }
}

/// One seed run's fixed parts, shared by its items in flight.
struct SeedRunContext: Sendable {
    let system: SystemSpec
    let seedIndex: Int
    let source: PoolSource
    let verifier: any Verifier
    let scorers: [String: any Verifier]
    let strategy: any Strategy
    let suiteSeed: UInt64
    let recordPoolScores: Bool
    let priceInput: Double?
    let priceOutput: Double?

    func solve(_ item: TaskItem) async throws -> Outcome {
        var prepared = StrategyContext(item: item, seedIndex: seedIndex, source: source, verifier: verifier,
                                       scorers: scorers, suiteSeed: suiteSeed)
        prepared.recordPoolScores = recordPoolScores
        let tally = VerifierCallTally()
        let strategy = self.strategy, context = prepared
        var outcome = try await VerifierCallTally.$current.withValue(tally) { try await strategy.solve(context) }
        outcome.verifier = tally.usage
        return outcome
    }

    /// The seed run's record, from its outcomes in item order.
    func record(_ outcomes: [Outcome], items: [TaskItem]) -> SeedRunRecord {
        let records = zip(items, outcomes).map { item, o in
            var record = OutcomeRecord(itemID: item.id, answer: o.answer, correct: o.correct, reward: o.reward, promptTokens: o.promptTokens,
                                       completionTokens: o.completionTokens, calls: o.calls, failures: o.failures, latencyMs: o.latencyMs,
                                       detail: o.detail, poolScores: o.poolScores, completions: o.completions, noAnswer: o.noAnswer,
                                       noAnswerText: o.noAnswerText, sequentialTokens: o.sequentialTokens,
                                       thinkingTokens: o.thinkingTokens, unfinishedThinking: o.unfinishedThinking,
                                       samplesRead: o.samplesUsed, rounds: o.rounds)
            record.usd = o.usd
            if o.verifier.calls > 0 {
                record.verifierCalls = o.verifier.calls
                record.verifierTokens = o.verifier.tokens
                record.verifierUSD = o.verifier.usd
            }
            return record
        }
        let price = priceInput.map { ($0, priceOutput ?? 0) }
        return SeedRunRecord(systemFingerprint: system.fingerprint, systemName: system.name, seedIndex: seedIndex,
                             outcomes: records, price: price)
    }
}

/// Adapts the pool to the `SampleSource` a strategy sees for one system and seed.
struct PoolSource: SampleSource {
    let pool: CallPool
    let handle: CallPool.Handle
    let client: any ModelClient
    let extraction: AnswerExtraction
    let seedIndex: Int
    let strategy: StrategySpec
    let promptTemplate: String
    /// Other models the strategy may call by name (a fuser), with their pools.
    let others: [String: OtherModel]
    /// USD per million (input, output) tokens of the system's model, when priced.
    let price: (input: Double, output: Double)?

    struct OtherModel: Sendable {
        let handle: CallPool.Handle
        let client: any ModelClient
        let price: (input: Double, output: Double)?
    }

    func messages(for item: TaskItem) -> [ChatMessage] {
        [ChatMessage(role: "user", content: promptTemplate.replacingOccurrences(of: "{question}", with: item.question))]
    }

    func extractAnswer(_ text: String) -> String? { AnswerExtractor.extract(text, mode: extraction) }

    var thinkingBudget: (tokens: Int, options: ReasoningOptions)? {
        guard let p = (client as? OpenAIClient)?.parameters, let tokens = p.thinkingBudget else { return nil }
        return (tokens, p.reasoning)
    }

    func auxiliary(_ call: AuxiliaryCall, for item: TaskItem) async throws -> Sample {
        var handle = self.handle
        var client = self.client
        var price = self.price
        if let name = call.model, name != handle.modelName {
            guard let other = others[name] else {
                throw StrategyError(message: "\(strategy.name): model '\(name)' is not available to this strategy")
            }
            handle = other.handle
            client = other.client
            price = other.price
        }
        let sample = try await pool.call(call, handle: handle, client: client, topP: strategy.topP, item: item,
                                                  extraction: extraction, seedIndex: seedIndex)
        return CallPrice.priced(sample, price)
    }

    func samples(for item: TaskItem, temperature: Double, indices: Range<Int>) async throws -> [Sample] {
        let prompt = promptTemplate.replacingOccurrences(of: "{question}", with: item.question)
        let strategy = self.strategy, price = self.price
        return try await pool.samples(
            handle: handle, client: client,
            request: { seed, seeds, n in
                GenerationRequest(messages: [ChatMessage(role: "user", content: prompt)], temperature: temperature,
                                  topP: strategy.topP, maxTokens: strategy.maxTokens, seed: seed, n: n,
                                  context: ItemContext(item: item, sampleSeeds: seeds))
            },
            item: item, extraction: extraction, seedIndex: seedIndex, temperature: temperature, indices: indices)
            .map { CallPrice.priced($0, price) }
    }
}

import Foundation
