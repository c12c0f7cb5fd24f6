import AdaStop
import TTSCore
import TTSDesign
import TTSStore
import TTSView
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

// Page latency of `ttsbench view` on a big database (`make bench`). The database is written
// through the store's writer (no strategy or model runs): the demo's shape at 650 items, four
// simulated models, each model's pool holding 13 samples per item and seed (1 at T 0, 8 at T 0.8,
// 2 each at T 0.4 and 1.2), 30 seeds: 1,014,000 samples, and twelve systems (single, majority
// of 8, best of 8 per model) with every seed run committed, pool scores and test decisions.
// The viewer then serves it on 127.0.0.1 and each page is requested over HTTP; the baseline
// measured in the same run is the stylesheet (a request that reads nothing).
//
//   view-bench [--db PATH] [--items 650] [--seeds 30] [--repetitions 15]

var dbPath = NSTemporaryDirectory() + "view-bench.sqlite"
var itemCount = 650, seeds = 30, repetitions = 15
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--db": dbPath = args.popFirst() ?? dbPath
    case "--items": itemCount = Int(args.popFirst() ?? "") ?? itemCount
    case "--seeds": seeds = Int(args.popFirst() ?? "") ?? seeds
    case "--repetitions": repetitions = Int(args.popFirst() ?? "") ?? repetitions
    default: FileHandle.standardError.write(Data("usage: view-bench [--db PATH] [--items N] [--seeds N] [--repetitions N]\n".utf8)); exit(2)
    }
}

let models = ["weak": -0.5, "mid": 0.5, "strong": 1.5, "mid_b": 0.5]
let strategies: [(name: String, family: String, n: Int, temperature: Double)] = [("single", "single", 1, 0), ("maj8", "majority", 8, 0.8), ("bon8", "best_of_n", 8, 0.8)]
let temperatures: [(t: Double, n: Int)] = [(0, 1), (0.8, 8), (0.4, 2), (1.2, 2)]
let suiteName = "big"
let items = (0..<itemCount).map { "arith-\($0)" }

func pool(_ model: String) -> String { "pool-\(model)" }
func fingerprint(_ system: String) -> String { SHA256.hex("system:" + system) }

/// Whether the sample answers right: a seeded draw whose odds follow the model's ability and the item.
func draw(_ parts: String...) -> UInt64 {
    var h = StableHasher()
    for p in parts { h.combine(p) }
    return h.finalize()
}

