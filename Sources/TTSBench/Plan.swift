import TTSCore
import TTSStore
import TTSSuite
import TTSRuntime
import AdaStop
import Foundation
import TTSModels

/// `ttsbench plan`: what a suite will cost before anything runs. Per system and in total: the
/// samples (pooled samples plus auxiliary calls), requests, tokens and US dollars
///
/// - at **minimum**: every comparison decided at the first interim (`group_size` seeds per system);
/// - **expected**: the mean over replications of a cheap model of the AdaStop schedule: the test
///   itself run on normal scores with each system's prior mean and seed-to-seed deviation, where
///   the prior is a pilot (the system's seeds recorded in the database) or, for the simulated
///   backend, its item-response model; a system with neither is expected at its maximum. The
///   recorded scores are first replayed through the test as far as they go: when that finishes
///   the test, expected is exact (a resume generates nothing more);
/// - at **maximum**: `max_interims × group_size` seeds per compared system.
///
/// Systems outside every comparison run one interim in all three. Samples recorded in the
/// database are free; totals count distinct pool samples (systems sharing a pool read the same
/// samples, majority@4 the first 4 of majority@8). Nothing is written, and the database (when
/// given) is opened read-only.
public struct Plan: Sendable {
    public struct Bracket: Sendable, Equatable {
        public var min: Double
        public var expected: Double
        public var max: Double
    }
    public struct Figures: Sendable, Equatable {
        public var samples: Bracket
        public var requests: Bracket
        public var tokens: Bracket
        public var usd: Bracket
    }
    public struct SystemPlan: Sendable {
        public var name: String
        public var compared: Bool
        public var seeds: Bracket
        /// Where the expected seeds come from ("pilot: 10 recorded seeds", "prior: simulated
        /// item-response model", "none: expected = maximum", "outside every comparison").
        public var expectedFrom: String
        /// The prior mean and seed-to-seed deviation of the metric, when there is one.
        public var priorMean: Double?
        public var priorSD: Double?
        /// Where the tokens per sample come from ("recorded", "simulated token model", "max_tokens (upper bound)").
        public var tokensFrom: String
        public var figures: Figures
    }

    public var suite: String
    public var systems: [SystemPlan]
    public var total: Figures
    /// Whether any model or scoring endpoint has a price (else every usd figure is 0).
    public var priced: Bool
    public var replications: Int
    public var database: String?
    /// Plain warnings about the design (negligible power for a 5-point difference).
    public var warnings: [String] = []

    // MARK: building

    /// Plans the suite at `suitePath`, with the database at `databasePath` when it exists.
    public static func make(suitePath: String, databasePath: String?, replications: Int = 16) throws -> Plan {
        let suite = try SuiteLoader.loadResolvingReplays(path: suitePath)
        let task = try TaskLoader.load(suite.task, suiteSeed: suite.seed)
        try DesignReview.requireDecidable(suite)
        var reader: StoreReader? = nil
        if let databasePath, FileManager.default.fileExists(atPath: databasePath) { reader = try StoreReader(path: databasePath) }
        return try make(suite: suite, task: task, reader: reader, database: reader == nil ? nil : databasePath, replications: replications)
    }

