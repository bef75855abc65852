import EvaluationRules
import Foundation

public enum PairedInference {
    /// Newey–West standard error of the mean of `x` (NaN dropped by the caller):
    /// with u = x − x̄, S = Σu_t² + 2 Σ_{j=1}^{L} (1 − j/(L+1)) Σ_t u_t u_{t−j}, the variance of x̄ is
    /// S/n² · n/(n − 1) — statsmodels' OLS(x, 1).fit(cov_type="HAC", cov_kwds={"maxlags": L,
    /// "use_correction": True}); at L = 0 it is the plain s/√n (ddof 1). L is capped at n − 1.
    public static func hacStandardError(_ x: [Double], lag: Int) -> Double {
        let n = x.count
        guard n > 1 else { return .nan }
        let mean = x.reduce(0, +) / Double(n)
        let u = x.map { $0 - mean }
        var s = u.reduce(0) { $0 + $1 * $1 }
        let l = min(max(lag, 0), n - 1)
        if l > 0 {
            for j in 1...l {
                var gamma = 0.0
                for t in j..<n { gamma += u[t] * u[t - j] }
                s += 2 * (1 - Double(j) / Double(l + 1)) * gamma
            }
        }
        return (max(s, 0) / (Double(n) * Double(n - 1))).squareRoot()
    }

    /// Plain standard error of the mean, s/√n with s the sample std (ddof 1).
    public static func standardError(_ x: [Double]) -> Double { hacStandardError(x, lag: 0) }

    /// Two one-sided tests (Schuirmann) of |mean| < δ with a t(ν) statistic: p = max(P(T ≥ (d̄ + δ)/se),
    /// P(T ≤ (d̄ − δ)/se)) — statsmodels' ttost_paired(a, b, −δ, δ) when se is the plain se and ν = n − 1.
    public static func tost(mean: Double, se: Double, degreesOfFreedom nu: Double, margin: Double) -> Double {
        guard nu > 0 else { return .nan }
        return tost(mean: mean, se: se, margin: margin) { Distributions.tCDF($0, degreesOfFreedom: nu) }
    }

    /// The same with a normal statistic (pooled random-effects estimates): max(1 − Φ((μ + δ)/se),
    /// Φ((μ − δ)/se)); below α/2 exactly when the two-sided (1 − α) normal interval lies inside ±δ.
    public static func normalTOST(mean: Double, se: Double, margin: Double) -> Double {
        tost(mean: mean, se: se, margin: margin, cdf: Distributions.normalCDF)
    }

    private static func tost(mean: Double, se: Double, margin: Double, cdf: (Double) -> Double) -> Double {
        guard mean.isFinite, se.isFinite, se > 0 else { return .nan }
        return max(1 - cdf((mean + margin) / se), cdf((mean - margin) / se))
    }

    /// Holm's step-down adjustment (statsmodels multipletests(method="holm")): with the m finite p
    /// sorted ascending, p̃_(i) = min(1, max_{j ≤ i} (m − j + 1)·p_(j)). NaN stays NaN and is not counted.
    public static func holm(_ p: [Double]) -> [Double] {
        let order = p.indices.filter { !p[$0].isNaN }.sorted { p[$0] != p[$1] ? p[$0] < p[$1] : $0 < $1 }
        var out = [Double](repeating: .nan, count: p.count)
        var running = 0.0
        for (j, i) in order.enumerated() {
            running = max(running, min(1, Double(order.count - j) * p[i]))
            out[i] = running
        }
        return out
    }

    /// Minimum detectable effect of a two-sided level-α t test with power 1 − β:
    /// (t_{1−α/2,ν} + t_{1−β,ν})·se.
    public static func minimumDetectableEffect(se: Double, degreesOfFreedom nu: Double, alpha: Double, power: Double = 0.8) -> Double {
        guard se.isFinite, nu > 0 else { return .nan }
        return (Distributions.tQuantile(1 - alpha / 2, degreesOfFreedom: nu) + Distributions.tQuantile(power, degreesOfFreedom: nu)) * se
    }
}

/// TOST result of a contrast: its margin, its p and the unadjusted call p < α (the verdict uses
/// the Holm-adjusted p, `ContrastResult.tostPHolm`).
public struct Equivalence: Codable, Equatable, Sendable {
    public var margin: Double
    public var p: Double
    public var equivalent: Bool
}

