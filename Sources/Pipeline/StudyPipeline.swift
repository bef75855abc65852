import Diversity
import EraData
import EvaluationRules
import Foundation
import PredictionStore
import Reports
import Studies

/// The end of a study: stored predictions → analysis → `metrics.json`, `report.md`, `charts/`.
/// `workbench run` calls it after training and `workbench report` to re-render; both get the
/// same bytes for the same stored predictions.
public enum StudyPipeline {
    /// Random subsets drawn per ensemble size for the scaling curves.
    public static let randomDraws = 32

    /// Analyses `DIR/predictions.h5` of `spec` on `dataset` and writes the metrics and the report.
    /// Models that did not finish are left out (and listed in the report). Returns `report.md`.
    @discardableResult
    public static func analyseAndReport(spec: StudySpec, dataset: Dataset, directory: URL) throws -> URL {
        let stored = try StoredStudy.read(directory: directory)
        let prepared = try prepare(spec: spec, stored: stored, dataset: dataset)
        var analysis = try StudyAnalysis.run(prepared.input)
        analysis.metrics.pruning = try PruningRecord.read(directory: directory)   // successive halving, when the study pruned
        var description = try describe(spec: spec, stored: stored, dataset: dataset, input: prepared.input,
                                       excluded: prepared.excluded)
        if let constant = analysis.metrics.constantModels, !constant.isEmpty {
            description.resolvedPlan += "\nconstant models, not analysed (\(constant.count); predictions constant within every evaluation era, so no ranking): " + constant.joined(separator: ", ")
        }
        description.data.ceilingCorr = ceilingCorr(dataset: dataset, rows: prepared.input.rows,
                                                   targetIndex: prepared.input.targetIndex,
                                                   testEras: analysis.metrics.split.testEras)
        try StudyReport.writeMetrics(analysis.metrics, to: directory)
        // models.csv and per_era.csv: the same numbers as tables (wherever metrics.json is written).
        try ResultTables.write(analysis: analysis, models: description.models, to: directory)
        return try StudyReport.write(analysis: analysis, study: description, to: directory)
    }

    public struct Prepared {
        public let input: AnalysisInput
        /// "id: reason" of stored models left out of the analysis.
        public let excluded: [String]
    }

    /// The scored target: the benchmark's (the study's main target), else `target`, else the first.
    static func scoredTarget(spec: StudySpec, dataset: Dataset) -> Int {
        spec.scoredTargetIndex(in: dataset)
    }

    /// Checks the stored predictions belong to this study and dataset, and lays them out for the
    /// analysis: finished models in study order, then the benchmark (the BMC reference), on the
    /// stored rows of the study's evaluation split.
    public static func prepare(spec: StudySpec, stored: StoredStudy, dataset: Dataset) throws -> Prepared {
        guard stored.studyHash == spec.hash else {
            throw PipelineError.foreignPredictions(storedName: stored.studyName, storedHash: stored.studyHash, name: spec.name, hash: spec.hash)
        }
        guard stored.rows.allSatisfy({ $0 >= 0 && Int($0) < dataset.rowCount }) else {
            throw PipelineError.rowsBeyondDataset(rowCount: dataset.rowCount)
        }
        if let bad = stored.rows.indices.first(where: { stored.ids[$0] != dataset.ids[Int(stored.rows[$0])] }) {
            throw PipelineError.idMismatch(column: bad, stored: stored.ids[bad], dataset: dataset.ids[Int(stored.rows[bad])])
        }
        let split = spec.evaluation.split
        let columns = stored.rows.indices.filter { dataset.splitOfRow[Int(stored.rows[$0])] == split }
        guard !columns.isEmpty else {
            throw PipelineError.noEvaluationRows(split: split.rawValue)
        }
        let rows = columns.map { stored.rows[$0] }

        var models: [ModelInfo] = [], predictions: [[Float]] = [], excluded: [String] = []
        func add(_ record: ModelRecord, _ values: [Float]) {
            models.append(ModelInfo(id: record.id, arm: record.arm, params: record.parameters, descriptors: record.descriptors))
            predictions.append(columns.map { values[$0] })
        }
        for record in stored.records {
            guard record.status == .done else {
                excluded.append("\(record.id): \(record.error ?? record.status.rawValue)")
                continue
            }
            add(record, stored.predictions(ofModel: record.index))
        }
        var benchmark: Int? = nil
        if let record = stored.benchmarkRecord, let values = stored.benchmarkPredictions {
            if record.status == .done {
                benchmark = models.count
                add(record, values)
            } else {
                excluded.append("\(record.id) (benchmark): \(record.error ?? record.status.rawValue)")
            }
        }
        guard !models.isEmpty else { throw PipelineError.noFinishedModel }
        var input = AnalysisInput(
            models: models, predictions: predictions, rows: rows, dataset: dataset,
            targetIndex: scoredTarget(spec: spec, dataset: dataset), benchmark: benchmark,
            split: EvaluationSplit(selectionFraction: spec.evaluation.selectionFraction, embargoEras: spec.evaluation.embargoEras),
            scaling: ScalingConfig(draws: randomDraws, seed: spec.seed))
        input.ensembles = spec.ensembles
        input.contrasts = spec.contrasts
        input.inference = spec.evaluation.inference
        return Prepared(input: input, excluded: excluded)
    }

