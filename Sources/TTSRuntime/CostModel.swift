import TTSCore
import TTSStore
import TTSSuite
import Foundation
import TTSModels
import TTSVerifiers

/// What seed runs will cost before they run: the pooled samples and auxiliary calls they read,
/// the requests, tokens and US dollars of the part not yet recorded. Budgets (`compare.budget`,
/// `run --max-*`) check an interim against it before starting it, and `ttsbench plan` prices
/// whole schedules with it.
///
/// Samples are counted over distinct pool entries: systems on one model, temperature and
/// decoding limits read the same (pool, seed, item, temperature, index) samples under
/// `pool: shared`, and a strategy reading N samples reads the first N, so for each pool, seed
/// and temperature the seed runs together read `max N` samples per item. Recorded samples are
/// free (looked up through the `StoreReader`). Auxiliary calls (fuser, refinement, continuation)
/// depend on the samples they see and cannot be looked up in advance: those of a seed run that
/// is not committed count in full (an upper bound when a killed run recorded some of them).
public struct CostModel: Sendable {
    /// One seed run's reads per item: prefixes of the pool at each temperature, auxiliary calls
    /// to a model (the system's own, or a fuser), the verifier's and scorer's model calls (a
    /// judge), by the model that answers, and their calls to scoring endpoints (a reward model,
    /// a PRM), by the verifier that makes them.
    public struct Demand: Sendable {
        public var samples: [(temperature: Double, count: Int)]
        public var auxiliary: [(model: String, calls: Int)]
        public var verifier: [(model: String, calls: Int)] = []
        public var endpoints: [(verifier: String, endpoint: EndpointCalls, calls: Int)] = []
    }

    /// A price: what some seed runs add.
    public struct Cost: Sendable, Equatable {
        /// Generations: pooled samples plus auxiliary calls.
        public var samples: Int = 0
        public var requests: Int = 0
        public var tokens: Double = 0
        public var usd: Double = 0
        public init(samples: Int = 0, requests: Int = 0, tokens: Double = 0, usd: Double = 0) {
            self.samples = samples
            self.requests = requests
            self.tokens = tokens
            self.usd = usd
        }
        public static func + (a: Cost, b: Cost) -> Cost {
            Cost(samples: a.samples + b.samples, requests: a.requests + b.requests, tokens: a.tokens + b.tokens, usd: a.usd + b.usd)
        }
        /// Whether this cost, added to `spent`, stays within `budget`.
        public func fits(_ budget: Budget, spent: Cost) -> Bool {
            if let s = budget.samples, spent.samples + samples > s { return false }
            if let t = budget.tokens, spent.tokens + tokens > Double(t) { return false }
            if let u = budget.usd, spent.usd + usd > u { return false }
            return true
        }
    }

    /// Tokens of one generation, and where the figure comes from.
    public struct TokenEstimate: Sendable, Equatable {
        public var prompt: Double
        public var completion: Double
        /// "recorded" (means of the samples in the database), "simulated token model" (the
        /// simulated backend's length model), or "max_tokens (upper bound)".
        public var source: String
        public var total: Double { prompt + completion }
    }

    /// Which figure of the simulated token model to use: its mean (`expected`), or the length
    /// if every answer were right (`low`) or wrong (`high`: wrong traces run 35% longer).
    /// Recorded means and `max_tokens` are the same for all three.
    public enum TokenBound: Sendable { case low, expected, high }

    public let suite: Suite
    public let task: LoadedTask
    public let reader: StoreReader?
    public var tokenBound: TokenBound = .expected
    /// No memoisation: a plan prices a few schedules and a budget one interim at a time, so
    /// every call reads the database again.
    public init(suite: Suite, task: LoadedTask, reader: StoreReader?) {
        self.suite = suite
        self.task = task
        self.reader = reader
    }

    var itemCount: Int { task.items.count }

    /// The pool id of a model under a system's strategy (as `Runner` computes it).
    public func poolID(model: ModelSpec, system: SystemSpec) -> String {
        Runner.poolID(suite: suite, task: task, model: model, strategy: suite.strategy(system.strategy)!, system: system)
    }

