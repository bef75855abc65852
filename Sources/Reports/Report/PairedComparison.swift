import Diversity
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
        let se = PairedInference.standardError(d)
        standardError = se
        let t = Distributions.tQuantile(0.95, degreesOfFreedom: Double(n - 1))
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
