import AdaStop
import TTSCore
import TTSRuntime
import TTSSuite

/// Whether a suite's sequential design can decide anything (`validate`, `plan`, and a warning
/// from `run`), by `DesignCheck`: the suite's own test run on the most separated scores
/// possible. A design that cannot is a located suite error naming the smallest sizes that can.
public enum DesignReview {
    /// Throws a `SuiteError` at `compare.group_size` (or `max_interims`, or `compare`) when no
    /// comparison of the suite can ever be decided; does nothing for a suite without comparisons.
    public static func requireDecidable(_ suite: Suite) throws {
        if let message = try problem(suite) {
            throw SuiteError(file: suite.path, line: suite.compare.designLine, column: suite.compare.designColumn, message: message)
        }
    }

    /// The message of a design that cannot decide, nil when it can (or compares nothing).
    public static func problem(_ suite: Suite) throws -> String? {
        let comparisons = SequentialSchedule.comparisons(for: suite)
        guard suite.systems.count >= 2, !comparisons.isEmpty else { return nil }
        let config = SequentialSchedule.config(for: suite)
        let count = suite.systems.count
        if try DesignCheck.decidability(agentCount: count, comparisons: comparisons, config: config).canDecide { return nil }
        let sizes = try DesignCheck.smallestDecidingSizes(agentCount: count, comparisons: comparisons, config: config)
        var fixes: [String] = []
        if let n = sizes.groupSize { fixes.append("group_size: \(n) with max_interims: \(config.interims)") }
        if let k = sizes.interims { fixes.append("max_interims: \(k) with group_size: \(config.groupSize)") }
        let fix = fixes.isEmpty ? "raise group_size, max_interims or alpha" : "the smallest designs that can decide are " + fixes.joined(separator: ", or ")
        return "no comparison can ever be decided with group_size: \(config.groupSize), max_interims: \(config.interims), "
            + "permutations: \(config.permutations), alpha: \(shortNumber(config.alpha)): even completely separated seed scores "
            + "do not reach the test's boundary at any interim, so every pair would end \"no difference detected\"; \(fix)"
    }

    /// Power of one comparison for `difference` (5 accuracy points by default) at seed standard
    /// deviation `sd` under the suite's design: `DesignCheck.power` on two systems.
    public static func power(_ suite: Suite, difference: Double = 0.05, sd: Double,
                             replications: Int = 200) throws -> (power: Double, standardError: Double) {
        var config = SequentialSchedule.config(for: suite)
        // A model of the test, as `plan`'s schedule model: fewer permutations suffice.
        config.permutations = min(config.permutations, 2000)
        return try DesignCheck.power(difference: difference, sd: sd, config: config, replications: replications, seed: suite.seed)
    }
}