/// One paired contrast a − b over the test eras (metrics.json `contrasts[]`).
///
/// d_e = corr_a,e − corr_b,e over the n test eras where both are defined. `se` = s/√n (ddof 1),
/// `hac_se` = Newey–West (see `PairedInference.hacStandardError`). Intervals: d̄ ± t_{1−α/2,n−1}·se
/// (`ci_*`) and ·hac_se (`hac_ci_*`). `p`: two-sided, t = d̄/hac_se on n − 1 degrees of freedom;
/// `p_holm`: Holm-adjusted over all of the study's contrasts. `mde`: 80% power at level α with
/// hac_se. `equivalence`: TOST with hac_se against ±margin, its p and the unadjusted call p < α;
/// `tost_p_holm`: that TOST p Holm-adjusted over the same family (all of the study's contrasts),
/// so that "equivalent" claims across many contrasts keep the family-wise error at α as the
/// directional ones do. `verdict`: "better" / "worse" when p_holm < α (sign of d̄); else
/// "equivalent" when tost_p_holm < α; else "inconclusive (MDE x)"; "undetermined" with fewer
/// than 3 paired eras. When every paired difference is exactly 0 (the same ensemble twice),
/// p = 1 and TOST p = 0 (adjusted 0 as well): "equivalent".
public struct ContrastResult: Codable, Equatable, Sendable {
    public var name: String
    public var a: String
    public var b: String
    public var nEras: Int
    public var mean: Double
    public var se: Double
    public var hacSE: Double
    public var ciLow: Double
    public var ciHigh: Double
    public var hacCILow: Double
    public var hacCIHigh: Double
    public var mde: Double
    public var p: Double
    public var pHolm: Double
    public var equivalence: Equivalence
    /// `equivalence.p` Holm-adjusted over the study's contrasts (NaN in metrics.json files
    /// written before it existed, and where the TOST p is NaN).
    public var tostPHolm: Double
    public var verdict: String
    enum CodingKeys: String, CodingKey {
        case name, a, b, nEras = "n_eras", mean, se, hacSE = "hac_se", ciLow = "ci_low", ciHigh = "ci_high"
        case hacCILow = "hac_ci_low", hacCIHigh = "hac_ci_high", mde, p, pHolm = "p_holm", equivalence
        case tostPHolm = "tost_p_holm", verdict
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        a = try c.decode(String.self, forKey: .a)
        b = try c.decode(String.self, forKey: .b)
        nEras = try c.decode(Int.self, forKey: .nEras)
        mean = try c.decode(Double.self, forKey: .mean)
        se = try c.decode(Double.self, forKey: .se)
        hacSE = try c.decode(Double.self, forKey: .hacSE)
        ciLow = try c.decode(Double.self, forKey: .ciLow)
        ciHigh = try c.decode(Double.self, forKey: .ciHigh)
        hacCILow = try c.decode(Double.self, forKey: .hacCILow)
        hacCIHigh = try c.decode(Double.self, forKey: .hacCIHigh)
        mde = try c.decode(Double.self, forKey: .mde)
        p = try c.decode(Double.self, forKey: .p)
        pHolm = try c.decode(Double.self, forKey: .pHolm)
        equivalence = try c.decode(Equivalence.self, forKey: .equivalence)
        // Files written before the key existed read as NaN; their verdicts stay as written.
        tostPHolm = try c.decodeIfPresent(Double.self, forKey: .tostPHolm) ?? .nan
        verdict = try c.decode(String.self, forKey: .verdict)
    }

    /// Everything but the Holm adjustment and the verdict (see `adjusted`).
    public init(name: String, a: String, b: String, seriesA: [Double], seriesB: [Double], config: InferenceConfig) {
        self.name = name; self.a = a; self.b = b
        var d: [Double] = []
        for i in 0..<min(seriesA.count, seriesB.count) where seriesA[i].isFinite && seriesB[i].isFinite {
            d.append(seriesA[i] - seriesB[i])
        }
        let n = d.count
        let mean = n > 0 ? d.reduce(0, +) / Double(n) : .nan
        let se = PairedInference.standardError(d)
        let hacSE = PairedInference.hacStandardError(d, lag: config.hacLag)
        let nu = Double(n - 1)
        let t = n > 1 ? Distributions.tQuantile(1 - config.alpha / 2, degreesOfFreedom: nu) : .nan
        nEras = n
        self.mean = mean; self.se = se; self.hacSE = hacSE
        ciLow = mean - t * se; ciHigh = mean + t * se
        hacCILow = mean - t * hacSE; hacCIHigh = mean + t * hacSE
        mde = n > 1 ? PairedInference.minimumDetectableEffect(se: hacSE, degreesOfFreedom: nu, alpha: config.alpha) : .nan
        // Every paired difference exactly 0 (e.g. a filter that kept every model): no difference
        // (p = 1) and equivalence at any margin (TOST p = 0).
        let identical = n > 1 && d.allSatisfy { $0 == 0 }
        p = identical ? 1 : n > 1 && hacSE > 0 ? Distributions.tTwoSidedP(mean / hacSE, degreesOfFreedom: nu) : .nan
        pHolm = .nan
        let pTost = identical ? 0 : n > 1 ? PairedInference.tost(mean: mean, se: hacSE, degreesOfFreedom: nu, margin: config.equivalenceMargin) : .nan
        equivalence = Equivalence(margin: config.equivalenceMargin, p: pTost, equivalent: pTost < config.alpha)
        tostPHolm = .nan
        verdict = "undetermined"
    }

    /// Sets p_holm, tost_p_holm and the verdict.
    func adjusted(pHolm: Double, tostPHolm: Double, alpha: Double) -> ContrastResult {
        var c = self
        c.pHolm = pHolm
        c.tostPHolm = tostPHolm
        if nEras < 3 || !mean.isFinite || !hacSE.isFinite || (hacSE == 0 && !equivalence.equivalent) {
            c.verdict = "undetermined"
        } else if pHolm < alpha {
            c.verdict = mean > 0 ? "better" : "worse"
        } else if tostPHolm < alpha {
            c.verdict = "equivalent"
        } else {
            c.verdict = "inconclusive (MDE \(String(format: "%.4f", mde)))"
        }
        return c
    }

    /// Holm-adjusts a study's contrasts together — their difference p and, separately, their
    /// TOST p, each over the whole family — and sets their verdicts.
    public static func finalize(_ contrasts: [ContrastResult], alpha: Double) -> [ContrastResult] {
        let adjusted = PairedInference.holm(contrasts.map(\.p))
        let tostAdjusted = PairedInference.holm(contrasts.map(\.equivalence.p))
        return contrasts.indices.map { contrasts[$0].adjusted(pHolm: adjusted[$0], tostPHolm: tostAdjusted[$0], alpha: alpha) }
    }
}
