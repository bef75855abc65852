import Diversity
import Foundation
import Studies

/// Which model each staker holds in each era when models rotate (scheme b).
///
/// With n models, staker i holds model (i + t) mod n in test era t (t = 0, 1, … counted from the
/// first test era). Every era is a permutation (each model held by exactly one staker), and over
/// any n consecutive eras each staker holds each model exactly once.
public struct RotationSchedule: Sendable, Equatable {
    public let models: Int
    public init(models: Int) {
        precondition(models >= 1)
        self.models = models
    }

    public func model(staker: Int, era: Int) -> Int { (staker + era) % models }

    /// Models held by stakers 0…n−1 in era `era`.
    public func assignment(era: Int) -> [Int] { (0..<models).map { model(staker: $0, era: era) } }
}

/// How stakers' payouts are tied to models, simulated on the test eras.
public enum PayoutScheme: String, Codable, Sendable, CaseIterable {
    /// (a) each staker submits its own mined model.
    case keep
    /// (b) models rotate among stakers by `RotationSchedule`.
    case rotate
    /// (c) every staker submits the shared ensemble of all mined models.
    case pool

    public var title: String {
        switch self {
        case .keep: return "(a) keep own model"
        case .rotate: return "(b) rotate models"
        case .pool: return "(c) pool: everyone holds the ensemble"
        }
    }
}

/// One scheme's outcome: what each staker scores and what the fund receives.
public struct SchemeResult: Codable, Equatable, Sendable {
    public var scheme: PayoutScheme
    /// Per staker (mining order): mean numerai_corr of its submissions over the test eras.
    public var stakerMeans: [Double]
    public var distribution: StakerDistribution
    /// The fund's meta model: per era, the equal-stake mean of every staker's gaussianized
    /// submission, scored with numerai_corr and BMC against the benchmark.
    public var fundCorrMean: Double
    public var fundCorrSharpe: Double
    public var fundBMCMean: Double
    public var fundCorrPerEra: [Double]
    enum CodingKeys: String, CodingKey {
        case scheme, stakerMeans = "staker_means", distribution, fundCorrMean = "fund_corr_mean"
        case fundCorrSharpe = "fund_corr_sharpe", fundBMCMean = "fund_bmc_mean", fundCorrPerEra = "fund_corr_per_era"
    }
}

public enum FarmSimulation {
    /// Simulates the three schemes over the test eras for the farm's accepted models (one staker
    /// per model, equal stakes). Empty when no model was accepted.
    public static func run(evaluation: MiningEvaluation, models: [ScoredPredictions],
                           benchmark: ScoredPredictions) -> [SchemeResult] {
        let n = models.count
        guard n > 0 else { return [] }
        let layout = evaluation.layout
        let test = evaluation.test
        let schedule = RotationSchedule(models: n)
        let pooled = evaluation.ensemble(models.map(\.gaussianized))
        let pooledCorr = evaluation.corrPerEra(compact: pooled)

        return PayoutScheme.allCases.map { scheme in
            // Staker i's submission in test era t: a model's (or the pool's) gaussianized predictions.
            func source(_ i: Int, _ t: Int) -> (g: [Double], corr: [Double]) {
                switch scheme {
                case .keep: return (models[i].gaussianized, models[i].corrPerEra)
                case .rotate:
                    let m = models[schedule.model(staker: i, era: t)]
                    return (m.gaussianized, m.corrPerEra)
                case .pool: return (pooled, pooledCorr)
                }
            }
            var stakerSeries = [[Double]](repeating: [], count: n)
            var fund = [Double](repeating: 0, count: layout.compactCount)
            for (t, e) in test.enumerated() {
                let r = layout.eras[e].compact
                for i in 0..<n {
                    let s = source(i, t)
                    stakerSeries[i].append(s.corr[e])
                    for p in r { fund[p] += s.g[p] }
                }
            }
            let fundG = evaluation.gaussianizePerEra(fund)
            let fundCorr = Array(evaluation.corrPerEra(compact: fundG)[test])
            let fundBMC = evaluation.contribution(fundG, against: benchmark.gaussianized, eras: test)
            let means = stakerSeries.map(SeriesSummary.mean)
            let summary = SeriesSummary(fundCorr)
            return SchemeResult(scheme: scheme, stakerMeans: means, distribution: StakerDistribution(means),
                                fundCorrMean: summary.mean, fundCorrSharpe: summary.sharpe,
                                fundBMCMean: SeriesSummary.mean(fundBMC), fundCorrPerEra: fundCorr)
        }
    }
}
