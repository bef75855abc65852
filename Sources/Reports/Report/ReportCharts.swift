import Diversity
import Foundation

/// One chart of the report: its file name inside `charts/` and the SVG text.
struct ChartFile: Equatable, Sendable {
    let fileName: String
    let svg: String
    /// Alt text of the Markdown image.
    let alt: String
}

/// Every chart of a report, grouped by the section that shows it.
struct ReportChartSet: Sendable {
    var scalingAll: ChartFile
    /// Side-by-side random-subset curves of every arm (only with several arms).
    var scalingByArm: ChartFile?
    /// Per arm with ≥ 2 models (only with several arms; with one arm `scalingAll` is that arm).
    var scalingPerArm: [(arm: String, chart: ChartFile)]
    var correlationHistogram: ChartFile
    var correlationHeatmap: ChartFile
    var pcaAll: ChartFile
    var pcaPerArm: [(arm: String, chart: ChartFile)]
    var parameters: [ChartFile]
    var cumulative: ChartFile
    var contributions: ChartFile

    var all: [ChartFile] {
        [scalingAll] + (scalingByArm.map { [$0] } ?? []) + scalingPerArm.map(\.chart)
            + [correlationHistogram, correlationHeatmap, pcaAll] + pcaPerArm.map(\.chart) + parameters
            + [cumulative, contributions]
    }
}

enum ReportCharts {
    static let folder = "charts"
    static let reportFile = "report.md"

