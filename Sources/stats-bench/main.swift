// stats-bench: the error rates, power and seed costs of the AdaStop rules, by simulation.
// Every figure docs/statistics.md states comes from this program (`make bench` runs it).
//
//   swift run -c release stats-bench [--runs N] [--permutations B] [--scenario NAME]... [--scheme NAME]...
//
// Scenarios (scores are seed scores, K = 6 interims of n = 5, alpha = 0.05):
//   null2, null3, null5, null8, null10, null12, null20
//                              2 to 20 equal systems, normal scores (sd 1): family-wise error
//   partial10                  5 equal systems and 5 others one sd apart
//   binom2, binom3, binom5     2/3/5 equal systems, accuracy over 100 items at p = 0.5
//   partial                    A = B, C one sd higher: error on (A, B) or a wrong direction
//   power                      means 0 / 0.7 / 1.4 (sd 1): all three differences found, seeds
//   equal2                     2 equal systems: seeds used (share of K·n)
//   margin                     2 systems the early-accept margin apart: early "equal" rate (its error)
// Rules: pairwise (SPEC.md), joint, closed (no early accept), holm (Holm over exact pairwise
// tests, no early accept), fallback (pairwise + early accept: the default beyond 6 systems before
// Holm), ttsbench (the default: closed + early accept, Holm + early accept beyond 6 systems).
// Each run draws its scores from a generator seeded by (scenario, run), so every rule sees the
// same data; the permutation seed is the run index.

import AdaStop
import Foundation

struct Options {
    var runs = 4000
    var permutations = 10_000
    var scenarios = ["null2", "null3", "null5", "binom3", "partial", "power", "equal2", "margin"]
    var rules = ["pairwise", "ttsbench"]
    var threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Early accept of the `ttsbench` rule (default: `Futility.standard`).
    var futility = Futility.standard
}

func parseOptions() -> Options {
    var o = Options()
    var args = CommandLine.arguments.dropFirst()
    var scenarios: [String] = [], rules: [String] = []
    while let a = args.popFirst() {
        switch a {
        case "--runs": o.runs = Int(args.popFirst() ?? "") ?? o.runs
        case "--permutations": o.permutations = Int(args.popFirst() ?? "") ?? o.permutations
        case "--scenario": scenarios.append(args.popFirst() ?? "")
        case "--rule": rules.append(args.popFirst() ?? "")
        case "--threads": o.threads = Int(args.popFirst() ?? "") ?? o.threads
        case "--margin-sd": o.futility.margin = .standardDeviations(Double(args.popFirst() ?? "") ?? 1)
        case "--beta": o.futility.beta = Double(args.popFirst() ?? "") ?? o.futility.beta
        default:
            FileHandle.standardError.write("stats-bench: unknown option \(a)\n".data(using: .utf8)!)
            exit(2)
        }
    }
    if !scenarios.isEmpty { o.scenarios = scenarios }
    if !rules.isEmpty { o.rules = rules }
    return o
}

/// A small counter-based generator for the simulated scores.
struct Draws {
    var state: UInt64
    init(_ parts: UInt64...) {
        var s: UInt64 = 0x243F_6A88_85A3_08D3
        for p in parts { s = Draws.mix(s ^ (p &+ 0x9E37_79B9_7F4A_7C15)) }
        state = s
    }
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Double(Draws.mix(state) >> 11) / Double(1 << 53)
    }
    mutating func normal() -> Double {
        let u = max(uniform(), 1e-300), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}

struct Scenario {
    var name: String
    var means: [Double]
    var binomial = false
    /// Comparisons whose null is true (a decision on them is an error).
    var nullPairs: Set<Comparison>
}

/// The difference of the "margin" scenario: the early-accept margin (in sd units).
nonisolated(unsafe) var marginSD = 1.0

