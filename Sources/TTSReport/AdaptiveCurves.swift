import TTSCore
import TTSStore
import AdaStop

extension Leaderboard {
    /// The adaptive votes (`adaptive_consistency`, `esc`, `confidence_consistency`): what each
    /// read per item, and the exact curves of their rules over a recorded majority pool beside
    /// maj@k. Empty on a board without adaptive systems (its files keep their bytes).
    public struct Adaptive: Sendable, Equatable {
        public var systems: [AdaptiveSystem] = []
        public var curves: [AdaptiveCurve] = []
        /// Why an adaptive system has no curve (plain text, one line each).
        public var missingCurves: [String] = []
        public var isEmpty: Bool { systems.isEmpty && curves.isEmpty && missingCurves.isEmpty }
    }

    /// One adaptive system: its accuracy and what it read per item, from its outcomes.
    public struct AdaptiveSystem: Sendable, Equatable {
        public var name: String
        public var model: String
        public var strategyLabel: String
        public var mean: Double
        public var maxN: Int
        public var samplesPerItem: Double
        public var roundsPerItem: Double
        /// Share of items that stopped before `maxN`.
        public var stoppedEarly: Double
        public var tokensPerItem: Double
        public var sequentialTokensPerItem: Double?
    }

    /// A stopping rule's expected accuracy and samples over a range of its parameter, computed
    /// from one majority system's recorded pools (`adaptiveVoteExpectation`), or for the
    /// confidence-weighted rule from a reward-scored pool (`confidenceVoteExpectation`), beside
    /// maj@k of the same pools at the same expected samples.
    public struct AdaptiveCurve: Sendable, Equatable {
        public var model: String
        /// "adaptive_consistency" (the Beta rule, parameter: threshold), "esc" (parameter: window)
        /// or "confidence_consistency" (the weighted Beta rule, parameter: threshold).
        public var rule: String
        public var parameterName: String
        public var maxN: Int
        /// The majority system whose pools were read, and how many item-seeds.
        public var pool: String
        public var pools: Int
        public var points: [AdaptivePoint]
        /// maj@k over the same pools, k = 1...maxN.
        public var majority: [Double]
        /// For a confidence-weighted curve: how the pool's recorded rewards became vote weights
        /// ("sigmoid", "raw") and the random orders averaged per pool (a Monte Carlo estimate).
        public var weighting: String? = nil
        public var ordersPerPool: Int? = nil
    }

    public struct AdaptivePoint: Sendable, Equatable {
        public var parameter: Double
        public var accuracy: Double
        public var samplesPerItem: Double
        public var roundsPerItem: Double
        public var tokensPerItem: Double
        /// maj@k at k = samplesPerItem (linear between whole k).
        public var majorityAtSameSamples: Double
        /// Every pool was computed exactly (else some by Monte Carlo over orderings).
        public var exact: Bool
    }
}

/// Builds `Leaderboard.Adaptive` from the database alone.
enum AdaptiveCurves {
    static let families = ["adaptive_consistency", "esc", "confidence_consistency"]
    /// The Beta rule's thresholds and ESC's windows the curves sweep.
    static let thresholds = [0.8, 0.85, 0.9, 0.95, 0.97, 0.99]
    static let windows = [2, 3, 4, 5, 6, 8]

    /// The adaptive kind of a family (labels with parameters, `esc-w4`, are families of their own).
    static func kind(_ family: String) -> String? {
        families.first { family == $0 || family.hasPrefix($0 + "-") }
    }