    static func render(metrics: StudyMetrics, correlation: [Double], study: StudyDescription) -> ReportChartSet {
        var names = FileNames()
        let multiArm = metrics.arms.count > 1
        let allName = "all \(metrics.models.count) models"

        let scalingAll = ChartFile(fileName: names.unique("scaling-all"),
                                   svg: scalingChart(title: "Ensemble scaling, \(allName) (test eras)",
                                                     rows: metrics.scaling, theory: metrics.theory),
                                   alt: "Ensemble scaling of \(allName)")
        var perArm: [(String, ChartFile)] = []
        var byArm: ChartFile? = nil
        var pcaPerArm: [(String, ChartFile)] = []
        // Per-arm charts only for arms with something to scale (a lone model is one point).
        let chartArms = metrics.arms.filter { $0.modelIDs.count > 1 }
        if multiArm && !chartArms.isEmpty {
            byArm = ChartFile(fileName: names.unique("scaling-by-arm"), svg: scalingByArmChart(chartArms),
                              alt: "Random-subset ensemble scaling per arm")
            for arm in chartArms {
                perArm.append((arm.arm, ChartFile(
                    fileName: names.unique("scaling-arm-" + FileNames.slug(arm.arm)),
                    svg: scalingChart(title: "Ensemble scaling, arm \(arm.arm) (\(arm.modelIDs.count) models, test eras)",
                                      rows: arm.scaling, theory: arm.theory),
                    alt: "Ensemble scaling of arm \(arm.arm)")))
                pcaPerArm.append((arm.arm, ChartFile(
                    fileName: names.unique("pca-arm-" + FileNames.slug(arm.arm)),
                    svg: Charts.pcaScree(title: "PCA of the correlation matrix, arm \(arm.arm)",
                                         subtitle: pcaSubtitle(arm.diversity),
                                         explainedVarianceRatio: arm.diversity.pcaExplainedVarianceRatio),
                    alt: "PCA scree of arm \(arm.arm)")))
            }
        }

        let m = metrics.models.count
        let histogram = ChartFile(fileName: names.unique("pairwise-corr-histogram"),
                                  svg: Charts.correlationHistogram(
                                    subtitle: "\(m * (m - 1) / 2) pairs of \(m) models, gaussianized predictions, all evaluation eras",
                                    groups: correlationGroups(metrics: metrics, correlation: correlation)),
                                  alt: "Histogram of pairwise correlations")
        let index = Dictionary(metrics.models.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        let order = metrics.diversity.clusterOrder.compactMap { index[$0] }
        let heatmap = ChartFile(fileName: names.unique("pairwise-corr-heatmap"),
                                svg: Charts.correlationHeatmap(subtitle: "average-linkage clustering order",
                                                               matrix: correlation, size: m,
                                                               labels: metrics.models.map(\.id),
                                                               order: order.count == m ? order : nil),
                                alt: "Clustered heatmap of pairwise correlations")
        let pcaAll = ChartFile(fileName: names.unique("pca-all"),
                               svg: Charts.pcaScree(title: "PCA of the correlation matrix, \(allName)",
                                                    subtitle: pcaSubtitle(metrics.diversity),
                                                    explainedVarianceRatio: metrics.diversity.pcaExplainedVarianceRatio),
                               alt: "PCA scree and cumulative explained variance")

        let parameters = VariedParameter.all(metrics: metrics, study: study).map { p in
            ChartFile(fileName: names.unique("param-" + FileNames.slug(p.name)),
                      svg: Charts.hyperparameterScatter(
                        subtitle: "mean per-era corr over all \(metrics.evaluationEras) evaluation eras; one colour per arm",
                        parameter: p.name, values: p.values, corr: p.corr, arms: p.arms, logX: p.logX),
                      alt: "Model corr against \(p.name)")
        }

        let eras = metrics.perEra
        var series: [(name: String, perEraCorr: [Double])] = [
            ("ensemble of \(allName)", eras.map(\.ensemble)),
            ("best single: \(metrics.bestSingle)", eras.map(\.bestSingle)),
        ]
        if let benchmark = metrics.benchmark { series.append(("benchmark (\(benchmark))", eras.map(\.benchmark))) }
        let cumulativeSubtitle = eras.isEmpty ? nil
            : "\(eras.count) test eras, 1 = \(eras.first!.era), \(eras.count) = \(eras.last!.era); best single chosen on the selection eras"
        let cumulative = ChartFile(fileName: names.unique("cumulative-corr"),
                                   svg: Charts.cumulativeCorr(subtitle: cumulativeSubtitle,
                                                              eras: eras.indices.map { Double($0 + 1) },
                                                              series: series),
                                   alt: "Cumulative per-era corr of the ensemble, the best single model and the benchmark")
        let contributions = ChartFile(fileName: names.unique("contributions"),
                                      svg: Charts.contributionHistogram(subtitle: "test eras",
                                                                        contributions: metrics.models.map(\.contribution)),
                                      alt: "Distribution of contributions to the ensemble of the others")
        return ReportChartSet(scalingAll: scalingAll, scalingByArm: byArm, scalingPerArm: perArm,
                              correlationHistogram: histogram, correlationHeatmap: heatmap, pcaAll: pcaAll,
                              pcaPerArm: pcaPerArm, parameters: parameters, cumulative: cumulative,
                              contributions: contributions)
    }

    static func pcaSubtitle(_ d: DiversityMetrics) -> String {
        "participation ratio \(NumberFormat.fixed(d.participationRatio, 2)), effective models \(NumberFormat.fixed(d.effectiveModels, 2)) of \(d.models)"
    }

    /// Random subsets (5–95% band over draws), top-k and greedy, with the theory line.
    static func scalingChart(title: String, rows: [ScalingRow], theory: TheoryMetrics) -> String {
        func curve(_ method: String, _ name: String, band: Bool) -> Charts.ScalingCurve? {
            let r = rows.filter { $0.method == method }.sorted { $0.k < $1.k }
            guard !r.isEmpty else { return nil }
            return Charts.ScalingCurve(name: name, k: r.map(\.k), mean: r.map(\.corrMean),
                                       low: band ? r.map(\.ciLow) : nil, high: band ? r.map(\.ciHigh) : nil)
        }
        let curves = [curve("random", "random k-subsets (mean)", band: true),
                      curve("top_k", "top-k by selection corr", band: false),
                      curve("greedy", "greedy forward selection", band: false)].compactMap { $0 }
        return Charts.scalingCurves(title: title, curves: curves, theory: (c: theory.c, rho: theory.rho),
                                    intervalLabel: "5–95% over random draws")
    }

    /// One colour per arm: its random-subset curve with band, and its theory line dashed.
    static func scalingByArmChart(_ arms: [ArmMetrics]) -> String {
        var series: [LineSeries] = []
        for (i, arm) in arms.enumerated() {
            let color = ChartColors.series(i)
            let r = arm.scaling.filter { $0.method == "random" }.sorted { $0.k < $1.k }
            series.append(LineSeries(name: "\(arm.arm) (random subsets)", x: r.map { Double($0.k) }, y: r.map(\.corrMean),
                                     band: IntervalBand(low: r.map(\.ciLow), high: r.map(\.ciHigh)),
                                     markers: r.count <= 40, color: color))
            let maxK = r.map(\.k).max() ?? 0
            if maxK >= 1, arm.theory.c.isFinite, arm.theory.rho.isFinite {
                let ks = Array(1...maxK)
                series.append(LineSeries(name: "\(arm.arm) theory (ρ = \(NumberFormat.fixed(arm.theory.rho, 3)))",
                                         x: ks.map(Double.init),
                                         y: ks.map { theoreticalEnsembleCorr(c: arm.theory.c, rho: arm.theory.rho, k: $0) },
                                         style: .dashed, color: color))
            }
        }
        var chart = LineChart(title: "Ensemble scaling per arm (test eras)",
                              subtitle: "random k-subsets; dashed: c/√(ρ+(1−ρ)/k) with each arm's measured c and ρ",
                              xLabel: "ensemble size k", yLabel: "mean per-era corr (test)", series: series,
                              bandLabel: "5–95% over random draws")
        chart.integerX = true
        return chart.render()
    }

    /// Upper-triangle correlations: within each arm (several arms) plus between arms, or all pairs.
    static func correlationGroups(metrics: StudyMetrics, correlation: [Double]) -> [(name: String, correlations: [Double])] {
        let m = metrics.models.count
        let arms = metrics.models.map(\.arm)
        if Set(arms).count <= 1 {
            var all: [Double] = []
            for i in 0..<m { for j in (i + 1)..<m { all.append(correlation[i * m + j]) } }
            return [("all pairs", all)]
        }
        var groups: [(name: String, correlations: [Double])] = []
        for arm in Set(arms).sorted() {
            var v: [Double] = []
            for i in 0..<m where arms[i] == arm {
                for j in (i + 1)..<m where arms[j] == arm { v.append(correlation[i * m + j]) }
            }
            groups.append(("within \(arm)", v))
        }
        var between: [Double] = []
        for i in 0..<m { for j in (i + 1)..<m where arms[i] != arms[j] { between.append(correlation[i * m + j]) } }
        groups.append(("between arms", between))
        return groups
    }
}

/// A hyperparameter (or how-the-model-was-made count) that takes more than one value across models.
struct VariedParameter: Sendable {
    let name: String
    let values: [Double]
    let corr: [Double]
    let arms: [String]
    /// Positive values spanning ≥ 1.5 decades (log-uniform sampling): drawn on a log axis.
    let logX: Bool

