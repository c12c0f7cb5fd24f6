import AdaStop
import TTSCore
import Foundation

extension HarnessImport {
    /// How the imported repeats are split into seeds: `perSeed` repeats a seed, `seeds` seeds.
    public struct SeedPlan: Sendable, Equatable {
        public var temperature: Double
        public var repeats: Int
        public var perSeed: Int
        public var seeds: Int
    }

    /// The split the suite uses: at the temperature with the most repeats, `perSeed` (default: all
    /// the repeats every item has, K, in one seed, so majority@K and the scaling curves use every
    /// imported completion) and as many whole seeds as fit.
    public func seedPlan(perSeed: Int? = nil) throws(ImportError) -> SeedPlan {
        guard let temperature = temperatures.max(by: { fewestRepeats(at: $0) < fewestRepeats(at: $1) }) else {
            throw ImportError(description: "\(sources.joined(separator: ", ")): no completions to import")
        }
        let repeats = fewestRepeats(at: temperature)
        guard repeats >= 1 else {
            let missing = items.first { item in !completions.contains { $0.itemID == item.id && $0.temperature == temperature } }!
            let others = Set(completions.filter { $0.itemID == missing.id }.map(\.temperature)).sorted().map { String($0) }
            throw ImportError(description: "\(sources.joined(separator: ", ")): item \(missing.id) has no completion at temperature \(temperature)"
                + " (its completions are at \(others.joined(separator: ", "))); a suite replays one temperature: pass --temperature T to read them all as T")
        }
        let chosen = perSeed ?? repeats
        guard chosen >= 1, chosen <= repeats else {
            throw ImportError(description: "\(sources.joined(separator: ", ")): --per-seed \(chosen): an item has only \(repeats) repeats at temperature \(temperature)")
        }
        return SeedPlan(temperature: temperature, repeats: repeats, perSeed: chosen, seeds: repeats / chosen)
    }

    /// A suite over the imported completions: the items file as the task, a replay model with
    /// `repeats_per_seed`, `single` against `majority` over every repeat of a seed (K; left out
    /// when K < 3: majority@2 breaks ties to the first sample, so it is `single` again), the math
    /// verifier. The sequential test runs only when the seeds can decide it (`DesignCheck`);
    /// otherwise (one seed of K repeats, the default) `comparisons: none` ranks by the means, and
    /// the leaderboard's paired difference over items compares the two.
    public func suiteYAML(name: String, replayFile: String, itemsFile: String, plan: SeedPlan, command: String) -> String {
        let t = plan.temperature
        let k = plan.perSeed
        var strategies = ["  single: {kind: single, temperature: \(t)}"]
        var names = ["single"]
        if k >= 3 {
            strategies.append("  maj\(k): {kind: majority, n: \(k), temperature: \(t)}")
            names.append("maj\(k)")
        }
        let config = AdaStopConfig.ttsbench(interims: 1, groupSize: max(1, plan.seeds), permutations: 10_000, alpha: 0.05, seed: 0)
        let decidable = names.count == 2
            && ((try? DesignCheck.decidability(agentCount: 2, comparisons: [Comparison(0, 1)], config: config).canDecide) ?? false)
        let comparisons = decidable ? "all" : "none"
        let why = decidable ? "" : "\n# comparisons: none — \(plan.seeds) seed\(plan.seeds == 1 ? "" : "s") cannot decide a sequential test; the "
            + "leaderboard ranks by the means and\n# shows the paired difference over items (import with --per-seed to split the repeats into seeds)."
        return """
        # Written by `\(command)`.
        # \(items.count) items from \(harness) (task \(task), model \(model)); \(plan.repeats) or more completions an item
        # at temperature \(t): \(plan.seeds) seed\(plan.seeds == 1 ? "" : "s") of \(k) (sample i of seed s is repeat s*\(k)+i; see docs/importing.md).
        # Run it with `ttsbench run THIS_FILE --db DB`; nothing is generated, every sample is replayed.\(why)
        suite: \(yamlScalar(name))
        seed: 1
        task:
          name: \(yamlScalar(task))
          file: \(yamlScalar(itemsFile))
          prompt: "{question}"
          extract: auto
        models:
          imported:
            kind: replay
            file: \(yamlScalar(replayFile))
            repeats_per_seed: \(k)
            label: \(yamlScalar("\(model) (\(harness) import)"))
        verifiers:
          math: {kind: math}
        strategies:
        \(strategies.joined(separator: "\n"))
        systems:
          matrix: {model: [imported], strategy: [\(names.joined(separator: ", "))], verifier: [math]}
        compare:
          metric: accuracy
          comparisons: \(comparisons)
          group_size: \(plan.seeds)
          max_interims: 1

        """
    }
}

/// A YAML scalar: JSON's double-quoted string is valid YAML.
func yamlScalar(_ s: String) -> String { quoted(s) }
