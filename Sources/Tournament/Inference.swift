import Diversity
import Foundation

/// The mean of a per-era series with a Newey–West (HAC) interval and a two-sided p-value.
///
/// d̄ = mean of the T defined eras; u = d − d̄; γⱼ = (1/T)·Σ_{t>j} uₜuₜ₋ⱼ;
/// S = γ₀ + 2·Σ_{j=1..L} (1 − j/(L+1))·γⱼ (Bartlett kernel); se = √(S/T);
/// interval d̄ ± z_{(1+level)/2}·se; p = 2·(1 − Φ(|d̄|/se)) (normal reference, as statsmodels'
/// `OLS(d, 1).fit(cov_type="HAC", cov_kwds={"maxlags": L})` reports it). Default L = ⌊4·(T/100)^(2/9)⌋
/// (Newey & West 1994). HAC because neighbouring eras share overlapping targets, so per-era
/// differences are autocorrelated and the i.i.d. standard error would be too small.
public struct HACMean: Codable, Equatable, Sendable {
    public var mean: Double
    public var se: Double
    public var low: Double
    public var high: Double
    public var p: Double
    public var eras: Int
    public var lags: Int

    public init(_ series: [Double], level: Double, lags: Int? = nil) {
        let d = series.filter { $0.isFinite }
        let t = d.count
        eras = t
        let l = min(max(0, lags ?? HACMean.defaultLags(t)), max(0, t - 1))
        self.lags = l
        guard t >= 2 else { mean = d.first ?? .nan; se = .nan; low = .nan; high = .nan; p = .nan; return }
        let m = d.reduce(0, +) / Double(t)
        let u = d.map { $0 - m }
        func gamma(_ j: Int) -> Double {
            var s = 0.0
            for i in j..<t { s += u[i] * u[i - j] }
            return s / Double(t)
        }
        var s = gamma(0)
        if l > 0 { for j in 1...l { s += 2 * (1 - Double(j) / Double(l + 1)) * gamma(j) } }
        mean = m
        se = (max(s, 0) / Double(t)).squareRoot()
        let z = inverseNormalCDF(0.5 + level / 2)
        low = m - z * se
        high = m + z * se
        p = se > 0 ? erfc(abs(m) / se / 2.0.squareRoot()) : (m == 0 ? 1 : 0)
    }

    public static func defaultLags(_ t: Int) -> Int { Int((4 * pow(Double(t) / 100, 2.0 / 9)).rounded(.down)) }
}

/// Holm's step-down adjustment: sort p ascending, p̃₍ᵢ₎ = max_{k≤i} min(1, (m − k + 1)·p₍ₖ₎);
/// NaN p-values are left out of m and stay NaN.
public func holmAdjusted(_ p: [Double]) -> [Double] {
    let defined = p.indices.filter { p[$0].isFinite }.sorted { p[$0] < p[$1] || (p[$0] == p[$1] && $0 < $1) }
    let m = defined.count
    var out = [Double](repeating: .nan, count: p.count)
    var running = 0.0
    for (k, i) in defined.enumerated() {
        running = max(running, min(1, Double(m - k) * p[i]))
        out[i] = running
    }
    return out
}

/// A verdict read off an interval and its Holm-adjusted p-value.
public enum Verdict: String, Codable, Sendable {
    case gain, loss, noEvidence = "no_evidence", undetermined

    /// gain / loss when the adjusted p < α (the sign of the mean decides), no evidence otherwise;
    /// undetermined when there is no estimate.
    public init(mean: Double, adjustedP: Double, alpha: Double) {
        if !mean.isFinite || !adjustedP.isFinite { self = .undetermined }
        else if adjustedP < alpha { self = mean > 0 ? .gain : .loss }
        else { self = .noEvidence }
    }
}