    static func all(metrics: StudyMetrics, study: StudyDescription) -> [VariedParameter] {
        let models = metrics.models
        var out: [VariedParameter] = []
        let names = Set(models.flatMap { $0.params.keys }).sorted()
        for name in names {
            let idx = models.indices.filter { models[$0].params[name]?.isFinite ?? false }
            if let p = make(name, idx.map { models[$0].params[name]! }, idx, models) { out.append(p) }
        }
        let made = Dictionary(study.models.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for (name, value) in [("dropped eras", { (s: ModelSummary) in Double(s.droppedEras) }),
                              ("dropped features", { (s: ModelSummary) in Double(s.droppedFeatures) })] {
            let idx = models.indices.filter { made[models[$0].id] != nil }
            if let p = make(name, idx.map { value(made[models[$0].id]!) }, idx, models) { out.append(p) }
        }
        return out
    }

    static func make(_ name: String, _ values: [Double], _ idx: [Int], _ models: [ModelMetrics]) -> VariedParameter? {
        guard Set(values).count > 1 else { return nil }
        let lo = values.min()!, hi = values.max()!
        return VariedParameter(name: name, values: values, corr: idx.map { models[$0].corrMean },
                               arms: idx.map { models[$0].arm }, logX: lo > 0 && hi / lo >= pow(10, 1.5))
    }
}

/// Chart file names: a slug of the label, made unique within one report.
struct FileNames {
    private var used: Set<String> = []

    mutating func unique(_ stem: String) -> String {
        var name = stem + ".svg", n = 2
        while used.contains(name) { name = "\(stem)-\(n).svg"; n += 1 }
        used.insert(name)
        return name
    }

    /// Lower-case ASCII letters, digits, `_` and `-`; anything else becomes `-` (runs collapsed).
    static func slug(_ s: String) -> String {
        var out = ""
        for scalar in s.lowercased().unicodeScalars {
            let ok = (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9") || scalar == "_" || scalar == "-"
            if ok { out.unicodeScalars.append(scalar) } else if !out.hasSuffix("-") { out += "-" }
        }
        let trimmed = out.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return trimmed.isEmpty ? "x" : trimmed
    }
}
