import Foundation
import LinearAlgebra

public enum Contribution {
    /// Each model's correlation_contribution (BMC-style) to the equal-weight ensemble of all the
    /// OTHER models of `models`, per era of `eras`, averaged over those eras. NaN when there is no
    /// other model. Parallel over models; each result depends only on its inputs.
    public static func toOthers(g: ModelMatrix, layout: EraLayout, models: [Int], eras: Range<Int>) -> [Double] {
        toOthersSeries(g: g, layout: layout, models: models, eras: eras).map(SeriesSummary.mean)
    }

    /// The per-era series behind `toOthers` (one per model of `models`, one value per era of `eras`).
    public static func toOthersSeries(g: ModelMatrix, layout: EraLayout, models: [Int], eras: Range<Int>) -> [[Double]] {
        let m = models.count
        guard m > 1 else { return [[Double]](repeating: [Double](repeating: .nan, count: eras.count), count: m) }
        let span = layout.compactRange(eras: eras)
        var total = [Double](repeating: 0, count: span.count)
        for model in models {
            let row = g.row(model)
            for i in 0..<span.count { total[i] += row[span.lowerBound + i] }
        }
        let totals = total
        let width = eras.count
        let out = SharedDoubles(count: m * width)
        DispatchQueue.concurrentPerform(iterations: m) { x in
            let row = g.row(models[x])
            let scale = 1 / Double(m - 1)
            var others = [Double](repeating: 0, count: span.count)
            for i in 0..<span.count { others[i] = (totals[i] - row[span.lowerBound + i]) * scale }
            var scratch = RankScratch()
            var series: [Double] = []
            others.withUnsafeMutableBufferPointer { o in
                for e in eras {
                    let era = layout.eras[e]
                    let local = (era.compact.lowerBound - span.lowerBound)..<(era.compact.upperBound - span.lowerBound)
                    let slice = UnsafeMutableBufferPointer(rebasing: o[local])
                    var gaussian = [Double](repeating: 0, count: slice.count)
                    gaussian.withUnsafeMutableBufferPointer { out in
                        layout.gaussianize(era: e, values: UnsafeBufferPointer(slice), into: out, scratch: &scratch)
                    }
                    let p = Array(UnsafeBufferPointer(rebasing: row[era.compact]))
                    series.append(Scoring.contribution(gaussianized: p, metaGaussianized: gaussian,
                                                       contributionTarget: era.tContribution))
                }
            }
            for (e, v) in series.enumerated() { out.v[x * width + e] = v }
        }
        let flat = out.array
        return (0..<m).map { Array(flat[($0 * width)..<(($0 + 1) * width)]) }
    }
}

/// Which varied settings explain how similar two models are and how much a model contributes.
public struct Attribution: Codable, Equatable, Sendable {
    /// The parameter or descriptor name.
    public var name: String
    /// Spearman correlation, over model pairs, between |Δ value| and the pairs' prediction correlation
    /// (negative: models that differ more in this setting are less correlated).
    public var spearmanAbsDiffVsPairwiseCorr: Double
    /// Spearman correlation, over models, between the value and the contribution to the others.
    public var spearmanVsContribution: Double
    /// Spearman correlation, over models, between the value and the mean numerai_corr.
    public var spearmanVsCorrMean: Double

    enum CodingKeys: String, CodingKey {
        case name
        case spearmanAbsDiffVsPairwiseCorr = "spearman_abs_diff_vs_pairwise_corr"
        case spearmanVsContribution = "spearman_vs_contribution"
        case spearmanVsCorrMean = "spearman_vs_corr_mean"
    }

    /// One entry per name present (finite) in every model's `values` and not constant across them,
    /// sorted by name. `correlation` is the models' pairwise correlation matrix.
    public static func compute(values: [[String: Double]], correlation: Matrix, contribution: [Double],
                               corrMean: [Double]) -> [Attribution] {
        let m = values.count
        guard m > 1 else { return [] }
        let names = Set(values[0].keys).filter { name in
            values.allSatisfy { $0[name]?.isFinite == true } && Set(values.map { $0[name]! }).count > 1
        }
        var pairCorr: [Double] = []
        for i in 0..<m { for j in (i + 1)..<m { pairCorr.append(correlation[i, j]) } }
        return names.sorted().map { name in
            let v = values.map { $0[name]! }
            var diffs: [Double] = []
            for i in 0..<m { for j in (i + 1)..<m { diffs.append(abs(v[i] - v[j])) } }
            return Attribution(name: name,
                               spearmanAbsDiffVsPairwiseCorr: Scoring.spearman(diffs, pairCorr),
                               spearmanVsContribution: Scoring.spearman(v, contribution),
                               spearmanVsCorrMean: Scoring.spearman(v, corrMean))
        }
    }
}
