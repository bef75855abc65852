import Foundation

/// The ensemble against another predictor on the same test eras, from their per-era corr.
///
/// With d_e = ensemble_e − other_e over the n eras where both are defined:
/// mean d̄ = Σd_e/n, standard error se = s/√n with s the sample std (ddof 1), and the 90%
/// interval d̄ ± t₀.₉₅,ₙ₋₁·se (Student t). Eras are treated as independent; neighbouring eras'
/// targets overlap in time, so the true uncertainty is somewhat larger than this interval says.
struct PairedComparison: Equatable, Sendable {
    /// Eras where both series are defined.
    let eras: Int
    let ensembleMean: Double
    let otherMean: Double
    let meanDifference: Double
    let standardError: Double
    /// 90% interval of the mean difference (NaN with fewer than 2 eras).
    let low: Double
    let high: Double

    init(ensemble: [Double], other: [Double]) {
        var a: [Double] = [], b: [Double] = []
        for i in 0..<min(ensemble.count, other.count) where ensemble[i].isFinite && other[i].isFinite {
            a.append(ensemble[i]); b.append(other[i])
        }
        let n = a.count
        eras = n
        guard n > 0 else {
            ensembleMean = .nan; otherMean = .nan; meanDifference = .nan; standardError = .nan; low = .nan; high = .nan
            return
        }
        let d = zip(a, b).map { $0 - $1 }
        ensembleMean = a.reduce(0, +) / Double(n)
        otherMean = b.reduce(0, +) / Double(n)
        let mean = d.reduce(0, +) / Double(n)
        meanDifference = mean
        guard n > 1 else { standardError = .nan; low = .nan; high = .nan; return }
        let ss = d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let se = (ss / Double(n - 1)).squareRoot() / Double(n).squareRoot()
        standardError = se
        let t = StudentT.quantile95(degreesOfFreedom: n - 1)
        low = mean - t * se
        high = mean + t * se
    }

    /// What the interval says about the gain.
    enum Verdict: Equatable { case better, worse, inconclusive, undetermined }

    var verdict: Verdict {
        guard low.isFinite, high.isFinite else { return .undetermined }
        if low > 0 { return .better }
        if high < 0 { return .worse }
        return .inconclusive
    }
}

/// Student t quantiles for the 90% two-sided intervals of the report.
enum StudentT {
    /// t₀.₉₅ for ν = 1…30 (to 6 decimals).
    static let table: [Double] = [
        6.313752, 2.919986, 2.353363, 2.131847, 2.015048, 1.943180, 1.894579, 1.859548, 1.833113, 1.812461,
        1.795885, 1.782288, 1.770933, 1.761310, 1.753050, 1.745884, 1.739607, 1.734064, 1.729133, 1.724718,
        1.720743, 1.717144, 1.713872, 1.710882, 1.708141, 1.705618, 1.703288, 1.701131, 1.699127, 1.697261,
    ]
    static let z95 = 1.6448536269514722

    /// The 0.95 quantile of Student's t with ν degrees of freedom: the table up to 30, beyond it
    /// the Cornish–Fisher expansion around z₀.₉₅ (Abramowitz & Stegun 26.7.5, error < 1e-6 there).
    static func quantile95(degreesOfFreedom nu: Int) -> Double {
        precondition(nu >= 1)
        if nu <= table.count { return table[nu - 1] }
        let z = z95, v = Double(nu)
        let z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z, z9 = z7 * z * z
        let g1 = (z3 + z) / 4
        let g2 = (5 * z5 + 16 * z3 + 3 * z) / 96
        let g3 = (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384
        let g4 = (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / 92160
        return z + g1 / v + g2 / (v * v) + g3 / (v * v * v) + g4 / (v * v * v * v)
    }
}
