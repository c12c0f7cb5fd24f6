// Normal and Student quantiles for the early-accept rule (and the simulated reward model).

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard normal CDF.
public func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

/// Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9).
public func normalQuantile(_ p: Double) -> Double {
    precondition(p > 0 && p < 1, "normalQuantile needs 0 < p < 1")
    let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
             1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
    let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
             6.680131188771972e+01, -1.328068155288572e+01]
    let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
             -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
    let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
    let low = 0.02425
    if p < low {
        let q = (-2 * log(p)).squareRoot()
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
            / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    }
    if p > 1 - low {
        let q = (-2 * log(1 - p)).squareRoot()
        return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
            / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    }
    let q = p - 0.5
    let r = q * q
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
}

/// Quantile of Student's t with `df` degrees of freedom: the Cornish-Fisher expansion around
/// the normal quantile (Abramowitz & Stegun 26.7.5), within 1e-3 of the exact value for df >= 8
/// at p <= 0.999 (the early-accept rule uses df = 2m-2 >= 8).
public func studentTQuantile(_ p: Double, degreesOfFreedom df: Double) -> Double {
    let z = normalQuantile(p)
    let z2 = z * z
    let g1 = (z2 + 1) * z / 4
    let g2 = ((5 * z2 + 16) * z2 + 3) * z / 96
    let g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384
    let g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160
    return z + g1 / df + g2 / (df * df) + g3 / (df * df * df) + g4 / (df * df * df * df)
}