    public static func make(suite: Suite, task: LoadedTask, reader: StoreReader?, database: String?, replications: Int = 16) throws -> Plan {
        let model = CostModel(suite: suite, task: task, reader: reader)
        // Token figures at the brackets: the simulated length model's bounds (every answer
        // right, every answer wrong), so min and max bracket the tokens too.
        var lowModel = model, highModel = model
        lowModel.tokenBound = .low
        highModel.tokenBound = .high
        let comparisons = SequentialSchedule.comparisons(for: suite)
        let config = SequentialSchedule.config(for: suite)
        let n = config.groupSize, maxSeeds = config.interims * config.groupSize
        let named = Set(comparisons.flatMap { [$0.a, $0.b] })
        let priors = try suite.systems.map { try prior($0, suite: suite, task: task, reader: reader) }

        // Seeds per system in each replication of the schedule model.
        let minSeeds = suite.systems.indices.map { _ in n }
        let maxSeedsPerSystem = suite.systems.indices.map { named.contains($0) ? maxSeeds : n }
        var runs: [[Int]] = []
        // The recorded scores replay the test exactly as far as they go: a finished suite is
        // expected to need nothing more, a partial one at least what the replay used.
        let replay = comparisons.isEmpty ? nil : try replayRecorded(suite: suite, comparisons: comparisons, config: config, reader: reader)
        if comparisons.isEmpty {
            runs = [minSeeds]  // `comparisons: none`: one interim for every system
        } else if let replay, replay.finished {
            runs = [suite.systems.indices.map { named.contains($0) ? replay.seeds[$0] : n }]
        } else if priors.contains(where: { $0 != nil }) {
            for rep in 0..<replications {
                runs.append(try simulate(suite: suite, comparisons: comparisons, config: config, priors: priors, replication: rep,
                                         maxSeeds: maxSeedsPerSystem))
            }
            if let replay { runs = runs.map { zip($0, replay.seeds).map { Swift.max($0, $1) } } }
        } else {
            runs = [maxSeedsPerSystem]
        }

        // Per system: its own reads (shared samples counted for each system that reads them).
        var systems: [SystemPlan] = []
        for (i, system) in suite.systems.enumerated() {
            let lo = try lowModel.cost([(system, minSeeds[i])])
            let hi = try highModel.cost([(system, maxSeedsPerSystem[i])])
            let expectedCosts = try runs.map { try model.cost([(system, $0[i])]) }
            let expectedSeeds = Double(runs.reduce(0) { $0 + $1[i] }) / Double(runs.count)
            let from: String
            if !named.contains(i) {
                from = "outside every comparison: one interim"
            } else if let replay, replay.finished {
                from = "replay of the recorded scores (exact)"
            } else if let p = priors[i] {
                from = p.source
            } else {
                from = "no prior: expected = maximum"
            }
            let tokensFrom = try model.sampleTokens(of: system).source
            systems.append(SystemPlan(name: system.name, compared: named.contains(i),
                                      seeds: Bracket(min: Double(minSeeds[i]), expected: expectedSeeds, max: Double(maxSeedsPerSystem[i])),
                                      expectedFrom: from, priorMean: priors[i]?.mean, priorSD: priors[i]?.sd, tokensFrom: tokensFrom,
                                      figures: bracket(lo, expectedCosts, hi)))
        }
        // In total: distinct pool samples over all systems.
        func all(_ seeds: [Int]) -> [(system: SystemSpec, seeds: Int)] { zip(suite.systems, seeds).map { ($0, $1) } }
        let total = bracket(try lowModel.cost(all(minSeeds)), try runs.map { try model.cost(all($0)) },
                            try highModel.cost(all(maxSeedsPerSystem)))
        let priced = suite.models.contains(where: CostModel.hasPrice)
            || suite.verifiers.contains { $0.kind.endpointCallsPerVerification?.price != nil }
        var plan = Plan(suite: suite.name, systems: systems, total: total, priced: priced, replications: runs.count, database: database)
        plan.warnings = try powerWarnings(suite: suite, priors: named.sorted().compactMap { priors[$0] })
        return plan
    }

    /// A warning when one comparison's power to detect 5 accuracy points is negligible (under
    /// 20%) at the compared systems' median prior seed deviation; nothing without priors.
    static func powerWarnings(suite: Suite, priors: [Prior]) throws -> [String] {
        let sds = priors.map(\.sd).sorted()
        guard !sds.isEmpty else { return [] }
        let sd = sds[sds.count / 2]
        let replications = 200
        let estimate = try DesignReview.power(suite, difference: 0.05, sd: sd, replications: replications)
        guard estimate.power < 0.2 else { return [] }
        return ["warning: with group_size \(suite.compare.groupSize) and max_interims \(suite.compare.maxInterims), a difference of 5 "
                + "accuracy points is detected with probability \(fixed(estimate.power, 2)) (± \(fixed(estimate.standardError, 2)), "
                + "\(replications) simulated two-system tests at the median prior seed deviation \(fixed(sd, 3))); raise group_size or "
                + "max_interims to detect differences of that size"]
    }

    static func bracket(_ lo: CostModel.Cost, _ mid: [CostModel.Cost], _ hi: CostModel.Cost) -> Figures {
        func mean(_ f: (CostModel.Cost) -> Double) -> Double { mid.isEmpty ? 0 : mid.reduce(0) { $0 + f($1) } / Double(mid.count) }
        return Figures(samples: Bracket(min: Double(lo.samples), expected: mean { Double($0.samples) }, max: Double(hi.samples)),
                       requests: Bracket(min: Double(lo.requests), expected: mean { Double($0.requests) }, max: Double(hi.requests)),
                       tokens: Bracket(min: lo.tokens, expected: mean(\.tokens), max: hi.tokens),
                       usd: Bracket(min: lo.usd, expected: mean(\.usd), max: hi.usd))
    }

    // MARK: the schedule model

    struct Prior {
        var mean: Double
        var sd: Double
        var source: String
    }