/// Writes the big database through `Store` (skipped when it is already there with this shape).
@MainActor func build() async throws -> Int {
    let store = try Store(path: dbPath)
    let compare = CompareSettings(alpha: 0.05, comparisons: .all, futility: nil, groupSize: 5, maxInterims: 6, metric: .accuracy,
                                  permutation: nil, permutations: 1000, pool: .shared, rule: .absolute)
    let provenance = ProvenanceRecord(dataset: .init(name: "arith", source: "generated: arithmetic, items \(itemCount)", fileSHA256: nil, limit: nil,
                                                     items: itemCount, taskDigest: "digest"),
                                      models: models.keys.sorted().map { .init(name: $0, kind: "simulated", label: $0, fingerprint: "m-\($0)", endpoint: nil) },
                                      suiteSeed: 1, ttsbenchVersion: "bench", ttsbenchCommit: "unknown", dependencies: [], fingerprintVersion: Fingerprint.version)
    let provenanceJSON = String(decoding: try JSONEncoder().encode(provenance), as: UTF8.self)
    var systems: [SystemRecord] = []
    for model in models.keys.sorted() {
        for s in strategies {
            let name = "\(model)/\(s.name)"
            systems.append(SystemRecord(suite: suiteName, name: name, fingerprint: fingerprint(name), model: model, modelLabel: model, strategy: s.name,
                                        strategyLabel: s.name, verifier: "math", simulated: true, position: systems.count, seedsUsed: seeds,
                                        family: s.family, samplesPerItem: s.n))
        }
    }
    try await store.register(suite: SuiteRecord(name: suiteName, fingerprint: "big-\(itemCount)-\(seeds)", fingerprintVersion: Fingerprint.version,
                                                 yaml: "suite: big\n", taskDigest: "digest", compareJSON: compare.canonicalJSON, provenanceJSON: provenanceJSON),
                             models: models.keys.sorted().map { ModelRecord(suite: suiteName, name: $0, fingerprint: "m-\($0)", label: $0) }, systems: systems)
    var written = 0
    for seed in 0..<seeds {
        // The samples of every pool for this seed, then each system's seed run reading them.
        var answers: [String: [Double: [(answer: String, correct: Bool)]]] = [:]
        for (model, ability) in models.sorted(by: { $0.key < $1.key }) {
            var batch: [SampleRecord] = []
            for (i, item) in items.enumerated() {
                let truth = 100 + i
                for (t, n) in temperatures {
                    for k in 0..<n {
                        let u = Double(draw("s", model, item, "\(seed)", "\(t)", "\(k)") % 10_000) / 10_000
                        let p = 1 / (1 + exp(-(ability - Double(i % 7 - 3) * 0.4)))
                        let correct = t == 0 ? Double(draw("greedy", model, item) % 10_000) / 10_000 < p : u < p
                        let answer = correct ? "\(truth)" : "\(truth + 1 + Int(u * 5))"
                        let text = "Let me work through item \(item) step by step. First, the operands: we combine them carefully, "
                            + "checking each partial result twice (sample \(k) at temperature \(t), seed \(seed)). The result is \\boxed{\(answer)}."
                        batch.append(SampleRecord(pool: pool(model), sample: StoredSample(
                            itemID: item, seedIndex: seed, temperature: t, sampleIndex: k, requestSeed: draw("rs", model, item, "\(seed)", "\(t)", "\(k)"),
                            text: text, answer: answer, finishReason: u > 0.98 ? "length" : "stop", promptTokens: 40, completionTokens: 60 + k,
                            latencyMs: 12, error: nil, extractRule: "boxed")))
                        if k < 8 { answers[model, default: [:]][t, default: []].append((answer, correct)) }
                    }
                }
            }
            written += batch.count
            try await store.record(batch)
        }
        for system in systems {
            let s = strategies.first { $0.name == system.strategy }!
            var outcomes: [OutcomeRecord] = []
            for (i, item) in items.enumerated() {
                let pooled = answers[system.model]![s.temperature]!
                let mine = Array(pooled[(i * s.n)..<(i * s.n + s.n)])
                var classes: [String: Int] = [:]
                for a in mine where classes[a.answer] == nil { classes[a.answer] = classes.count }
                let votes = Dictionary(grouping: mine, by: \.answer).max { ($0.value.count, $1.key) < ($1.value.count, $0.key) }!
                let chosen = s.family == "best_of_n" ? mine[Int(draw("bon", item, "\(seed)") % UInt64(s.n))] : votes.value[0]
                outcomes.append(OutcomeRecord(
                    itemID: item, answer: chosen.answer, correct: chosen.correct, reward: nil, promptTokens: 40 * s.n, completionTokens: 60 * s.n,
                    calls: s.n, failures: 0, latencyMs: Double(12 * s.n), detail: s.n > 1 ? "votes \(votes.value.count)/\(s.n)" : "single",
                    poolScores: s.n > 1 ? PoolScores(classes: mine.map { classes[$0.answer] }, correct: mine.map(\.correct),
                                                     rewards: s.family == "best_of_n" ? mine.indices.map { Double(draw("r", item, "\($0)") % 1000) / 1000 } : nil) : nil,
                    completions: s.n, noAnswer: 0, sequentialTokens: 60))
            }
            try await store.commitSeedRun(SeedRunRecord(systemFingerprint: system.fingerprint, systemName: system.name, seedIndex: seed, outcomes: outcomes))
        }
    }
    for system in systems { try await store.setSeedsUsed(suite: suiteName, system: system.name, seeds: seeds) }
    try await store.recordInterim(scope: suiteName, interim: InterimRow(interim: 5, boundary: 1, levelSpent: 0.05, active: []),
                                  decisions: [DecisionRecord(a: "strong/maj8", b: "mid/maj8", decision: .larger, interim: 5, meanA: 0.9, meanB: 0.7),
                                              DecisionRecord(a: "mid/maj8", b: "mid_b/maj8", decision: .equal, interim: 5, meanA: 0.7, meanB: 0.7)])
    try await store.flush()
    return written
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

let expectedShape = "big-\(itemCount)-\(seeds)"
// Reused only when a previous run finished writing it (every seed run committed).
let existing = try? StoreReader(path: dbPath)
let complete = existing.map { reader in
    (try? reader.recordedSuite(suiteName))??.fingerprint == expectedShape
        && (try? reader.counts().seedRuns) == models.count * strategies.count * seeds
        && (try? reader.systems(suite: suiteName))?.allSatisfy { $0.seedsUsed == seeds } == true
} ?? false
if !complete {
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: dbPath + suffix) }
    let start = ContinuousClock.now
    let n = try await build()
    print("built \(dbPath): \(n) samples, \(models.count * strategies.count) systems x \(seeds) seeds x \(itemCount) items in \(start.duration(to: .now))")
} else {
    print("reusing \(dbPath)")
}