    /// Reads per item of one seed run of `system` (at most, for strategies that stop early), as
    /// its strategy kind and verifier kinds declare them (`StrategyKind.calls`,
    /// `VerifierKind.modelCallsPerVerification`, `VerifierKind.endpointCallsPerVerification`).
    public func demand(_ system: SystemSpec) -> Demand {
        let s = suite.strategy(system.strategy)!
        let calls = s.kind.calls(temperature: s.temperature, ownModel: system.model)
        var verifier: [(model: String, calls: Int)] = []
        var endpoints: [(verifier: String, endpoint: EndpointCalls, calls: Int)] = []
        for (spec, times) in [(suite.verifier(system.verifier), calls.verifications), (s.scorer.flatMap(suite.verifier), calls.scorings)] {
            guard let spec else { continue }
            verifier += spec.kind.modelCallsPerVerification.map { (model: $0.model, calls: $0.calls * times) }
            if let e = spec.kind.endpointCallsPerVerification { endpoints.append((verifier: spec.name, endpoint: e, calls: e.calls * times)) }
        }
        return Demand(samples: calls.samples, auxiliary: calls.auxiliary, verifier: verifier.filter { $0.calls > 0 },
                      endpoints: endpoints.filter { $0.calls > 0 })
    }

    /// What making seeds `0..<seeds` of each system committed adds to the database: seed runs
    /// already committed cost nothing, and recorded samples are free.
    public func cost(_ work: [(system: SystemSpec, seeds: Int)]) throws -> Cost {
        try cost(work.map { (system: $0.system, seeds: 0..<$0.seeds) }, excludingCommitted: true)
    }

    /// The same over seed ranges; `excludingCommitted: false` prices the runs as if none were
    /// committed (a plan's per-system view), recorded samples still free.
    public func cost(_ work: [(system: SystemSpec, seeds: Range<Int>)], excludingCommitted: Bool,
                     recordedFree: Bool = true) throws -> Cost {
        struct GroupKey: Hashable { var pool: String; var model: String; var seed: Int; var temperature: Double; var maxTokens: Int }
        var prefix: [GroupKey: Int] = [:]
        var auxiliary: [(model: String, pool: String, calls: Int, system: SystemSpec)] = []
        var verifierCalls: [(model: String, calls: Int, system: SystemSpec)] = []
        var endpointCalls: [(verifier: String, endpoint: EndpointCalls, calls: Int, system: SystemSpec)] = []
        for (system, seeds) in work where !seeds.isEmpty {
            let committed = excludingCommitted ? try committedSeeds(system) : []
            let demand = self.demand(system)
            let model = suite.model(system.model)!
            let pool = poolID(model: model, system: system)
            for seed in seeds where !committed.contains(seed) {
                for (t, n) in demand.samples {
                    // A deterministic model's temperature-0 samples are generated once (seed 0).
                    let key = GroupKey(pool: pool, model: model.name, seed: model.sampleSeed(seed, temperature: t), temperature: t,
                                       maxTokens: suite.strategy(system.strategy)!.maxTokens)
                    prefix[key] = max(prefix[key] ?? 0, n)
                }
                for (name, calls) in demand.auxiliary {
                    auxiliary.append((model: name, pool: poolID(model: suite.model(name)!, system: system), calls: calls * itemCount,
                                      system: system))
                }
                for (name, calls) in demand.verifier {
                    verifierCalls.append((model: name, calls: calls * itemCount, system: system))
                }
                for e in demand.endpoints {
                    endpointCalls.append((verifier: e.verifier, endpoint: e.endpoint, calls: e.calls * itemCount, system: system))
                }
            }
        }
        var total = Cost()
        var tokenCache: [String: TokenEstimate] = [:]
        for (key, n) in prefix {
            var recorded = 0
            if recordedFree, let reader {
                recorded = try reader.recordedSampleCount(pool: key.pool, seedIndex: key.seed, temperature: key.temperature, below: n)
            }
            let new = max(0, itemCount * n - recorded)
            guard new > 0 else { continue }
            let model = suite.model(key.model)!
            let cacheKey = "\(key.pool)|\(key.temperature)"
            let tokens = try tokenCache[cacheKey] ?? sampleTokens(model: model, pool: key.pool, temperature: key.temperature,
                                                                 maxTokens: key.maxTokens)
            tokenCache[cacheKey] = tokens
            total.samples += new
            total.requests += Self.supportsN(model) ? min(itemCount, new) : new
            total.tokens += Double(new) * tokens.total
            total.usd += Double(new) * price(model, tokens)
        }
        for a in auxiliary {
            let model = suite.model(a.model)!
            let tokens = try auxiliaryTokens(model: model, pool: a.pool, system: a.system)
            total.samples += a.calls
            total.requests += a.calls
            total.tokens += Double(a.calls) * tokens.total
            total.usd += Double(a.calls) * price(model, tokens)
        }
        for v in verifierCalls {
            let model = suite.model(v.model)!
            let tokens = try verifierTokens(model: model, system: v.system)
            total.samples += v.calls
            total.requests += v.calls
            total.tokens += Double(v.calls) * tokens.total
            total.usd += Double(v.calls) * price(model, tokens)
        }
        for e in endpointCalls {
            let tokens = try endpointTokens(e.endpoint, verifier: e.verifier, system: e.system)
            total.samples += e.calls
            total.requests += e.calls
            total.tokens += Double(e.calls) * tokens.total
            total.usd += Double(e.calls) * (e.endpoint.price.map { (tokens.prompt * $0.input + tokens.completion * $0.output) / 1e6 } ?? 0)
        }
        return total
    }