func scenario(_ name: String) -> Scenario {
    func allNull(_ l: Int) -> Set<Comparison> { Set(Comparison.allPairs(agentCount: l)) }
    switch name {
    case "null2": return Scenario(name: name, means: [0, 0], nullPairs: allNull(2))
    case "null3": return Scenario(name: name, means: [0, 0, 0], nullPairs: allNull(3))
    case "null5": return Scenario(name: name, means: [0, 0, 0, 0, 0], nullPairs: allNull(5))
    case "null8", "null10", "null12", "null20":
        let l = Int(name.dropFirst(4))!
        return Scenario(name: name, means: Array(repeating: 0, count: l), nullPairs: allNull(l))
    case "partial10":
        // Five equal systems and five spread one sd apart: errors among the five equal ones.
        let means = [0.0, 0, 0, 0, 0, 1, 2, 3, 4, 5]
        return Scenario(name: name, means: means, nullPairs: Set(Comparison.allPairs(agentCount: 5)))
    case "binom2": return Scenario(name: name, means: [0.5, 0.5], binomial: true, nullPairs: allNull(2))
    case "binom3": return Scenario(name: name, means: [0.5, 0.5, 0.5], binomial: true, nullPairs: allNull(3))
    case "binom5": return Scenario(name: name, means: [0.5, 0.5, 0.5, 0.5, 0.5], binomial: true, nullPairs: allNull(5))
    case "partial": return Scenario(name: name, means: [0, 0, 1], nullPairs: [Comparison(0, 1)])
    case "power": return Scenario(name: name, means: [0, 0.7, 1.4], nullPairs: [])
    case "equal2": return Scenario(name: name, means: [0, 0], nullPairs: allNull(2))
    case "margin": return Scenario(name: name, means: [0, marginSD], nullPairs: [])
    default:
        FileHandle.standardError.write("stats-bench: unknown scenario \(name)\n".data(using: .utf8)!)
        exit(2)
    }
}

func config(rule: String, permutations: Int, seed: UInt64, futility: Futility) -> AdaStopConfig {
    switch rule {
    case "pairwise": return AdaStopConfig(interims: 6, groupSize: 5, permutations: permutations, alpha: 0.05, seed: seed)
    case "joint": return AdaStopConfig(interims: 6, groupSize: 5, permutations: permutations, alpha: 0.05, seed: seed, scheme: .joint)
    case "closed": return AdaStopConfig(interims: 6, groupSize: 5, permutations: permutations, alpha: 0.05, seed: seed, scheme: .closed)
    case "holm": return AdaStopConfig(interims: 6, groupSize: 5, permutations: permutations, alpha: 0.05, seed: seed, scheme: .holm)
    case "fallback":
        // What the default ran beyond 6 systems before Holm: SPEC.md's pairwise step-down with early accept.
        return AdaStopConfig(interims: 6, groupSize: 5, permutations: permutations, alpha: 0.05, seed: seed, scheme: .pairwise,
                             futility: futility)
    case "ttsbench":
        var c = AdaStopConfig.ttsbench(interims: 6, groupSize: 5, permutations: permutations, alpha: 0.05, seed: seed)
        c.futility = futility
        return c
    default:
        FileHandle.standardError.write("stats-bench: unknown rule \(rule)\n".data(using: .utf8)!)
        exit(2)
    }
}

struct RunResult: Sendable {
    var falseDecision: Bool      // a "larger"/"smaller" on a true null pair, or a wrong direction
    var allFound: Bool           // every non-null pair decided in the right direction
    var earlyEqual: Bool         // some pair decided "equal" before the last interim
    var scores: Int              // scores used, all systems
}