    /// A system's prior mean and seed-to-seed deviation of the metric: a pilot of recorded seeds
    /// (2 or more), else the simulated backend's item-response model, else none.
    static func prior(_ system: SystemSpec, suite: Suite, task: LoadedTask, reader: StoreReader?) throws -> Prior? {
        if let reader {
            let recorded = try reader.seedScores(systemFingerprint: system.fingerprint).values.map { $0.value(of: suite.compare.metric) }
            if recorded.count >= 2 {
                let mean = recorded.reduce(0, +) / Double(recorded.count)
                let sd = (recorded.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(recorded.count - 1)).squareRoot()
                return Prior(mean: mean, sd: sd, source: "pilot: \(recorded.count) recorded seeds")
            }
        }
        guard let spec = suite.model(system.model), case .simulated(let parameters) = spec.kind, !task.items.isEmpty else { return nil }
        let sim = SimulatedModel(name: spec.name, parameters: parameters, fingerprint: spec.fingerprint)
        let strategy = suite.strategy(system.strategy)!
        let declared = strategy.kind.calls(temperature: strategy.temperature, ownModel: system.model).samples.map(\.temperature)
        let temperatures = declared.isEmpty ? [strategy.temperature] : declared
        let samples = max(1, strategy.samplesPerItem)
        var mean = 0.0, variance = 0.0
        for item in task.items {
            let p = temperatures.reduce(0) { $0 + sim.correctProbability(item: item, temperature: $1) } / Double(temperatures.count)
            let q = samples == 1 ? p : pluralityCorrect(p: p, n: samples)
            mean += q
            // Greedy decoding gives every seed the same answers: no seed-to-seed variation.
            if temperatures.contains(where: { $0 > 0 }) { variance += q * (1 - q) }
        }
        let count = Double(task.items.count)
        return Prior(mean: mean / count, sd: variance.squareRoot() / count,
                     source: "prior: simulated item-response model" + (samples > 1 ? " (plurality of \(samples) samples)" : ""))
    }

    /// Probability that the correct answer wins a plurality vote of `n` samples, each correct
    /// with probability `p`, against the most popular wrong answer (half of the wrong mass; ties
    /// split evenly): a trinomial sum.
    static func pluralityCorrect(p: Double, n: Int) -> Double {
        let w = (1 - p) * 0.5, r = 1 - p - w
        var logFactorial = [0.0]
        for k in 1...n { logFactorial.append(logFactorial[k - 1] + log(Double(k))) }
        func logPow(_ x: Double, _ k: Int) -> Double { k == 0 ? 0 : (x > 0 ? Double(k) * log(x) : -Double.infinity) }
        var win = 0.0
        for c in 0...n {
            for v in 0...(n - c) {
                guard c >= v else { continue }
                let rest = n - c - v
                let lp = logFactorial[n] - logFactorial[c] - logFactorial[v] - logFactorial[rest] + logPow(p, c) + logPow(w, v) + logPow(r, rest)
                let prob = exp(lp)
                win += c > v ? prob : 0.5 * prob
            }
        }
        return Swift.min(1, Swift.max(0, win))
    }

    /// The test replayed on the recorded scores (the suite's own settings, so exactly as a run
    /// replays it), interim by interim until one needs a seed that is not recorded: the seeds
    /// each system used, and whether the test finished. Nil without a database.
    static func replayRecorded(suite: Suite, comparisons: [Comparison], config: AdaStopConfig,
                               reader: StoreReader?) throws -> (seeds: [Int], finished: Bool)? {
        guard let reader else { return nil }
        let recorded: [[Double]] = try suite.systems.map { system in
            let all = try reader.seedScores(systemFingerprint: system.fingerprint)
            var out: [Double] = []
            while let s = all[out.count] { out.append(s.value(of: suite.compare.metric)) }
            return out
        }
        var test = try AdaStopTest(agentCount: suite.systems.count, comparisons: comparisons, config: config)
        while !test.isFinished {
            guard test.agentsNeedingScores.allSatisfy({ recorded[$0].count >= test.scoresNeeded(agent: $0) }) else { break }
            _ = try test.runInterim(scores: recorded)
        }
        return (test.scoresUsed, test.isFinished)
    }