    func committedSeeds(_ system: SystemSpec) throws -> Set<Int> {
        guard let reader else { return [] }
        return Set(try reader.seedScores(systemFingerprint: system.fingerprint).keys)
    }

    static func supportsN(_ model: ModelSpec) -> Bool {
        if case .openai(let p) = model.kind { return p.supportsN != .false }
        return true
    }

    /// USD of one generation with these tokens (0 for a model without a price).
    public func price(_ model: ModelSpec, _ tokens: TokenEstimate) -> Double {
        guard case .openai(let p) = model.kind else { return 0 }
        return (tokens.prompt * p.pricePerMillionInput + tokens.completion * p.pricePerMillionOutput) / 1e6
    }

    /// Whether a model has a price (only `kind: openai` models with `price_*` set).
    public static func hasPrice(_ model: ModelSpec) -> Bool {
        model.price != nil
    }

    /// Mean prompt tokens of the task's prompts (the simulated backend counts 4 characters a token).
    var meanPromptTokens: Double {
        guard !task.items.isEmpty else { return 1 }
        let total = task.items.reduce(0) { $0 + task.spec.prompt.replacingOccurrences(of: "{question}", with: $1.question).utf8.count / 4 }
        return Double(total) / Double(task.items.count)
    }

    /// Tokens of one pooled sample: recorded means, else the simulated backend's length model,
    /// else `max_tokens` as an upper bound of the completion.
    public func sampleTokens(model: ModelSpec, pool: String, temperature: Double, maxTokens: Int) throws -> TokenEstimate {
        if let stats = try reader?.sampleTokenStats(pool: pool, temperature: temperature) {
            return TokenEstimate(prompt: stats.meanPromptTokens, completion: stats.meanCompletionTokens, source: "recorded")
        }
        let cap = Double(maxTokens)
        if case .simulated(let p) = model.kind {
            // SimulatedModel: lognormal lengths (sigma 0.35) around meanTokens, 35% longer when
            // wrong; a share 0.01 + 0.02 T of sampled traces rambles to max_tokens.
            let sim = SimulatedModel(name: model.name, parameters: p, fingerprint: model.fingerprint)
            let mean = task.items.isEmpty ? 0.5
                : task.items.reduce(0) { $0 + sim.correctProbability(item: $1, temperature: temperature) } / Double(task.items.count)
            let correct = tokenBound == .low ? 1 : tokenBound == .high ? 0 : mean
            let typical = Swift.min(cap, p.meanTokens * (correct + 1.35 * (1 - correct)) * exp(0.35 * 0.35 / 2))
            let truncated = temperature > 0 ? 0.01 + 0.02 * temperature : 0
            return TokenEstimate(prompt: meanPromptTokens, completion: (1 - truncated) * typical + truncated * cap,
                                 source: "simulated token model")
        }
        return TokenEstimate(prompt: meanPromptTokens, completion: cap, source: "max_tokens (upper bound)")
    }

