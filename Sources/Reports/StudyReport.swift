import Diversity
import EraData
import Foundation
import PredictionStore
import Support

/// What the report says about a study besides its metrics: how it was declared and resolved,
/// the data, and how each model was made. The CLI fills it from the study file, the planner and
/// the prediction store; the report never reads those itself.
public struct StudyDescription: Equatable, Sendable {
    public var name: String
    public var description: String
    /// The study file as declared (canonical JSON; the report pretty-prints it, numbers verbatim).
    public var declaredJSON: String
    /// The resolved plan as the planner renders it (multi-line text, shown verbatim).
    public var resolvedPlan: String
    public var data: DataSummary
    /// Per trained model, in study order.
    public var models: [ModelSummary]
    public var evaluation: EvaluationSetup
    /// Wall-clock training seconds summed over models (and the benchmark).
    public var totalTrainSeconds: Double

    public init(name: String, description: String = "", declaredJSON: String = "", resolvedPlan: String = "",
                data: DataSummary, models: [ModelSummary], evaluation: EvaluationSetup = EvaluationSetup(),
                totalTrainSeconds: Double? = nil) {
        self.name = name
        self.description = description
        self.declaredJSON = declaredJSON
        self.resolvedPlan = resolvedPlan
        self.data = data
        self.models = models
        self.evaluation = evaluation
        self.totalTrainSeconds = totalTrainSeconds ?? models.reduce(0) { $0 + $1.trainSeconds }
    }
}

/// The dataset a study ran on.
public struct DataSummary: Equatable, Sendable {
    /// Where the data came from (file path or "synthetic …").
    public var source: String
    public var rows: Int
    public var eras: Int
    public var features: Int
    public var targets: [String]
    public var trainEras: Int
    public var validationEras: Int
    /// For synthetic data: mean per-era numerai_corr of the true signal on the test eras (the
    /// best any model could do there, comparable with the headline numbers).
    public var ceilingCorr: Double?

    public init(source: String, rows: Int, eras: Int, features: Int, targets: [String], trainEras: Int,
                validationEras: Int, ceilingCorr: Double? = nil) {
        self.source = source
        self.rows = rows
        self.eras = eras
        self.features = features
        self.targets = targets
        self.trainEras = trainEras
        self.validationEras = validationEras
        self.ceilingCorr = ceilingCorr
    }
}

/// How one model was made (from the prediction store's record).
public struct ModelSummary: Equatable, Sendable {
    public var id: String
    public var arm: String
    public var target: String
    public var params: [String: Double]
    public var droppedEras: Int
    public var droppedFeatures: Int
    public var trees: Int
    public var trainSeconds: Double

    public init(id: String, arm: String, target: String, params: [String: Double], droppedEras: Int = 0,
                droppedFeatures: Int = 0, trees: Int, trainSeconds: Double) {
        self.id = id
        self.arm = arm
        self.target = target
        self.params = params
        self.droppedEras = droppedEras
        self.droppedFeatures = droppedFeatures
        self.trees = trees
        self.trainSeconds = trainSeconds
    }

    public init(record: ModelRecord) {
        self.init(id: record.id, arm: record.arm, target: record.target, params: record.parameters,
                  droppedEras: record.droppedEras, droppedFeatures: record.droppedFeatures, trees: record.trees,
                  trainSeconds: record.trainSeconds)
    }
}

/// Evaluation settings not already in the metrics (the selection/test split and embargo are in
/// `StudyMetrics.split`).
public struct EvaluationSetup: Equatable, Sendable {
    /// Which rows were scored, e.g. "validation split".
    public var rows: String
    /// Random subsets drawn per ensemble size.
    public var randomDraws: Int
    public var scalingSeed: UInt64

    public init(rows: String = "every non-train row", randomDraws: Int = ScalingConfig().draws,
                scalingSeed: UInt64 = ScalingConfig().seed) {
        self.rows = rows
        self.randomDraws = randomDraws
        self.scalingSeed = scalingSeed
    }
}