func simulate(_ s: Scenario, rule: String, run: Int, options o: Options) throws -> RunResult {
    let L = s.means.count
    let K = 6, n = 5
    var scores = [[Double]](repeating: [], count: L)
    for a in 0..<L {
        var g = Draws(UInt64(truncatingIfNeeded: s.name.hashValueStable), UInt64(run), UInt64(a))
        scores[a] = (0..<(K * n)).map { _ in
            if s.binomial {
                var hits = 0
                for _ in 0..<100 where g.uniform() < s.means[a] { hits += 1 }
                return Double(hits) / 100
            }
            return s.means[a] + g.normal()
        }
    }
    var test = try AdaStopTest(agentCount: L, comparisons: Comparison.allPairs(agentCount: L),
                               config: config(rule: rule, permutations: o.permutations, seed: UInt64(run) &* 7919, futility: o.futility))
    test.parallelism = 1
    try test.runAvailable(scores: scores)
    var falseDecision = false, allFound = true, earlyEqual = false
    for r in test.results {
        let c = r.comparison
        let decision = r.decision ?? .equal
        if decision == .equal && (r.interim ?? K - 1) < K - 1 { earlyEqual = true }
        if s.nullPairs.contains(c) {
            if decision != .equal { falseDecision = true }
        } else {
            let truth: Decision = s.means[c.a] > s.means[c.b] ? .larger : .smaller
            if decision == .equal { allFound = false } else if decision != truth { falseDecision = true; allFound = false }
        }
    }
    return RunResult(falseDecision: falseDecision, allFound: allFound, earlyEqual: earlyEqual,
                     scores: test.scoresUsed.reduce(0, +))
}

extension String {
    /// FNV-1a: stable across runs (Swift's hashValue is randomised per process).
    var hashValueStable: UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }
}

func runAll(_ s: Scenario, rule: String, options o: Options) async throws -> [RunResult] {
    try await withThrowingTaskGroup(of: [RunResult].self) { group in
        let chunk = (o.runs + o.threads - 1) / o.threads
        for t in 0..<o.threads {
            let lo = t * chunk, hi = min(o.runs, lo + chunk)
            guard lo < hi else { continue }
            group.addTask { try (lo..<hi).map { try simulate(s, rule: rule, run: $0, options: o) } }
        }
        var all: [RunResult] = []
        for try await part in group { all += part }
        return all
    }
}

func rate(_ hits: Int, _ runs: Int) -> String {
    let p = Double(hits) / Double(runs)
    return String(format: "%.4f ± %.4f", p, (p * (1 - p) / Double(runs)).squareRoot())
}

let o = parseOptions()
if case .standardDeviations(let x) = o.futility.margin { marginSD = x }
print("stats-bench: K = 6, n = 5, alpha = 0.05, B = \(o.permutations), \(o.runs) runs per cell (± is one standard error); "
      + "ttsbench rule: closed testing, early accept \(o.futility.margin), beta \(o.futility.beta)")
print("| scenario | rule | error (wrong decision) | all differences found | early equal | scores used (share of L·K·n) | seconds |")
print("|---|---|---|---|---|---|---|")
for name in o.scenarios {
    let s = scenario(name)
    for rule in o.rules {
        let start = Date()
        let results = try await runAll(s, rule: rule, options: o)
        let seconds = Date().timeIntervalSince(start)
        let errors = results.filter(\.falseDecision).count
        let found = results.filter(\.allFound).count
        let early = results.filter(\.earlyEqual).count
        let meanScores = Double(results.map(\.scores).reduce(0, +)) / Double(results.count)
        let share = meanScores / Double(s.means.count * 30)
        let target = name.hasPrefix("null") || name.hasPrefix("binom") || name == "partial"
            ? (Double(errors) / Double(o.runs) <= 0.05 + 2 * (0.05 * 0.95 / Double(o.runs)).squareRoot() ? " (within alpha + 2 s.e.)" : " (ABOVE alpha + 2 s.e.)")
            : ""
        print("| \(name) | \(rule) | \(rate(errors, o.runs))\(target) | \(s.nullPairs.count == Comparison.allPairs(agentCount: s.means.count).count ? "—" : rate(found, o.runs)) | \(rate(early, o.runs)) | \(String(format: "%.1f (%.2f)", meanScores, share)) | \(String(format: "%.1f", seconds)) |")
    }
}
