import TTSCore
import TTSSuite
import TTSRuntime
// Validity benchmark of the AdaStop test on the simulated backend (issue: AdaStop decides how
// many seeds). Ground truth is known: equal abilities mean no true difference.
//
// 1. Family-wise error: 3 systems of equal ability (independent samples), all pairs compared;
//    the share of repetitions with any "different" verdict must be at most alpha (within two
//    standard errors).
// 2. Seeds used when systems clearly differ, against the fixed design of K·n seeds per system.
import AdaStop
import Foundation
import TTSModels
import TTSSeams

struct Args {
    var repetitions = 2000
    var items = 100
    var alpha = 0.05
    var groupSize = 5
    var interims = 6
    var permutations = 2000
    var offset = 0
    var agents = 3
    /// ttsbench's rule by default (closed testing with early accept); `--scheme pairwise|joint`
    /// runs that scheme without early accept (SPEC.md's test, and the exact-under-the-null one).
    var scheme = PermutationScheme.closed
    var futility: Futility? = .standard
    init() {
        var it = CommandLine.arguments.dropFirst().makeIterator()
        while let a = it.next() {
            switch a {
            case "--repetitions": repetitions = Int(it.next()!)!
            case "--items": items = Int(it.next()!)!
            case "--permutations": permutations = Int(it.next()!)!
            case "--offset": offset = Int(it.next()!)!
            case "--agents": agents = Int(it.next()!)!
            case "--group-size": groupSize = Int(it.next()!)!
            case "--interims": interims = Int(it.next()!)!
            case "--scheme":
                scheme = PermutationScheme(rawValue: it.next()!)!
                if scheme != .closed { futility = nil }
            default: fatalError("unknown argument \(a)")
            }
        }
    }
}

/// Per-seed accuracy of a single-sample system at temperature 0.8 over the items.
func seedScore(model: SimulatedModel, items: [TaskItem], repetition: Int, seed: Int) async throws -> Double {
    var correct = 0
    for item in items {
        let s = StableHasher("bench", model.name, repetition, seed, item.id).finalize()
        let request = GenerationRequest(messages: [ChatMessage(role: "user", content: item.question)], temperature: 0.8,
                                        seed: s, context: ItemContext(item: item, sampleSeeds: [s]))
        let completion = try await model.generate(request)[0]
        if let answer = AnswerExtractor.extract(completion.text, mode: .boxed), answer == item.answer { correct += 1 }
    }
    return Double(correct) / Double(items.count)
}

func runRepetition(abilities: [Double], repetition: Int, args: Args) async throws -> (anyFalse: Bool, anyDecisionWrong: Bool, seeds: Int) {
    let items = ArithmeticGenerator(spec: ArithmeticSpec(items: args.items, digits: 3, operations: ["+", "-", "*"]),
                                    seed: UInt64(repetition)).items()
    let models = abilities.enumerated().map { i, a in
        SimulatedModel(name: "m\(i)", parameters: SimulatedModelParameters(ability: a, meanTokens: 200, msPerToken: 20, distractors: 4),
                       fingerprint: "bench-\(i)")
    }
    let config = AdaStopConfig(interims: args.interims, groupSize: args.groupSize, permutations: args.permutations,
                               alpha: args.alpha, seed: UInt64(repetition) &* 7919, rule: .absolute, scheme: args.scheme,
                               futility: args.futility)
    var test = try AdaStopTest(agentCount: models.count, comparisons: Comparison.allPairs(agentCount: models.count), config: config)
    var scores = [[Double]](repeating: [], count: models.count)
    while !test.isFinished {
        for agent in test.agentsNeedingScores {
            while scores[agent].count < test.scoresNeeded(agent: agent) {
                scores[agent].append(try await seedScore(model: models[agent], items: items, repetition: repetition, seed: scores[agent].count))
            }
        }
        _ = try test.runInterim(scores: scores)
    }
    var anyFalse = false
    var wrong = false
    for r in test.results {
        let (a, b) = (abilities[r.comparison.a], abilities[r.comparison.b])
        if a == b && r.decision != Decision.equal { anyFalse = true }
        if a > b && r.decision == Decision.smaller || a < b && r.decision == Decision.larger { wrong = true }
    }
    return (anyFalse, wrong, test.scoresUsed.reduce(0, +))
}

let args = Args()
let clock = ContinuousClock()
let started = clock.now

// 1. Family-wise error under the null.
/// Runs repetitions on both cores; results do not depend on the order they finish in.
func runAll(_ reps: Range<Int>, abilities: [Double], args: Args) async throws -> [(anyFalse: Bool, anyDecisionWrong: Bool, seeds: Int)] {
    try await withThrowingTaskGroup(of: (Int, (anyFalse: Bool, anyDecisionWrong: Bool, seeds: Int)).self) { group in
        var out: [Int: (anyFalse: Bool, anyDecisionWrong: Bool, seeds: Int)] = [:]
        var next = reps.lowerBound
        for _ in 0..<4 where next < reps.upperBound {
            let rep = next; next += 1
            group.addTask { (rep, try await runRepetition(abilities: abilities, repetition: rep, args: args)) }
        }
        while let (rep, r) = try await group.next() {
            out[rep] = r
            if next < reps.upperBound {
                let rep = next; next += 1
                group.addTask { (rep, try await runRepetition(abilities: abilities, repetition: rep, args: args)) }
            }
        }
        return reps.map { out[$0]! }
    }
}

let nullRuns = try await runAll(args.offset..<(args.offset + args.repetitions), abilities: Array(repeating: 0.5, count: args.agents), args: args)
let falsePositives = nullRuns.filter(\.anyFalse).count
let fwer = Double(falsePositives) / Double(args.repetitions)
let se = (args.alpha * (1 - args.alpha) / Double(args.repetitions)).squareRoot()
let nullSeeds = Double(nullRuns.reduce(0) { $0 + $1.seeds }) / Double(args.repetitions)
print(String(format: "adastop validity (%@%@): FWER %.4f over %d repetitions of %d equal systems (alpha %.2f, 2 s.e. %.4f): %@; %.1f seeds per repetition (%.2f of K·n)",
             args.scheme.rawValue, args.futility == nil ? "" : " + early accept", fwer, args.repetitions, args.agents, args.alpha, 2 * se,
             fwer <= args.alpha + 2 * se ? "within target" : "ABOVE TARGET", nullSeeds,
             nullSeeds / Double(args.agents * args.interims * args.groupSize)))

// 2. Seeds used when the systems clearly differ.
let differing = max(200, args.repetitions / 10)
let differingRuns = try await runAll(100_000..<(100_000 + differing), abilities: [-0.5, 0.5, 1.5], args: args)
let seedsUsed = differingRuns.reduce(0) { $0 + $1.seeds }
let wrongDirection = differingRuns.filter(\.anyDecisionWrong).count
let fixedDesign = Double(3 * args.interims * args.groupSize)
let meanSeeds = Double(seedsUsed) / Double(differing)
print(String(format: "adastop efficiency: %.1f seeds per repetition (3 clearly different systems) vs %.0f for the fixed design K·n: ratio %.2f (target ≤ 0.50); wrong-direction decisions in %d of %d",
             meanSeeds, fixedDesign, meanSeeds / fixedDesign, wrongDirection, differing))
let elapsed = clock.now - started
print("validity bench took \(elapsed.components.seconds) s")
