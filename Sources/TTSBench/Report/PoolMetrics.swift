import AdaStop
import Foundation
import GRDB

/// What the leaderboard reads from the sample pools: latency per item, and scaling curves
/// computed with the exact estimators of `AdaStop/Estimators.swift` over one recorded pool
/// (maj@k, best-of-k, pass@k for k = 1, 2, 4, ..., N).
///
/// Everything comes from the database: the suite text stored with the run is parsed again to
/// know each system's pool, its verifier and its scorer. When that is impossible (the stored
/// suite names a data file that is not where it was), the leaderboard keeps its database-only
/// columns, draws curves from its own systems' points and shows no latency.
public enum PoolMetrics {
    /// Adds latency and curves to `board`. Deterministic: same database, same result.
    public static func attach(to board: inout Leaderboard, reader: any DatabaseReader) async throws {
        guard let suite = try storedSuite(reader: reader, name: board.suite),
              let task = try? TaskLoader.load(suite.task, suiteSeed: suite.seed), task.digest == board.taskDigest else {
            board.curves = systemCurves(board)
            return
        }
        // Verifiers that call a model (a judge) or an endpoint (a reward model) are left out:
        // re-scoring the pool for curves would mean new calls, and a leaderboard is regenerated
        // from the database alone.
        let verifiers = Dictionary(uniqueKeysWithValues: suite.verifiers.filter { !$0.callsOut }
            .map { ($0.name, VerifierFactory.make($0, suiteSeed: suite.seed)) })
        let items = Dictionary(task.items.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        // Latency: the strategies whose samples are known (N pooled samples at one temperature).
        for i in board.rows.indices {
            let row = board.rows[i]
            guard let system = suite.system(row.name), let strategy = suite.strategy(system.strategy),
                  let n = fixedSamples(strategy) else { continue }
            let pool = poolID(suite: suite, task: task, system: system)
            board.rows[i].latencyMsPerItem = try await reader.read { db in
                try Double.fetchOne(db, sql: """
                    SELECT SUM(latency_ms) * 1.0 / COUNT(DISTINCT item_id || '|' || seed_index) FROM samples
                    WHERE pool = ? AND seed_index < ? AND temperature = ? AND sample_index < ?
                    """, arguments: [pool, row.seeds, strategy.temperature, n])
            }
        }
        // Curves: per model and family, from the base system with the largest N.
        var curves: [Leaderboard.Curve] = []
        var passDone = Set<String>()
        let families = ["majority", "best_of_n"]
        for family in families {
            var best: [String: (row: Leaderboard.Row, system: SystemSpec, strategy: StrategySpec, n: Int)] = [:]
            for row in board.rows where row.variantOf == nil {
                guard let system = suite.system(row.name), let strategy = suite.strategy(system.strategy) else { continue }
                let (f, n) = familyOf(strategy)
                guard f == family, n > 1 else { continue }
                if let current = best[system.model], current.n >= n { continue }
                best[system.model] = (row, system, strategy, n)
            }
            for model in best.keys.sorted() {
                let b = best[model]!
                let pool = poolID(suite: suite, task: task, system: b.system)
                guard let verifier = verifiers[b.system.verifier] else { continue }
                let scorer = b.strategy.scorer.flatMap { verifiers[$0] }
                if family == "best_of_n" && scorer == nil { continue }
                let ks = powersOfTwo(upTo: b.n)
                var sums = [Double](repeating: 0, count: ks.count)
                var passSums = [Double](repeating: 0, count: ks.count)
                var tokens = 0.0, count = 0
                var verdicts: [String: Bool] = [:]
                for seed in 0..<max(1, b.row.seeds) {
                    let rows = try await reader.read { db in
                        try Row.fetchAll(db, sql: """
                            SELECT item_id, sample_index, text, answer, error, COALESCE(prompt_tokens, 0) + COALESCE(completion_tokens, 0)
                            FROM samples WHERE pool = ? AND seed_index = ? AND temperature = ? AND sample_index < ?
                            ORDER BY item_id, sample_index
                            """, arguments: [pool, seed, b.strategy.temperature, b.n])
                    }
                    var byItem: [String: [Row]] = [:]
                    for r in rows { byItem[r[0], default: []].append(r) }
                    for itemID in byItem.keys.sorted() {
                        guard let item = items[itemID], let samples = byItem[itemID], samples.count == b.n else { continue }
                        var labels: [Int?] = []
                        var classes: [String: Int] = [:]
                        var correctClasses = Set<Int>()
                        var correct: [Bool] = []
                        var rewards: [Double] = []
                        for s in samples {
                            tokens += Double(s[5] as Int)
                            let answer: String? = s[3]
                            let failed = (s[4] as String?) != nil
                            guard !failed, let answer else {
                                labels.append(nil); correct.append(false); rewards.append(-.infinity)
                                continue
                            }
                            let key = verifier.votingKey(answer)
                            let label = classes[key] ?? classes.count
                            classes[key] = label
                            let verdictKey = itemID + "\u{0}" + key
                            let ok: Bool
                            if let v = verdicts[verdictKey] { ok = v } else {
                                ok = (try await verifier.verify(Candidate(text: answer, answer: answer), item: item)).correct ?? false
                                verdicts[verdictKey] = ok
                            }
                            if ok { correctClasses.insert(label) }
                            labels.append(label)
                            correct.append(ok)
                            if family == "best_of_n", let scorer {
                                let text: String = s[2] ?? ""
                                rewards.append((try await scorer.verify(Candidate(text: text, answer: answer), item: item)).reward ?? -.infinity)
                            }
                        }
                        count += 1
                        let c = correct.filter { $0 }.count
                        for (j, k) in ks.enumerated() {
                            sums[j] += family == "majority" ? majorityAtK(answers: labels, correctClasses: correctClasses, k: k)
                                : bestOfNAtK(rewards: rewards, correct: correct, k: k)
                            passSums[j] += passAtK(n: b.n, c: c, k: k)
                        }
                    }
                }
                guard count > 0 else { continue }
                let perSample = tokens / Double(count * b.n)
                let points = ks.enumerated().map { j, k in
                    Leaderboard.CurvePoint(n: k, value: sums[j] / Double(count), tokensPerItem: perSample * Double(k))
                }
                curves.append(Leaderboard.Curve(family: family, model: model, source: "estimator", points: points))
                if passDone.insert(model).inserted {
                    let passPoints = ks.enumerated().map { j, k in
                        Leaderboard.CurvePoint(n: k, value: passSums[j] / Double(count), tokensPerItem: perSample * Double(k))
                    }
                    curves.append(Leaderboard.Curve(family: "pass", model: model, source: "estimator", points: passPoints))
                }
            }
        }
        board.curves = (curves + systemCurves(board)).sorted { ($0.model, $0.family, $0.source) < ($1.model, $1.family, $1.source) }
    }

    /// The suite as stored with the run, parsed again (nil when it cannot be).
    static func storedSuite(reader: any DatabaseReader, name: String) throws -> Suite? {
        guard let yaml = try reader.read({ db in try String.fetchOne(db, sql: "SELECT yaml FROM suites WHERE name = ?", arguments: [name]) }) else {
            return nil
        }
        return try? SuiteLoader.load(data: Data(yaml.utf8), path: "\(name).yaml")
    }

    /// The pool a system reads, exactly as `Runner.poolHandle(for:)` computes it (a test checks
    /// that the two agree).
    static func poolID(suite: Suite, task: LoadedTask, system: SystemSpec) -> String {
        let model = suite.model(system.model)!
        let strategy = suite.strategy(system.strategy)!
        var parts = ["suite-seed=\(suite.seed)", "model=\(model.fingerprint)", "task=\(task.digest)", "prompt=\(task.spec.prompt)",
                     "extract=\(task.spec.extract.rawValue)", "top_p=\(strategy.topP)", "max_tokens=\(strategy.maxTokens)"]
        if suite.compare.pool == .independent { parts.append("independent=\(system.name)") }
        return String(SHA256.hex(parts.joined(separator: "\n")).prefix(24))
    }

    /// Strategies that read exactly samples 0..<N at their temperature, and N.
    static func fixedSamples(_ s: StrategySpec) -> Int? {
        switch s.kind {
        case .single: 1
        case .majority(let n), .bestOfN(let n, _), .weightedMajority(let n, _, _): n
        default: nil
        }
    }

    /// The strategy family (for curves and colours) and its N.
    public static func familyOf(_ s: StrategySpec) -> (String, Int) {
        let label = s.label
        let family = String(label.prefix { $0 != "@" && $0 != " " })
        return (family, s.samplesPerItem)
    }

    static func powersOfTwo(upTo n: Int) -> [Int] {
        var ks: [Int] = []
        var k = 1
        while k < n { ks.append(k); k *= 2 }
        ks.append(n)
        return ks
    }

    /// Curves from the leaderboard's own systems: for each model and strategy family with at
    /// least two values of N, the systems' means against N (and their tokens per item).
    static func systemCurves(_ board: Leaderboard) -> [Leaderboard.Curve] {
        var groups: [String: [Leaderboard.Row]] = [:]
        for r in board.rows where r.variantOf == nil {
            let family = String(r.strategyLabel.prefix { $0 != "@" && $0 != " " })
            groups["\(r.model)\u{0}\(family)", default: []].append(r)
        }
        var out: [Leaderboard.Curve] = []
        for key in groups.keys.sorted() {
            let rows = groups[key]!
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
            let points = rows.compactMap { r -> Leaderboard.CurvePoint? in
                guard let n = Int(r.strategyLabel.split(separator: "@").dropFirst().first?.prefix { $0.isNumber } ?? "") else { return nil }
                return Leaderboard.CurvePoint(n: n, value: r.mean, tokensPerItem: r.tokensPerItem)
            }.sorted { $0.n < $1.n }
            if Set(points.map(\.n)).count >= 2 {
                out.append(Leaderboard.Curve(family: parts[1], model: parts[0], source: "systems", points: points))
            }
        }
        return out
    }
}
