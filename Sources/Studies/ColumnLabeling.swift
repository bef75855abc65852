import EraData
import EvaluationRules
import Foundation
import PredictionStore

extension StudySpec {
    /// The labels `predictions.h5` stores per column (`rows` are dataset rows): the scored target
    /// (`scoredTargetIndex`), the data split, and whether the column's era is a selection or a
    /// test era of the evaluation. Those eras are the ones the analysis uses: the evaluation
    /// split's eras with at least one known target, in data order, cut by `EvaluationSplit.ranges`
    /// (all flags 0 when they are too few — `checkEvaluation` refuses such a study first).
    public func columnLabels(rows: [Int32], dataset: Dataset) -> ColumnLabels {
        let t = scoredTargetIndex(in: dataset)
        let target = rows.map { dataset.targets[t][Int($0)] }
        let split = rows.map { dataset.splitOfRow[Int($0)] }
        var eras: [Int32] = [], seen = Set<Int32>()
        for (i, r) in rows.enumerated() where split[i] == evaluation.split && !target[i].isNaN {
            if seen.insert(dataset.eraOfRow[Int(r)]).inserted { eras.append(dataset.eraOfRow[Int(r)]) }
        }
        var selectionEras = Set<Int32>(), testEras = Set<Int32>()
        let cut = EvaluationSplit(selectionFraction: evaluation.selectionFraction, embargoEras: evaluation.embargoEras)
        if let (selection, test) = try? cut.ranges(eraCount: eras.count) {
            selectionEras = Set(selection.map { eras[$0] })
            testEras = Set(test.map { eras[$0] })
        }
        let inEvaluation = rows.indices.map { split[$0] == evaluation.split }
        return ColumnLabels(
            targetName: dataset.targetNames[t], target: target, split: split.map(\.rawValue),
            selection: rows.indices.map { inEvaluation[$0] && selectionEras.contains(dataset.eraOfRow[Int(rows[$0])]) },
            test: rows.indices.map { inEvaluation[$0] && testEras.contains(dataset.eraOfRow[Int(rows[$0])]) })
    }
}
