import Diversity
import EvaluationRules
import Foundation

/// The mean of a per-era series with a Newey–West (HAC) interval and a two-sided p-value, computed
/// by the study's shared inference (`Diversity.PairedInference`, `Distributions`) so the tournament
/// and the study report judge with one convention.
///
/// d̄ = mean of the T defined eras; se = `PairedInference.hacStandardError(d, lag: L)` (Bartlett
/// kernel, small-sample factor T/(T − 1)); interval d̄ ± t_{(1+level)/2, T−1}·se;
/// p = 2·P(T_{T−1} ≥ |d̄|/se) — statsmodels' `OLS(d, 1).fit(cov_type="HAC",
/// cov_kwds={"maxlags": L, "use_correction": True}, use_t=True)`. L defaults to the study's
/// `evaluation.hacLag` default (`InferenceConfig().hacLag` = 4: weekly eras with 20-day targets
/// overlap 4 eras). HAC because neighbouring eras share overlapping targets.
public struct HACMean: Codable, Equatable, Sendable {
    public var mean: Double
    public var se: Double
    public var low: Double
    public var high: Double
    public var p: Double
    public var eras: Int
    public var lags: Int

    /// The lag used when the spec states none: the study evaluation's default.
    public static let defaultLag = InferenceConfig().hacLag

    public init(_ series: [Double], level: Double, lags: Int? = nil) {
        let d = series.filter { $0.isFinite }
        let t = d.count
        eras = t
        // The same cap as `hacStandardError` (L ≤ T − 1), so `lags` reports the lag used.
        let l = min(max(0, lags ?? HACMean.defaultLag), max(0, t - 1))
        self.lags = l
        guard t >= 2 else { mean = d.first ?? .nan; se = .nan; low = .nan; high = .nan; p = .nan; return }
        let m = d.reduce(0, +) / Double(t)
        let nu = Double(t - 1)
        mean = m
        se = PairedInference.hacStandardError(d, lag: l)
        let q = Distributions.tQuantile(0.5 + level / 2, degreesOfFreedom: nu)
        low = m - q * se
        high = m + q * se
        p = se > 0 ? Distributions.tTwoSidedP(m / se, degreesOfFreedom: nu) : (m == 0 ? 1 : 0)
    }
}

/// A verdict read off an interval and its Holm-adjusted p-value (`PairedInference.holm`).
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
