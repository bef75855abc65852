import EraData
import Foundation
import LinearAlgebra
import Support

/// One bootstrapped statistic: the estimate on the data as measured and the percentile interval
/// (α/2, 1 − α/2) over resamples.
public struct BootstrapStatistic: Codable, Equatable, Sendable {
    public var name: String
    public var estimate: Double
    public var ciLow: Double
    public var ciHigh: Double
    enum CodingKeys: String, CodingKey { case name, estimate, ciLow = "ci_low", ciHigh = "ci_high" }
}

/// The uncertainty of an arm's ensemble statistics over which models it happened to get (and
/// which test eras): metrics.json `uncertainty[]`.
public struct ArmUncertainty: Codable, Equatable, Sendable {
    public var arm: String
    public var models: Int
    public var resamples: Int
    /// Moving-block length over test eras (L + 1 for Newey–West lag L).
    public var eraBlock: Int
    public var seed: UInt64
    /// `c_over_sqrt_rho`, `gain`, `effective_models`, `participation_ratio`, `contribution_positive_share`.
    public var statistics: [BootstrapStatistic]
    enum CodingKeys: String, CodingKey { case arm, models, resamples, eraBlock = "era_block", seed, statistics }
}

/// Bootstrap over an arm's models and, jointly, moving blocks of test eras.
///
/// Resample r (SplitMix64 stream (seed, r), so the same seed gives the same bits at any thread
/// count): M models drawn with replacement, and ⌈T/b⌉ blocks of b consecutive test eras (starts
/// uniform) truncated to T eras. On a resample: c = mean over drawn models of their mean corr over
/// the drawn eras; ρ̄ = mean correlation over drawn pairs that are different models (a model is not
/// its own partner: pairs of the same model would read as ρ = 1 and bias ρ̄ up); then
/// - c/√ρ̄ (test-range ρ̄), the equal-member ceiling;
/// - gain = 1/√(ρ̄ + (1 − ρ̄)/M) (test-range ρ̄): ensemble corr / member corr for standardized members;
/// - Kish n_eff = M/(1 + (M − 1)ρ̄) and participation ratio M/(1 + (M − 1)·mean ρ²) (all-rows
///   correlation, as `diversity`; the ratio equals (Σλ)²/Σλ² of the correlation matrix);
/// - the share of drawn models with positive contribution (fixed per model, measured on all eras).
/// Estimates use the models and eras as measured; intervals are percentiles of the resamples.
public enum ModelBootstrap {
    public static let statisticNames = ["c_over_sqrt_rho", "gain", "effective_models", "participation_ratio",
                                        "contribution_positive_share"]

    /// `corr[i][e]`: model i's corr on test era e; `testCorrelation`, `allCorrelation`: M × M;
    /// `contribution[i]`: model i's contribution (NaN undefined).
    public static func run(arm: String, corr: [[Double]], testCorrelation: Matrix, allCorrelation: Matrix,
                           contribution: [Double], resamples: Int, eraBlock: Int, seed: UInt64, alpha: Double) -> ArmUncertainty {
        let m = corr.count
        let eras = corr.first?.count ?? 0
        let rt = testCorrelation.values, ra = allCorrelation.values
        let block = max(1, min(eraBlock, max(eras, 1)))

        @Sendable func statistics(models: [Int], eraList: [Int]) -> [Double] {
            var cSum = 0.0, cCount = 0
            for i in models {
                var s = 0.0, k = 0
                for e in eraList where corr[i][e].isFinite { s += corr[i][e]; k += 1 }
                if k > 0 { cSum += s / Double(k); cCount += 1 }
            }
            let c = cCount > 0 ? cSum / Double(cCount) : .nan
            var st = 0.0, sa = 0.0, sq = 0.0, pairs = 0
            for x in 0..<models.count {
                let i = models[x]
                for y in (x + 1)..<models.count where models[y] != i {
                    let j = models[y]
                    st += rt[i * m + j]; sa += ra[i * m + j]; sq += ra[i * m + j] * ra[i * m + j]; pairs += 1
                }
            }
            let mm = Double(models.count)
            let rhoT = pairs > 0 ? st / Double(pairs) : .nan
            let rhoA = pairs > 0 ? sa / Double(pairs) : .nan
            let sqA = pairs > 0 ? sq / Double(pairs) : .nan
            let defined = models.filter { contribution[$0].isFinite }
            return [
                rhoT > 0 ? c / rhoT.squareRoot() : .nan,
                1 / (rhoT + (1 - rhoT) / mm).squareRoot(),
                mm / (1 + (mm - 1) * rhoA),
                mm / (1 + (mm - 1) * sqA),
                defined.isEmpty ? .nan : Double(defined.filter { contribution[$0] > 0 }.count) / Double(defined.count),
            ]
        }

        let estimate = statistics(models: Array(0..<m), eraList: Array(0..<eras))
        let b = max(resamples, 0)
        let k = statisticNames.count
        let out = SharedDoubles(count: b * k)
        if m > 0 && eras > 0 {
            DispatchQueue.concurrentPerform(iterations: b) { r in
                var rng = SplitMix64(seed: seed, stream: [UInt64(r)])
                let models = (0..<m).map { _ in Int(rng.next() % UInt64(m)) }
                var eraList: [Int] = []
                eraList.reserveCapacity(eras + block)
                while eraList.count < eras {
                    let start = Int(rng.next() % UInt64(eras - block + 1))
                    eraList += start..<(start + block)
                }
                let s = statistics(models: models, eraList: Array(eraList.prefix(eras)))
                for x in 0..<k { out.v[r * k + x] = s[x] }
            }
        }
        let values = out.array
        let stats = statisticNames.enumerated().map { x, name -> BootstrapStatistic in
            let v = (0..<b).map { values[$0 * k + x] }.filter(\.isFinite).sorted()
            return BootstrapStatistic(name: name, estimate: estimate[x],
                                      ciLow: quantile(v, alpha / 2), ciHigh: quantile(v, 1 - alpha / 2))
        }
        return ArmUncertainty(arm: arm, models: m, resamples: b, eraBlock: block, seed: seed, statistics: stats)
    }
}
