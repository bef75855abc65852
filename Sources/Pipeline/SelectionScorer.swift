import Diversity
import EraData
import Foundation
import Studies

extension StudyPipeline {
    /// The selection-era score successive halving ranks models by (`SelectionScorer`), for
    /// `StudyRunner.selectionScore`; nil when the study does not prune.
    public static func selectionScore(spec: StudySpec, dataset: Dataset,
                                      evaluationRows: [Int32]) throws -> (@Sendable ([Float]) -> Double)? {
        guard spec.pruning != nil else { return nil }
        let scorer = try SelectionScorer(spec: spec, dataset: dataset, evaluationRows: evaluationRows)
        return { scorer.score($0) }
    }
}

/// Scores evaluation predictions for pruning: the mean per-era numerai_corr over the selection
/// eras (`StudySpec.columnLabels`: the same eras and target as the analysis), eras whose corr is
/// undefined left out; NaN when none is defined. Test-era rows are never read.
struct SelectionScorer: Sendable {
    /// Positions (into the evaluation rows) of the selection columns.
    let positions: [Int]
    let layout: EraLayout

    init(spec: StudySpec, dataset: Dataset, evaluationRows: [Int32]) throws {
        let labels = spec.columnLabels(rows: evaluationRows, dataset: dataset)
        positions = evaluationRows.indices.filter { labels.selection[$0] }
        guard !positions.isEmpty else {
            throw StudiesError.at("$.pruning", .noSelectionEras)
        }
        do {
            layout = try EraLayout(dataset: dataset, rows: positions.map { evaluationRows[$0] },
                                   targetIndex: spec.scoredTargetIndex(in: dataset))
        } catch {
            throw StudiesError.at("$.pruning", .selectionUnscorable("\(error)"))
        }
    }

    func score(_ predictions: [Float]) -> Double {
        let selected = positions.map { predictions[$0] }
        var scratch = RankScratch()
        var buffer = [Double](repeating: 0, count: layout.compactCount)
        let corrs = selected.withUnsafeBufferPointer { p in
            buffer.withUnsafeMutableBufferPointer { layout.scoreModel(p, gaussianized: $0, scratch: &scratch) }
        }
        return SeriesSummary.mean(corrs)
    }
}