    static func section(for board: Leaderboard, reader: StoreReader) throws -> Leaderboard.Adaptive {
        var out = Leaderboard.Adaptive()
        let adaptiveRows = board.rows.filter { kind($0.family) != nil }
        for row in adaptiveRows {
            guard let reading = try reader.adaptiveReading(systemFingerprint: row.fingerprint, seeds: max(1, row.seeds),
                                                           maxN: row.samplesPerItem) else { continue }
            out.systems.append(Leaderboard.AdaptiveSystem(
                name: row.name, model: row.model, strategyLabel: row.strategyLabel, mean: row.mean, maxN: row.samplesPerItem,
                samplesPerItem: reading.samplesPerItem, roundsPerItem: reading.roundsPerItem, stoppedEarly: reading.stoppedEarly,
                tokensPerItem: row.tokensPerItem, sequentialTokensPerItem: row.sequentialTokensPerItem))
        }
        // Curves: per model, rule and max N, from the model's largest majority pool that holds max N samples.
        var wanted: [(model: String, rule: String, maxN: Int)] = []
        for row in adaptiveRows {
            guard let rule = kind(row.family), rule != "confidence_consistency" else { continue }
            if !wanted.contains(where: { $0 == (row.model, rule, row.samplesPerItem) }) { wanted.append((row.model, rule, row.samplesPerItem)) }
        }
        for (model, rule, maxN) in wanted.sorted(by: { ($0.model, $0.rule, $0.maxN) < ($1.model, $1.rule, $1.maxN) }) {
            let majorities = board.rows.filter { $0.variantOf == nil && $0.family == "majority" && $0.model == model && $0.samplesPerItem >= maxN }
            guard let source = majorities.max(by: { ($0.samplesPerItem, $1.name) < ($1.samplesPerItem, $0.name) }) else { continue }
            let pools = try reader.poolScores(systemFingerprint: source.fingerprint, seeds: max(1, source.seeds))
                .filter { $0.scores.classes.count == source.samplesPerItem }
            guard !pools.isEmpty else { continue }
            out.curves.append(curve(model: model, rule: rule, maxN: maxN, source: source, pools: pools))
        }
        try confidenceCurves(board: board, rows: adaptiveRows.filter { kind($0.family) == "confidence_consistency" }, reader: reader, into: &out)
        return out
    }

    static func curve(model: String, rule: String, maxN: Int, source: Leaderboard.Row,
                      pools: [(scores: PoolScores, tokens: Int)]) -> Leaderboard.AdaptiveCurve {
        let settings: [(Double, AdaptiveStopping)] = rule == "esc"
            ? windows.filter { $0 <= maxN }.map { (Double($0), AdaptiveStopping(rule: .unanimousWindow(size: $0), maxN: maxN, minN: $0)) }
            : thresholds.map { ($0, AdaptiveStopping(rule: .beta(threshold: $0), maxN: maxN)) }
        return curve(model: model, rule: rule, maxN: maxN, source: source, pools: pools, settings: settings) { i, scores, correct, stopping in
            adaptiveVoteExpectation(answers: scores.classes, correctClasses: correct, stopping: stopping, seed: UInt64(i))
        }
    }

    /// A curve of `rule` over `settings` (parameter, stopping rule), each point the mean over the
    /// pools of `expect` (pool index, scores, correct classes, rule), beside maj@k.
    static func curve(model: String, rule: String, maxN: Int, source: Leaderboard.Row, pools: [(scores: PoolScores, tokens: Int)],
                      settings: [(Double, AdaptiveStopping)],
                      expect: (Int, PoolScores, Set<Int>, AdaptiveStopping) -> AdaptiveExpectation) -> Leaderboard.AdaptiveCurve {
        let count = Double(pools.count)
        let perSample = pools.reduce(0.0) { $0 + Double($1.tokens) } / (count * Double(source.samplesPerItem))
        let correctSets = pools.map { p in Set(zip(p.scores.classes, p.scores.correct).compactMap { $1 ? $0 : nil }) }
        var majority = [Double](repeating: 0, count: maxN)
        for (p, correct) in zip(pools, correctSets) {
            for k in 1...maxN { majority[k - 1] += majorityAtK(answers: p.scores.classes, correctClasses: correct, k: k) / count }
        }
        func majorityAt(_ samples: Double) -> Double {
            let lower = max(1, min(maxN, Int(samples.rounded(.down))))
            let upper = min(maxN, lower + 1)
            let f = min(1, max(0, samples - Double(lower)))
            return majority[lower - 1] * (1 - f) + majority[upper - 1] * f
        }
        let points = settings.map { parameter, stopping -> Leaderboard.AdaptivePoint in
            var accuracy = 0.0, samples = 0.0, rounds = 0.0, exact = true
            for (i, (p, correct)) in zip(pools, correctSets).enumerated() {
                let e = expect(i, p.scores, correct, stopping)
                accuracy += e.accuracy / count
                samples += e.samples / count
                rounds += e.rounds / count
                exact = exact && e.exact
            }
            return Leaderboard.AdaptivePoint(parameter: parameter, accuracy: accuracy, samplesPerItem: samples, roundsPerItem: rounds,
                                             tokensPerItem: perSample * samples, majorityAtSameSamples: majorityAt(samples), exact: exact)
        }
        return Leaderboard.AdaptiveCurve(model: model, rule: rule, parameterName: rule == "esc" ? "window" : "threshold", maxN: maxN,
                                         pool: source.name, pools: pools.count, points: points, majority: majority)
    }
}