    /// One replication: the AdaStop test on normal scores drawn around the priors (a system
    /// without a prior gets its maximum), returning the seeds each system uses.
    static func simulate(suite: Suite, comparisons: [Comparison], config: AdaStopConfig, priors: [Prior?], replication: Int,
                         maxSeeds: [Int]) throws -> [Int] {
        var config = config
        config.permutations = Swift.min(config.permutations, 1000)  // a model of the schedule: fewer permutations suffice
        var test = try AdaStopTest(agentCount: suite.systems.count, comparisons: comparisons, config: config)
        let length = config.interims * config.groupSize
        let scores: [[Double]] = suite.systems.enumerated().map { i, system in
            let prior = priors[i] ?? Prior(mean: 0, sd: 1, source: "")
            var rng = SplitMix64("plan", suite.seed, system.name, replication)
            return (0..<length).map { _ in prior.mean + prior.sd * rng.normal() }
        }
        while !test.isFinished { _ = try test.runInterim(scores: scores) }
        return suite.systems.indices.map { i in
            priors[i] == nil ? maxSeeds[i] : (test.scoresUsed[i] == 0 ? maxSeeds[i] : test.scoresUsed[i])
        }
    }
}

// MARK: output

extension Plan {
    /// `{"systems": [...], "total": {"samples": {"min", "expected", "max"}, "requests": ..., "tokens": ..., "usd": ...}}`
    /// and a few keys saying where the figures come from (sorted keys).
    public func json() -> String {
        func bracket(_ b: Bracket) -> JSONValue { .object(["expected": .double(b.expected), "max": .double(b.max), "min": .double(b.min)]) }
        func figures(_ f: Figures) -> JSONValue {
            .object(["requests": bracket(f.requests), "samples": bracket(f.samples), "tokens": bracket(f.tokens), "usd": bracket(f.usd)])
        }
        let document: JSONValue = .object([
            "database": database.map(JSONValue.string) ?? .null,
            "expected": .string("mean of \(replications) replications of the AdaStop schedule on normal scores around each system's prior (pilot or simulated model)"),
            "priced": .bool(priced),
            "suite": .string(suite),
            "systems": .array(systems.map { s in
                .object([
                    "compared": .bool(s.compared), "expected_from": .string(s.expectedFrom), "name": .string(s.name),
                    "prior_mean": s.priorMean.map(JSONValue.double) ?? .null, "prior_sd": s.priorSD.map(JSONValue.double) ?? .null,
                    "requests": bracket(s.figures.requests), "samples": bracket(s.figures.samples), "seeds": bracket(s.seeds),
                    "tokens": bracket(s.figures.tokens), "tokens_from": .string(s.tokensFrom), "usd": bracket(s.figures.usd),
                ])
            }),
            "total": figures(total),
            "warnings": .array(warnings.map(JSONValue.string)),
        ])
        return JSONWriter(layout: .document, numbers: .decimals(6)).string(document)
    }

    public func text() -> String {
        func n(_ x: Double) -> String { x >= 100 ? String(Int(x.rounded())) : fixed(x, 1) }
        func usd(_ x: Double) -> String { String(format: "$%.2f", x) }
        var out = "Plan for suite '\(suite)'" + (database.map { " (recorded samples in \($0) are free)" } ?? " (no database: nothing recorded)") + "\n"
        out += "min: every comparison decided at the first interim; expected: mean of \(replications) replications of the AdaStop schedule "
            + "around each system's prior; max: every comparison open until the last interim.\n\n"
        out += "| System | Seeds min/exp/max | Expected from | Samples min/exp/max | Tokens min/exp/max | Tokens from |\n"
        out += "|---|---|---|---|---|---|\n"
        for s in systems {
            out += "| \(s.name) | \(n(s.seeds.min)) / \(n(s.seeds.expected)) / \(n(s.seeds.max)) | \(s.expectedFrom) "
            out += "| \(n(s.figures.samples.min)) / \(n(s.figures.samples.expected)) / \(n(s.figures.samples.max)) "
            out += "| \(n(s.figures.tokens.min)) / \(n(s.figures.tokens.expected)) / \(n(s.figures.tokens.max)) | \(s.tokensFrom) |\n"
        }
        out += "\nTotal (distinct pool samples; auxiliary and verifier model calls included):\n"
        out += "  samples  \(n(total.samples.min)) / \(n(total.samples.expected)) / \(n(total.samples.max))\n"
        out += "  requests \(n(total.requests.min)) / \(n(total.requests.expected)) / \(n(total.requests.max))\n"
        out += "  tokens   \(n(total.tokens.min)) / \(n(total.tokens.expected)) / \(n(total.tokens.max))\n"
        out += "  usd      " + (priced ? "\(usd(total.usd.min)) / \(usd(total.usd.expected)) / \(usd(total.usd.max))" : "0 (no model or scoring endpoint of the suite has a price)") + "\n"
        for warning in warnings { out += "\n" + warning + "\n" }
        return out
    }
}
