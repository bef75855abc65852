import EraData
import EvaluationRules
import Foundation

extension StudySpec {
    /// The scored target: the benchmark's (the study's main target), else `target`, else the first.
    public func scoredTargetIndex(in dataset: Dataset) -> Int {
        dataset.targetIndex(benchmarkTarget) ?? dataset.targetIndex("target") ?? 0
    }

    /// Checks, before any training, that the analysis after training can run on this data: the
    /// evaluation split has rows, and enough eras with at least two scored rows (a known target
    /// value; one row gives no per-era correlation) for a selection range, the embargo and a test
    /// range (`EvaluationSplit.ranges`). `run --check` and `run` call it, so a study that would
    /// fail only after all training fails at once.
    public func checkEvaluation(on dataset: Dataset) throws {
        let split = evaluation.split
        let target = dataset.targets[scoredTargetIndex(in: dataset)]
        var rowsInSplit = 0
        var scoredRowsOfEra: [Int32: Int] = [:]
        for (i, s) in dataset.splitOfRow.enumerated() where s == split {
            rowsInSplit += 1
            if !target[i].isNaN { scoredRowsOfEra[dataset.eraOfRow[i], default: 0] += 1 }
        }
        let targetName = dataset.targetNames[scoredTargetIndex(in: dataset)]
        guard rowsInSplit > 0 else {
            throw StudiesError.at("$.evaluation.split", .noEvaluationRows(split: split.rawValue, present: Set(dataset.splitOfRow).sorted().map(\.rawValue)))
        }
        let usableEras = scoredRowsOfEra.values.filter { $0 >= 2 }.count
        guard usableEras > 0 else {
            throw StudiesError.at("$.evaluation.split", .noScorableEra(split: split.rawValue, target: targetName))
        }
        let evaluationSplit = EvaluationSplit(selectionFraction: evaluation.selectionFraction, embargoEras: evaluation.embargoEras)
        do { _ = try evaluationSplit.ranges(eraCount: usableEras) } catch {
            throw StudiesError.at("$.evaluation", .tooFewEvaluationEras(split: split.rawValue, eras: usableEras, selectionFraction: evaluation.selectionFraction, embargoEras: evaluation.embargoEras))
        }
    }
}