let reader = try StoreReader(path: dbPath)
print("samples in the database: \(try reader.counts().samples)")
var sourceSystems: [String: SuiteSources.System] = [:]
for system in try reader.systems(suite: suiteName) {
    let s = strategies.first { $0.name == system.strategy }!
    sourceSystems[system.name] = .init(fingerprint: system.fingerprint, pool: pool(system.model), temperatures: [s.temperature])
}
// The leaderboard as LeaderboardBuilder computes it (what the server warms in the background
// when it starts, and what a suite page waits for if it is asked for before that is done).
let coldStart = ContinuousClock.now
_ = try ViewModel(reader: reader, sources: { _ in SuiteSources() }).board(suiteName)
let coldTime = coldStart.duration(to: .now)
print("leaderboard built from the database (once per change of it): \(coldTime)")
let model = ViewModel(reader: reader, sources: { [sourceSystems] _ in SuiteSources(systems: sourceSystems) })
let server = ViewServer(model: model)
let portBox = PortBox()
let serving = Task { try await server.run(host: "127.0.0.1", port: 0) { await portBox.set($0) } }
let port = await portBox.wait()
let base = "http://127.0.0.1:\(port)"

@MainActor func get(_ path: String) async throws -> Double {
    let start = ContinuousClock.now
    let (data, response) = try await URLSession.shared.data(from: URL(string: base + path)!)
    let elapsed = start.duration(to: .now)
    guard (response as? HTTPURLResponse)?.statusCode == 200, !data.isEmpty else {
        throw StoreError(message: "GET \(path) answered \((response as? HTTPURLResponse)?.statusCode ?? 0)")
    }
    return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
}

_ = try await get("/suite/\(suiteName)")
let pages: [(String, (Int) -> String)] = [
    ("stylesheet (baseline)", { _ in "/assets/view.css" }),
    ("suites", { _ in "/" }),
    ("leaderboard (cached)", { _ in "/suite/\(suiteName)" }),
    ("system items, page 1", { i in "/suite/\(suiteName)/system/\(["mid", "weak", "strong"][i % 3])%2Fmaj8" }),
    ("system items, wrong, page 3", { i in "/suite/\(suiteName)/system/mid%2F\(["maj8", "bon8"][i % 2])?filter=wrong&page=3" }),
    ("system items, truncated", { i in "/suite/\(suiteName)/system/mid%2F\(["maj8", "bon8"][i % 2])?filter=truncated" }),
    ("system items, search", { i in "/suite/\(suiteName)/system/strong%2Fsingle?q=arith-\(i * 37 % itemCount)" }),
    ("item", { i in "/suite/\(suiteName)/item/arith-\(i * 41 % itemCount)?seed=\(i % seeds)" }),
    ("item JSON", { i in "/api/suite/\(suiteName)/item/arith-\(i * 43 % itemCount)" }),
    ("compare", { i in "/suite/\(suiteName)/compare/\(["strong", "mid_b"][i % 2])%2Fmaj8/mid%2Fmaj8" }),
]
var baseline = 0.0
print("page                              median ms   min ms   max ms   x baseline   (\(repetitions) requests each, 1 warm-up)")
for (name, path) in pages {
    _ = try await get(path(repetitions))
    var times: [Double] = []
    for i in 0..<repetitions { times.append(try await get(path(i))) }
    let m = median(times)
    if baseline == 0 { baseline = m }
    print(name.padding(toLength: 34, withPad: " ", startingAt: 0)
          + String(format: "%9.1f %8.1f %8.1f %12.1f%@", m, times.min()!, times.max()!, m / baseline, m < 200 ? "" : "   over 200 ms"))
}
serving.cancel()

actor PortBox {
    var port: Int?
    var waiters: [CheckedContinuation<Int, Never>] = []
    func set(_ p: Int) {
        port = p
        for w in waiters { w.resume(returning: p) }
        waiters = []
    }
    func wait() async -> Int {
        if let port { return port }
        return await withCheckedContinuation { waiters.append($0) }
    }
}
