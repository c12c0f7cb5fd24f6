/// Percentile bootstrap intervals (95%), seeded from stable identifiers: deterministic, so a
/// regenerated report has the same bytes. The one implementation every report uses.
public enum Bootstrap {
    public static func mean(_ xs: [Double]) -> Double { xs.isEmpty ? 0 : xs.reduce(0, +) / Double(xs.count) }

    /// Interval of the mean of `values` (a point when there are fewer than two values).
    public static func meanInterval(_ values: [Double], stream: String, seed: String, resamples: Int = 2000) -> (Double, Double) {
        guard values.count > 1 else { return (values.first ?? 0, values.first ?? 0) }
        var rng = SplitMix64(stream, seed)
        var means: [Double] = []
        means.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var sum = 0.0
            for _ in values.indices { sum += values[Int(rng.next() % UInt64(values.count))] }
            means.append(sum / Double(values.count))
        }
        return percentiles(&means, resamples)
    }

    /// Interval of mean(xs) − mean(ys): resampling index pairs when `paired`, each side on its own otherwise.
    public static func differenceInterval(_ xs: [Double], _ ys: [Double], paired: Bool, seed: String,
                                          resamples: Int = 4000) -> (Double, Double) {
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
        return percentiles(&diffs, resamples)
    }

    /// The 2.5% and 97.5% percentiles of `resamples` values (sorts them).
    static func percentiles(_ values: inout [Double], _ resamples: Int) -> (Double, Double) {
        values.sort()
        return (values[Int(0.025 * Double(resamples))], values[Int(0.975 * Double(resamples)) - 1])
    }
}
