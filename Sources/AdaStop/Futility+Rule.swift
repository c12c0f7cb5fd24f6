// The early-accept rule of `Futility` (its documentation states the rule and its guarantee).

extension Futility {
    /// Whether the scores (the first m = (k+1)·n of each system) show a difference below the
    /// margin at an early interim of a test with `interims` interims.
    public func acceptsEqual(_ a: ArraySlice<Double>, _ b: ArraySlice<Double>, interims: Int) -> Bool {
        let m = min(a.count, b.count)
        guard m >= 2, interims >= 2 else { return false }
        let (meanA, varA) = meanAndVariance(a.prefix(m))
        let (meanB, varB) = meanAndVariance(b.prefix(m))
        let d = abs(meanA - meanB)
        let s = ((varA + varB) / 2).squareRoot()
        if s == 0 { return d == 0 }  // two constant, identical score sequences
        let q = studentTQuantile(1 - beta / Double(interims - 1), degreesOfFreedom: Double(2 * m - 2))
        let bound = d + q * s * (2 / Double(m)).squareRoot()
        switch margin {
        case .standardDeviations(let x): return bound < x * s
        case .absolute(let x): return bound < x
        }
    }
}

/// Mean and unbiased variance.
func meanAndVariance(_ xs: ArraySlice<Double>) -> (Double, Double) {
    let n = Double(xs.count)
    let mean = xs.reduce(0, +) / n
    let ss = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
    return (mean, xs.count > 1 ? ss / (n - 1) : 0)
}

extension Futility {
    /// The difference an early "equal" on these scores rules out, in score units: the margin
    /// (`marginSD` pooled seed standard deviations of the first `count` scores, or the absolute
    /// margin). An early accept says |Δ| is below it, with error at most `beta`.
    public func ruledOutDifference(_ a: ArraySlice<Double>, _ b: ArraySlice<Double>) -> Double {
        switch margin {
        case .absolute(let x): return x
        case .standardDeviations(let x):
            let m = min(a.count, b.count)
            guard m >= 2 else { return 0 }
            let (_, varA) = meanAndVariance(a.prefix(m))
            let (_, varB) = meanAndVariance(b.prefix(m))
            return x * ((varA + varB) / 2).squareRoot()
        }
    }
}
