import AdaStop
import Foundation

/// `ttsbench compare`: two systems of a suite, compared with statistical stopping.
public struct CompareOptions: Sendable {
    public var databasePath = "results/ttsbench.sqlite"
    public var workers = 8
    public var showProgress = true
    public var alpha: Double?
    public var groupSize: Int?
    public var maxInterims: Int?
    public var permutations: Int?
    public init() {}
}

public struct CompareReport: Sendable {
    public var a: String
    public var b: String
    /// nil never happens once finished: undecided comparisons become "equal" at the last interim.
    public var decision: Decision
    /// 0-based interim at which the decision was taken.
    public var interim: Int
    public var seedsA: Int
    public var seedsB: Int
    public var meanA: Double
    public var meanB: Double
    public var difference: Double
    public var ciLow: Double
    public var ciHigh: Double
    public var config: AdaStopConfig
    public var metric: String
    public var paired: Bool

    public var verdict: String {
        switch decision {
        case .larger: "\(a) better"
        case .smaller: "\(b) better"
        case .equal: "no difference detected at alpha \(config.alpha)"
        }
    }

    public func text() -> String {
        var out = "A: \(a)  (\(seedsA) seeds, mean \(metric) \(fixed(meanA, 4)))\n"
        out += "B: \(b)  (\(seedsB) seeds, mean \(metric) \(fixed(meanB, 4)))\n"
        out += "Verdict: \(verdict)\n"
        out += "Stopped at interim \(interim + 1) of \(config.interims) (group size \(config.groupSize), \(config.permutations) permutations, rule \(config.rule.rawValue)"
            + (config.scheme == .pairwise ? ")\n" : ", \(config.scheme.rawValue) permutation)\n")
        out += "Mean difference A − B: \(fixed(difference, 4)), 95% CI [\(fixed(ciLow, 4)), \(fixed(ciHigh, 4))] (\(paired ? "paired" : "unpaired") bootstrap over seeds)\n"
        return out
    }

    public func json() -> String {
        func num(_ x: Double) -> String { let r = (x * 1e9).rounded() / 1e9; return String(r) }
        return "{\"a\": \(jsonString(a)), \"alpha\": \(config.alpha), \"b\": \(jsonString(b)), \"ci_high\": \(num(ciHigh)), "
            + "\"ci_low\": \(num(ciLow)), \"decision\": \"\(decision.rawValue)\", \"difference\": \(num(difference)), "
            + "\"group_size\": \(config.groupSize), \"interim\": \(interim), \"max_interims\": \(config.interims), "
            + "\"mean_a\": \(num(meanA)), \"mean_b\": \(num(meanB)), \"metric\": \(jsonString(metric)), \"paired\": \(paired), "
            + "\"permutations\": \(config.permutations), \"seeds\": {\(jsonString(a)): \(seedsA), \(jsonString(b)): \(seedsB)}, "
            + "\"verdict\": \(jsonString(verdict))}"
    }
}

public enum SystemComparison {
    public static func run(suitePath: String, a: String, b: String, options: CompareOptions) async throws -> CompareReport {
        let suite = try SuiteLoader.load(path: suitePath)
        let names = suite.systems.map(\.name)
        for name in [a, b] where suite.system(name) == nil {
            let suggestion = closest(name, in: names).map { " (did you mean '\($0)'?)" } ?? ""
            throw SuiteError(file: suitePath, line: 1, column: 1,
                             message: "the suite defines no system '\(name)'\(suggestion); systems: \(names.joined(separator: ", "))")
        }
        guard a != b else { throw SuiteError(file: suitePath, line: 1, column: 1, message: "compare needs two different systems") }
        let systems = [suite.system(a)!, suite.system(b)!]
        var config = SequentialSchedule.config(for: suite)
        if let alpha = options.alpha { config.alpha = alpha }
        if let n = options.groupSize { config.groupSize = n }
        if let k = options.maxInterims { config.interims = k }
        if let p = options.permutations { config.permutations = p }
        try config.validate()

        let task = try TaskLoader.load(suite.task, suiteSeed: suite.seed)
        let lock = try RunLock(database: options.databasePath)
        defer { withExtendedLifetime(lock) {} }
        let store = try Store(path: options.databasePath)
        try await store.register(suite, taskDigest: task.digest)
        let progress = Progress(enabled: options.showProgress)
        let runner = try Runner(suite: suite, task: task, store: store, workers: options.workers, progress: progress)
        let schedule = SequentialSchedule(systems: systems, comparisons: [Comparison(a: 0, b: 1)], config: config,
                                          scope: "\(suite.name):compare:\(a)|\(b)")
        let outcome: SequentialSchedule.Outcome
        do {
            outcome = try await schedule.run(runner: runner, progress: progress)
        } catch {
            progress.finish()
            try? await store.flush()
            throw error
        }
        progress.finish()
        let result = outcome.results[0]
        let xs = Array(outcome.scores[0].prefix(outcome.scoresUsed[0]))
        let ys = Array(outcome.scores[1].prefix(outcome.scoresUsed[1]))
        // Seeds with the same index share samples when the pool is shared: pair them.
        let paired = suite.compare.pool == .shared && xs.count == ys.count
        let (lo, hi) = differenceInterval(xs, ys, paired: paired, seed: "\(suite.seed)|\(a)|\(b)")
        return CompareReport(a: a, b: b, decision: result.decision ?? .equal, interim: result.interim ?? outcome.interims.count - 1,
                             seedsA: xs.count, seedsB: ys.count, meanA: mean(xs), meanB: mean(ys),
                             difference: mean(xs) - mean(ys), ciLow: lo, ciHigh: hi, config: config,
                             metric: suite.compare.metric, paired: paired)
    }

    static func mean(_ xs: [Double]) -> Double { xs.isEmpty ? 0 : xs.reduce(0, +) / Double(xs.count) }

    /// 95% percentile bootstrap of mean(x) − mean(y) over seeds; deterministic.
    static func differenceInterval(_ xs: [Double], _ ys: [Double], paired: Bool, seed: String, resamples: Int = 4000) -> (Double, Double) {
        guard !xs.isEmpty, !ys.isEmpty else { return (0, 0) }
        var rng = SplitMix64("difference-bootstrap", seed)
        var diffs: [Double] = []
        diffs.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var sx = 0.0, sy = 0.0
            if paired {
                for _ in xs.indices {
                    let i = Int(rng.next() % UInt64(xs.count))
                    sx += xs[i]; sy += ys[i]
                }
            } else {
                for _ in xs.indices { sx += xs[Int(rng.next() % UInt64(xs.count))] }
                for _ in ys.indices { sy += ys[Int(rng.next() % UInt64(ys.count))] }
            }
            diffs.append(sx / Double(xs.count) - sy / Double(ys.count))
        }
        diffs.sort()
        return (diffs[Int(0.025 * Double(resamples))], diffs[Int(0.975 * Double(resamples)) - 1])
    }
}
