import Foundation

/// Φ⁻¹(p), the standard normal quantile, accurate to ~1e-15 relative on (0, 1).
///
/// Acklam's rational approximation (relative error < 1.15e-9) followed by one Halley step on
/// f(x) = Φ(x) − p, which triples the number of correct digits. The residual Φ(x) − p is formed
/// without cancellation: near the centre as ½·erf(x/√2) − (p − ½) (p − ½ is exact there), in the
/// lower tail as ½·erfc(−x/√2) − p; the upper tail uses Φ⁻¹(p) = −Φ⁻¹(1 − p) (1 − p is exact for
/// p ≥ ½). Returns −∞ at 0, +∞ at 1 and NaN outside [0, 1], as scipy's `norm.ppf` does.
public func inverseNormalCDF(_ p: Double) -> Double {
    if p.isNaN || p < 0 || p > 1 { return .nan }
    if p == 0 { return -.infinity }
    if p == 1 { return .infinity }
    if p == 0.5 { return 0 }
    if p > 0.5 { return -lowerHalfQuantile(1 - p) }
    return lowerHalfQuantile(p)
}

/// Φ⁻¹ for 0 < p < ½.
@inline(__always)
private func lowerHalfQuantile(_ p: Double) -> Double {
    var x: Double
    if p < 0.02425 {
        let q = (-2 * log(p)).squareRoot()
        x = (((((-7.784894002430293e-03 * q - 3.223964580411365e-01) * q - 2.400758277161838e+00) * q
               - 2.549732539343734e+00) * q + 4.374664141464968e+00) * q + 2.938163982698783e+00)
            / ((((7.784695709041462e-03 * q + 3.224671290700398e-01) * q + 2.445134137142996e+00) * q
                + 3.754408661907416e+00) * q + 1)
    } else {
        let q = p - 0.5, r = q * q
        x = (((((-3.969683028665376e+01 * r + 2.209460984245205e+02) * r - 2.759285104469687e+02) * r
               + 1.383577518672690e+02) * r - 3.066479806614716e+01) * r + 2.506628277459239e+00) * q
            / (((((-5.447609879822406e+01 * r + 1.615858368580409e+02) * r - 1.556989798598866e+02) * r
                 + 6.680131188771972e+01) * r - 1.328068155288572e+01) * r + 1)
    }
    // Halley refinement.
    let e: Double
    if p >= 0.25 {
        e = 0.5 * erf(x * 0.7071067811865476) - (p - 0.5)
    } else {
        e = 0.5 * erfc(-x * 0.7071067811865476) - p
    }
    let u = e * 2.5066282746310002 * exp(0.5 * x * x)
    x -= u / (1 + 0.5 * x * u)
    return x
}