    static func describe(spec: StudySpec, stored: StoredStudy, dataset: Dataset, input: AnalysisInput,
                         excluded: [String]) throws -> StudyDescription {
        let planner = try Planner(spec: spec, dataset: dataset)   // its spec has the data's feature groups resolved
        var plan = PlanSummary(spec: planner.spec, plans: planner.plans()).render()
        if !excluded.isEmpty {
            plan += "\nnot analysed (\(excluded.count)): " + excluded.joined(separator: "; ")
        }
        let records = stored.records.filter { $0.status == .done } + (stored.benchmarkRecord.map { $0.status == .done ? [$0] : [] } ?? [])
        let allRecords = stored.records + (stored.benchmarkRecord.map { [$0] } ?? [])
        let source: String
        switch spec.data {
        case .synthetic(let c):
            source = "synthetic: \(c.eras) eras × \(c.rowsPerEra) rows, \(c.features) features, \(c.targets) targets, noise \(c.noise), seed \(c.seed)"
        case .files(let paths, let featureSet):
            source = paths.joined(separator: ", ") + (featureSet.map { " (feature set \($0))" } ?? "")
        }
        return StudyDescription(
            name: spec.name, description: spec.description, declaredJSON: spec.canonicalJSON, resolvedPlan: plan,
            data: DataSummary(source: source, rows: dataset.rowCount, eras: dataset.eras.count, features: dataset.featureCount,
                              targets: dataset.targetNames, trainEras: dataset.eraIndices(in: .train).count,
                              validationEras: dataset.eraIndices(in: .validation).count),
            models: records.map(ModelSummary.init(record:)),
            evaluation: EvaluationSetup(rows: "\(spec.evaluation.split.rawValue) split, \(input.rows.count) rows",
                                        randomDraws: input.scaling.draws, scalingSeed: input.scaling.seed),
            totalTrainSeconds: allRecords.reduce(0) { $0 + $1.trainSeconds })
    }

    /// Synthetic data: mean over the test eras of numerai_corr(true signal, target) — the ceiling
    /// the headline numbers can be read against. nil for real data.
    static func ceilingCorr(dataset: Dataset, rows: [Int32], targetIndex: Int, testEras: [String]) -> Double? {
        guard let signal = dataset.trueSignal else { return nil }
        let test = Set(testEras)
        var perEra: [Double] = []
        for group in dataset.eraGroups(of: rows) where test.contains(dataset.eras[group.era]) {
            let r = rows[group.range]
            let corr = Scoring.numeraiCorr(predictions: r.map { Double(signal[Int($0)]) },
                                           target: r.map { Double(dataset.targets[targetIndex][Int($0)]) })
            if corr.isFinite { perEra.append(corr) }
        }
        return perEra.isEmpty ? nil : perEra.reduce(0, +) / Double(perEra.count)
    }
}

extension StudyPipeline {
    /// The headline contrasts of `DIR/metrics.json` for the terminal: one line per contrast with
    /// its mean difference, HAC interval, Holm p and verdict (empty when there are none).
    public static func contrastLines(directory: URL) throws -> String {
        let url = directory.appendingPathComponent("metrics.json")
        let metrics = try StudyMetrics.decode(try Data(contentsOf: url))
        guard let contrasts = metrics.contrasts, !contrasts.isEmpty, let config = metrics.inference else { return "" }
        let width = contrasts.map(\.name.count).max() ?? 0
        func f(_ x: Double) -> String { x.isFinite ? String(format: "%+.4f", x) : "n/a" }
        var lines = ["contrasts (paired over test eras; \(Int((100 * (1 - config.alpha)).rounded()))% HAC intervals, lag \(config.hacLag); " +
                     "Holm over \(contrasts.count); equivalence margin ±\(config.equivalenceMargin)):"]
        for c in contrasts {
            let pad = String(repeating: " ", count: max(0, width - c.name.count))
            lines.append("  \(c.name)\(pad)  \(f(c.mean)) [\(f(c.hacCILow)), \(f(c.hacCIHigh))]  p_holm " +
                         (c.pHolm.isFinite ? String(format: "%.3f", c.pHolm) : "n/a") + "  \(c.verdict)")
        }
        if let p = metrics.pruning {   // what successive halving did to each arm
            lines += p.arms.map { "  pruning: arm \($0.arm): \($0.survivors) of \($0.models) models trained to the end (pruned " +
                zip(p.rungs, $0.prunedPerRung).map { "\($0.1) at \($0.0)" }.joined(separator: ", ") + " trees)" }
        }
        return lines.joined(separator: "\n")
    }
}
