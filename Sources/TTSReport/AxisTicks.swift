import Foundation

/// Tick labels of the HTML plots: each printed with as many decimals as its axis step needs, so
/// labels are exact and no two ticks read the same (a step of 0.05 prints 0.65, not 0.6 or 0.7).
///
/// ```swift
/// AxisTicks.label(0.65, step: 0.05)   // "0.65"
/// AxisTicks.label(0.6, step: 0.2)     // "0.6"
/// AxisTicks.label(0.2, step: 0.1)     // "0.2"  (log-axis ticks: their own value as the step)
/// ```
public enum AxisTicks {
    /// The fewest decimals (at least `minimum`, at most 9) that write `x` exactly.
    public static func decimals(_ x: Double, minimum: Int = 0) -> Int {
        var d = minimum
        while d < 9 {
            let scaled = abs(x) * pow(10, Double(d))
            if abs(scaled - scaled.rounded()) < 1e-6 * max(1, scaled) { return d }
            d += 1
        }
        return d
    }

    /// `v` written with the decimals of `step` (at least one: accuracy ticks read 0.2, 1.0).
    public static func label(_ v: Double, step: Double, minimumDecimals: Int = 1) -> String {
        String(format: "%.\(decimals(step, minimum: minimumDecimals))f", abs(v) < step * 1e-9 ? 0 : v)
    }

    /// A log-axis tick (1, 2, 5 times a power of ten): "0.2", "50", "2k".
    public static func logLabel(_ t: Double) -> String {
        t >= 1000 ? label(t / 1000, step: t / 1000, minimumDecimals: 0) + "k" : label(t, step: t, minimumDecimals: 0)
    }
}
