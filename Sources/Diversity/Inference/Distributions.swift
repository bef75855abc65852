import Foundation

/// Normal and Student t distribution functions: the one place the project's intervals, tests and
/// power calculations take their quantiles from.
public enum Distributions {
    /// Φ(x) = erfc(−x/√2)/2.
    public static func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    /// Φ⁻¹(p) (see `inverseNormalCDF`).
    public static func normalQuantile(_ p: Double) -> Double { inverseNormalCDF(p) }

    /// P(T ≤ t) for Student's t with ν > 0 degrees of freedom:
    /// with x = ν/(ν + t²), the lower tail is I_x(ν/2, ½)/2 for t ≤ 0 and 1 − I_x(ν/2, ½)/2 above
    /// (I the regularized incomplete beta function). ν = ∞ gives Φ.
    public static func tCDF(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        if t.isNaN || nu.isNaN || nu <= 0 { return .nan }
        if nu.isInfinite { return normalCDF(t) }
        if t.isInfinite { return t > 0 ? 1 : 0 }
        let tail = 0.5 * regularizedIncompleteBeta(nu / (nu + t * t), a: nu / 2, b: 0.5)
        return t <= 0 ? tail : 1 - tail
    }

    /// Two-sided p-value of a t statistic: 2·P(T ≥ |t|).
    public static func tTwoSidedP(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        if t.isNaN || nu.isNaN || nu <= 0 { return .nan }
        if nu.isInfinite { return erfc(abs(t) / 2.0.squareRoot()) }
        return min(1, regularizedIncompleteBeta(nu / (nu + t * t), a: nu / 2, b: 0.5))
    }

    /// The p-quantile of Student's t with ν degrees of freedom: the root of tCDF(t) = p, found by
    /// bisection on a bracket grown from the normal quantile (to the last bit the CDF resolves).
    public static func tQuantile(_ p: Double, degreesOfFreedom nu: Double) -> Double {
        guard p > 0, p < 1, nu > 0, !nu.isNaN else { return p == 0 ? -.infinity : p == 1 ? .infinity : .nan }
        if nu.isInfinite { return normalQuantile(p) }
        if p == 0.5 { return 0 }
        // Symmetry: solve in the upper half, where the tail 1 − p is computed without cancellation.
        if p < 0.5 { return -tQuantile(1 - p, degreesOfFreedom: nu) }
        let upperTail = 1 - p
        func tail(_ t: Double) -> Double { 0.5 * regularizedIncompleteBeta(nu / (nu + t * t), a: nu / 2, b: 0.5) }
        var lo = 0.0, hi = max(1, normalQuantile(p))
        while tail(hi) > upperTail { lo = hi; hi *= 2; if hi > 1e300 { return .infinity } }
        for _ in 0..<200 {
            let mid = 0.5 * (lo + hi)
            if mid == lo || mid == hi { break }
            if tail(mid) > upperTail { lo = mid } else { hi = mid }
        }
        return 0.5 * (lo + hi)
    }

    /// I_x(a, b), the regularized incomplete beta function: the continued fraction of Numerical
    /// Recipes (modified Lentz), on the side x < (a + 1)/(a + b + 2) where it converges fast.
    public static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x))
        if x < (a + 1) / (a + b + 2) { return front * betaContinuedFraction(x, a: a, b: b) / a }
        return 1 - front * betaContinuedFraction(1 - x, a: b, b: a) / b
    }

    static func betaContinuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300, eps = 1e-16
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0, d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let mm = Double(m), m2 = 2 * mm
            var aa = mm * (b - mm) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d; h *= d * c
            aa = -(a + mm) * (qab + mm) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let del = d * c
            h *= del
            if abs(del - 1) < eps { break }
        }
        return h
    }
}