    /// Tokens of a pooled sample of `system`'s own pool at its strategy's temperature.
    public func sampleTokens(of system: SystemSpec) throws -> TokenEstimate {
        let model = suite.model(system.model)!
        let strategy = suite.strategy(system.strategy)!
        return try sampleTokens(model: model, pool: poolID(model: model, system: system), temperature: strategy.temperature,
                                maxTokens: strategy.maxTokens)
    }

    /// Tokens of one verifier call (a judge's): recorded means of the model's verifier calls, else
    /// the graded completion and the judge's template in the prompt, and `max_tokens` of the
    /// judge as an upper bound of the reply (the simulated token model for a simulated judge).
    func verifierTokens(model: ModelSpec, system: SystemSpec) throws -> TokenEstimate {
        let pool = RecordedVerifierClient.handle(model: model, suiteSeed: suite.seed, taskDigest: task.digest).id
        if let stats = try reader?.auxiliaryTokenStats(pool: pool) {
            return TokenEstimate(prompt: stats.meanPromptTokens, completion: stats.meanCompletionTokens, source: "recorded")
        }
        let sample = try sampleTokens(of: system)
        let template = Double(JudgeVerifier.defaultPrompt.utf8.count / 4)
        let reply = try sampleTokens(model: model, pool: pool, temperature: 0, maxTokens: JudgeVerifier.defaultMaxTokens)
        return TokenEstimate(prompt: sample.prompt + sample.completion + template, completion: reply.completion, source: reply.source)
    }

    /// Tokens of one call to a scoring endpoint: recorded means of the endpoint's calls, else the
    /// question and a whole candidate (a sample of the system) as its prompt; it writes nothing.
    /// An endpoint that reports no `usage.prompt_tokens` records 0, so its recorded mean is 0.
    func endpointTokens(_ endpoint: EndpointCalls, verifier: String, system: SystemSpec) throws -> TokenEstimate {
        let pool = RecordedScores.handle(endpoint: endpoint.endpoint, verifier: verifier, suiteSeed: suite.seed, taskDigest: task.digest).id
        if let stats = try reader?.auxiliaryTokenStats(pool: pool) {
            return TokenEstimate(prompt: stats.meanPromptTokens, completion: stats.meanCompletionTokens, source: "recorded")
        }
        let sample = try sampleTokens(of: system)
        return TokenEstimate(prompt: sample.prompt + sample.completion, completion: 0, source: sample.source)
    }

    /// Tokens of one auxiliary call: recorded means of the model's calls, else a sample's
    /// completion with the candidates it sees in its prompt.
    func auxiliaryTokens(model: ModelSpec, pool: String, system: SystemSpec) throws -> TokenEstimate {
        if let stats = try reader?.auxiliaryTokenStats(pool: pool) {
            return TokenEstimate(prompt: stats.meanPromptTokens, completion: stats.meanCompletionTokens, source: "recorded")
        }
        let strategy = suite.strategy(system.strategy)!
        let sample = try sampleTokens(of: system)
        let base = try sampleTokens(model: model, pool: pool, temperature: strategy.temperature, maxTokens: strategy.maxTokens)
        return TokenEstimate(prompt: sample.prompt + Double(max(1, strategy.samplesPerItem)) * sample.completion,
                             completion: base.completion, source: base.source)
    }
}