/// Writes a study's report: `DIR/report.md`, `DIR/charts/*.svg` each with its data as
/// `DIR/charts/*.csv` (same basename), and `DIR/metrics.json`.
///
/// Output is deterministic: models in study order, arms and parameters sorted by name, every
/// number printed with fixed precision. Files are replaced atomically; the chart folder is
/// rebuilt beside the old one and swapped in, so charts of an earlier render never linger.
public enum StudyReport {
    /// Renders the report from an analysis (metrics plus the all-model correlation matrix).
    @discardableResult
    public static func write(analysis: StudyAnalysisResult, study: StudyDescription, to directory: URL) throws -> URL {
        try write(metrics: analysis.metrics, correlation: analysis.correlation.values, study: study,
                  allEras: allEraSeries(analysis), to: directory)
    }

    /// The cumulative chart's series over every evaluation era, from the analysis (nil when it
    /// lacks them, e.g. an analysis made before `ensemblePerEra` existed).
    static func allEraSeries(_ analysis: StudyAnalysisResult) -> AllEraSeries? {
        let metrics = analysis.metrics
        let n = analysis.eraNames.count
        guard n > 0, analysis.ensemblePerEra.count == n, analysis.corrPerEra.count == metrics.models.count,
              let best = metrics.models.firstIndex(where: { $0.id == metrics.bestSingle }),
              analysis.corrPerEra[best].count == n else { return nil }
        let bench = metrics.benchmark.flatMap { id in metrics.models.firstIndex { $0.id == id } }.map { analysis.corrPerEra[$0] }
        return AllEraSeries(eraNames: analysis.eraNames, ensemble: analysis.ensemblePerEra, bestSingle: analysis.corrPerEra[best],
                            benchmark: bench)
    }

    /// Renders the report. `correlation` is the row-major M×M correlation matrix of the models'
    /// gaussianized predictions over all evaluation rows, models in `metrics.models` order
    /// (`StudyAnalysisResult.correlation`); the histogram and heatmap are drawn from it.
    /// Returns the URL of `report.md`.
    @discardableResult
    public static func write(metrics: StudyMetrics, correlation: [Double], study: StudyDescription,
                             to directory: URL) throws -> URL {
        try write(metrics: metrics, correlation: correlation, study: study, allEras: nil, to: directory)
    }

    static func write(metrics: StudyMetrics, correlation: [Double], study: StudyDescription, allEras: AllEraSeries?,
                      to directory: URL) throws -> URL {
        let m = metrics.models.count
        guard correlation.count == m * m else {
            throw ReportsError.correlationShape(entries: correlation.count, models: m)
        }
        let charts = ReportCharts.render(metrics: metrics, correlation: correlation, study: study, allEras: allEras)
        let markdown = ReportDocument(metrics: metrics, study: study, charts: charts).render()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try replaceChartFolder(in: directory, with: charts.all)
        let report = directory.appendingPathComponent(ReportCharts.reportFile)
        try Charts.write(markdown, to: report)
        return report
    }

    /// Writes `DIR/metrics.json` (canonical JSON: sorted keys, 12 significant digits, NaN as null).
    public static func writeMetrics(_ metrics: StudyMetrics, to directory: URL) throws {
        let data = try metrics.canonicalJSON()
        try Charts.write(String(decoding: data, as: UTF8.self), to: directory.appendingPathComponent("metrics.json"))
    }

    /// Writes every chart into a fresh sibling folder, then swaps it with `charts/`.
    static func replaceChartFolder(in directory: URL, with charts: [ChartFile]) throws {
        let fm = FileManager.default
        let final = directory.appendingPathComponent(ReportCharts.folder)
        let fresh = directory.appendingPathComponent(".\(ReportCharts.folder).new-\(getpid())")
        let old = directory.appendingPathComponent(".\(ReportCharts.folder).old-\(getpid())")
        try? fm.removeItem(at: fresh)
        try? fm.removeItem(at: old)
        try fm.createDirectory(at: fresh, withIntermediateDirectories: true)
        do {
            for chart in charts {
                try writeAtomically(chart.svg, to: fresh.appendingPathComponent(chart.fileName).path)
                try writeAtomically(chart.csv, to: fresh.appendingPathComponent(chart.csvFileName).path)
            }
            if fm.fileExists(atPath: final.path) { try fm.moveItem(at: final, to: old) }
            try fm.moveItem(at: fresh, to: final)
        } catch {
            try? fm.removeItem(at: fresh)
            if !fm.fileExists(atPath: final.path) && fm.fileExists(atPath: old.path) { try? fm.moveItem(at: old, to: final) }
            throw error
        }
        try? fm.removeItem(at: old)
    }
}
