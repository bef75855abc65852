import Diversity
import EraData
import EvaluationRules
import Foundation
import Studies

/// A model's predictions on the evaluation rows as the scores need them: Φ⁻¹(rank) per era over
/// the rows with a target ("compact", era after era) and numerai_corr per evaluation era.
public struct ScoredPredictions: Sendable {
    public let gaussianized: [Double]
    public let corrPerEra: [Double]
}

/// Scores on one range of eras.
public struct RangeMetrics: Codable, Equatable, Sendable {
    /// numerai_corr per era: mean, std (ddof 0), sharpe, max drawdown.
    public var corrMean: Double
    public var corrStd: Double
    public var corrSharpe: Double
    public var maxDrawdown: Double
    /// Mean correlation_contribution against the benchmark (BMC).
    public var bmcMean: Double
    public var eras: Int
    enum CodingKeys: String, CodingKey {
        case corrMean = "corr_mean", corrStd = "corr_std", corrSharpe = "corr_sharpe"
        case maxDrawdown = "max_drawdown", bmcMean = "bmc_mean", eras
    }
}

/// The evaluation split of the study cut into selection eras (acceptance is decided there) and
/// later test eras (rotation and pooling are simulated there), with the embargo between them —
/// `Diversity.EvaluationSplit`, the same cut the study analysis uses.
public final class MiningEvaluation: @unchecked Sendable {
    public let dataset: Dataset
    /// Rows of the evaluation split, in era order.
    public let rows: [Int32]
    public let targetIndex: Int
    public let layout: EraLayout
    /// Era ranges into `layout.eras`.
    public let selection: Range<Int>
    public let test: Range<Int>
    /// Compact positions of the selection and test eras.
    public let selectionSpan: Range<Int>
    public let testSpan: Range<Int>

    public init(spec: StudySpec, dataset: Dataset) throws {
        self.dataset = dataset
        rows = dataset.rows(in: spec.evaluation.split)
        guard !rows.isEmpty else {
            throw MiningError("the data has no '\(spec.evaluation.split.rawValue)' rows to select and test models on")
        }
        // The scored target: the benchmark's (the study's main target), else `target`, else the first.
        targetIndex = dataset.targetIndex(spec.benchmarkTarget) ?? dataset.targetIndex("target") ?? 0
        do {
            layout = try EraLayout(dataset: dataset, rows: rows, targetIndex: targetIndex)
            let split = EvaluationSplit(selectionFraction: spec.evaluation.selectionFraction,
                                        embargoEras: spec.evaluation.embargoEras)
            (selection, test) = try split.ranges(eraCount: layout.eras.count)
        } catch let error as DiversityError {
            throw MiningError("evaluation eras: \(error.description)")
        } catch let error as EvaluationRulesError {
            throw MiningError("evaluation eras: \(error.description)")
        }
        selectionSpan = layout.compactRange(eras: selection)
        testSpan = layout.compactRange(eras: test)
    }

    public var selectionEraNames: [String] { selection.map { layout.eras[$0].name } }
    public var testEraNames: [String] { test.map { layout.eras[$0].name } }

    /// Scores predictions aligned with `rows`.
    public func score(_ predictions: [Float]) -> ScoredPredictions {
        var g = [Double](repeating: 0, count: layout.compactCount)
        var scratch = RankScratch()
        let corr = predictions.withUnsafeBufferPointer { p in
            g.withUnsafeMutableBufferPointer { out in layout.scoreModel(p, gaussianized: out, scratch: &scratch) }
        }
        return ScoredPredictions(gaussianized: g, corrPerEra: corr)
    }

    /// Per-era correlation_contribution of `model` against `benchmark` over `eras`.
    public func contribution(_ model: [Double], against benchmark: [Double], eras: Range<Int>) -> [Double] {
        model.withUnsafeBufferPointer { p in
            benchmark.withUnsafeBufferPointer { m in layout.contributionPerEra(gaussianized: p, meta: m, eras: eras) }
        }
    }

    /// Summary of `model` on `eras` with BMC against `benchmark`.
    public func metrics(_ model: ScoredPredictions, benchmark: ScoredPredictions, eras: Range<Int>) -> RangeMetrics {
        let s = SeriesSummary(Array(model.corrPerEra[eras]))
        let bmc = SeriesSummary.mean(contribution(model.gaussianized, against: benchmark.gaussianized, eras: eras))
        return RangeMetrics(corrMean: s.mean, corrStd: s.std, corrSharpe: s.sharpe, maxDrawdown: s.maxDrawdown,
                            bmcMean: bmc, eras: eras.count)
    }

    /// Pearson correlation of two models' gaussianized predictions over the compact `span` (how
    /// the study analysis measures similarity).
    public func correlation(_ a: [Double], _ b: [Double], span: Range<Int>) -> Double {
        a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                Scoring.pearson(UnsafeBufferPointer(rebasing: x[span]), UnsafeBufferPointer(rebasing: y[span]))
            }
        }
    }

    /// Equal-weight mean of gaussianized predictions, re-gaussianized per era: what an ensemble
    /// of submissions looks like to the scorer (and a valid "meta model" for contributions).
    public func ensemble(_ members: [[Double]]) -> [Double] {
        var sum = [Double](repeating: 0, count: layout.compactCount)
        for m in members { for i in sum.indices { sum[i] += m[i] } }
        let scale = 1 / Double(max(members.count, 1))
        for i in sum.indices { sum[i] *= scale }
        return gaussianizePerEra(sum)
    }

    /// Φ⁻¹(rank) within each era of a compact array.
    public func gaussianizePerEra(_ values: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: values.count)
        var scratch = RankScratch()
        values.withUnsafeBufferPointer { v in
            out.withUnsafeMutableBufferPointer { o in
                for e in layout.eras.indices {
                    let r = layout.eras[e].compact
                    layout.gaussianize(era: e, values: UnsafeBufferPointer(rebasing: v[r]),
                                       into: UnsafeMutableBufferPointer(rebasing: o[r]), scratch: &scratch)
                }
            }
        }
        return out
    }

    /// numerai_corr per era (all evaluation eras) of a compact array.
    public func corrPerEra(compact values: [Double]) -> [Double] {
        var scratch = RankScratch()
        return values.withUnsafeBufferPointer { layout.numeraiCorrPerEra(compact: $0, eras: 0..<layout.eras.count, scratch: &scratch) }
    }
}
