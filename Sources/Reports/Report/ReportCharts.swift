import Diversity
import Foundation

/// One chart of the report: its file name inside `charts/`, the SVG text, and the data drawn as
/// CSV (written beside the SVG under the same basename, so users can re-plot it).
struct ChartFile: Equatable, Sendable {
    let fileName: String
    let svg: String
    /// Alt text of the Markdown image.
    let alt: String
    let csv: String

    init(fileName: String, svg: String, alt: String, csv: String) {
        self.fileName = fileName
        self.svg = svg
        self.alt = alt
        self.csv = csv
    }

    /// `name.svg` → `name.csv`.
    var csvFileName: String { String(fileName.dropLast(4)) + ".csv" }
}

/// CSV text for chart data: RFC 4180 quoting, numbers with 12 significant digits, NaN as empty.
enum ChartCSV {
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        ([header] + rows).map { $0.map(field).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    static func field(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    static func number(_ x: Double) -> String { x.isFinite ? String(format: "%.12g", x) : "" }
}

/// Per-era corr over every evaluation era (selection, embargo, test), for the cumulative chart.
struct AllEraSeries: Sendable {
    let eraNames: [String]
    let ensemble: [Double]
    let bestSingle: [Double]
    let benchmark: [Double]?
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
    /// One scree with all models and every arm overlaid.
    var pcaAll: ChartFile
    var parameters: [ChartFile]
    var cumulative: ChartFile
    var contributions: ChartFile

    var all: [ChartFile] {
        [scalingAll] + (scalingByArm.map { [$0] } ?? []) + scalingPerArm.map(\.chart)
            + [correlationHistogram, correlationHeatmap, pcaAll] + parameters
            + [cumulative, contributions]
    }
}

enum ReportCharts {
    static let folder = "charts"
    static let reportFile = "report.md"

    static func render(metrics: StudyMetrics, correlation: [Double], study: StudyDescription,
                       allEras: AllEraSeries? = nil) -> ReportChartSet {
        var names = FileNames()
        let multiArm = metrics.arms.count > 1
        let allName = "all \(metrics.models.count) models"

        let scalingAll = ChartFile(fileName: names.unique("scaling-all"),
                                   svg: scalingChart(title: "Ensemble scaling, \(allName) (test eras)",
                                                     rows: metrics.scaling, theory: metrics.theory),
                                   alt: "Ensemble scaling of \(allName)",
                                   csv: scalingCSV([("all", metrics.scaling, metrics.theory)]))
        var perArm: [(String, ChartFile)] = []
        var byArm: ChartFile? = nil
        // Per-arm charts only for arms with something to scale (a lone model is one point).
        let chartArms = metrics.arms.filter { $0.modelIDs.count > 1 }
        if multiArm && !chartArms.isEmpty {
            byArm = ChartFile(fileName: names.unique("scaling-by-arm"), svg: scalingByArmChart(chartArms),
                              alt: "Random-subset ensemble scaling per arm",
                              csv: scalingCSV(chartArms.map { ($0.arm, $0.scaling.filter { $0.method == "random" }, $0.theory) }))
            for arm in chartArms {
                perArm.append((arm.arm, ChartFile(
                    fileName: names.unique("scaling-arm-" + FileNames.slug(arm.arm)),
                    svg: scalingChart(title: "Ensemble scaling, arm \(arm.arm) (\(arm.modelIDs.count) models, test eras)",
                                      rows: arm.scaling, theory: arm.theory),
                    alt: "Ensemble scaling of arm \(arm.arm)",
                    csv: scalingCSV([(arm.arm, arm.scaling, arm.theory)]))))
            }
        }

        let m = metrics.models.count
        let ids = metrics.models.map(\.id), armOf = metrics.models.map(\.arm)
        var pairRows: [[String]] = []
        for i in 0..<m {
            for j in (i + 1)..<m {
                let group = Set(armOf).count <= 1 ? "all pairs" : armOf[i] == armOf[j] ? "within \(armOf[i])" : "between arms"
                pairRows.append([ids[i], ids[j], armOf[i], armOf[j], group, ChartCSV.number(correlation[i * m + j])])
            }
        }
        let histogram = ChartFile(fileName: names.unique("pairwise-corr-histogram"),
                                  svg: Charts.correlationHistogram(
                                    subtitle: "\(m * (m - 1) / 2) pairs of \(m) models, gaussianized predictions, all evaluation eras",
                                    groups: correlationGroups(metrics: metrics, correlation: correlation)),
                                  alt: "Histogram of pairwise correlations",
                                  csv: ChartCSV.table(["model_a", "model_b", "arm_a", "arm_b", "group", "correlation"], pairRows))
        let index = Dictionary(metrics.models.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        let order = metrics.diversity.clusterOrder.compactMap { index[$0] }
        let heatmap = ChartFile(fileName: names.unique("pairwise-corr-heatmap"),
                                svg: Charts.correlationHeatmap(subtitle: "average-linkage clustering order" +
                                                                (multiArm ? "; strip along the edges: arm" : ""),
                                                               matrix: correlation, size: m,
                                                               labels: ids,
                                                               order: order.count == m ? order : nil,
                                                               groups: multiArm ? armOf : []),
                                alt: "Clustered heatmap of pairwise correlations",
                                csv: heatmapCSV(correlation: correlation, ids: ids, arms: armOf, order: order.count == m ? order : Array(0..<m)))
        let pcaGroups = [(allName, metrics.diversity.pcaExplainedVarianceRatio)]
            + (multiArm ? chartArms.map { ("arm \($0.arm) (\($0.modelIDs.count))", $0.diversity.pcaExplainedVarianceRatio) } : [])
        let pcaAll = ChartFile(fileName: names.unique("pca-all"),
                               svg: Charts.pcaScreeOverlay(title: "PCA of the correlation matrix",
                                                           subtitle: pcaSubtitle(metrics.diversity) + " (all models)",
                                                           groups: pcaGroups.map { (name: $0.0, explainedVarianceRatio: $0.1) }),
                               alt: "PCA scree: explained variance ratio per component, all models and each arm",
                               csv: ChartCSV.table(["group", "component", "explained_variance_ratio", "cumulative"],
                                                   pcaGroups.flatMap { g -> [[String]] in
                                                       var total = 0.0
                                                       return g.1.enumerated().map { i, v in
                                                           if v.isFinite { total += v }
                                                           return [g.0, String(i + 1), ChartCSV.number(v), ChartCSV.number(total)]
                                                       }
                                                   }))

        let parameters = VariedParameter.all(metrics: metrics, study: study).map { p in
            ChartFile(fileName: names.unique("param-" + FileNames.slug(p.name)),
                      svg: Charts.hyperparameterScatter(
                        subtitle: "mean per-era corr, all \(metrics.evaluationEras) evaluation eras",
                        parameter: p.name, values: p.values, corr: p.corr, arms: p.arms, logX: p.logX),
                      alt: "Model corr against \(p.name)",
                      csv: ChartCSV.table(["model", "arm", p.name, "corr_mean"],
                                          p.values.indices.map { [p.models[$0], p.arms[$0], ChartCSV.number(p.values[$0]), ChartCSV.number(p.corr[$0])] }))
        }

        let cumulative = cumulativeChart(metrics: metrics, allEras: allEras, allName: allName, fileName: names.unique("cumulative-corr"))
        let contributions = ChartFile(fileName: names.unique("contributions"),
                                      svg: Charts.contributionBars(subtitle: "test eras", models: ids, arms: armOf,
                                                                   contributions: metrics.models.map(\.contribution)),
                                      alt: "Contribution of each model to the ensemble of the others, ranked",
                                      csv: ChartCSV.table(["rank", "model", "arm", "contribution"],
                                                          RankedBars.ranked(metrics.models.map { RankedBars.Bar(name: $0.id, group: $0.arm, value: $0.contribution) })
                                                            .enumerated().map { [String($0 + 1), $1.name, $1.group, ChartCSV.number($1.value)] }))
        return ReportChartSet(scalingAll: scalingAll, scalingByArm: byArm, scalingPerArm: perArm,
                              correlationHistogram: histogram, correlationHeatmap: heatmap, pcaAll: pcaAll,
                              parameters: parameters, cumulative: cumulative,
                              contributions: contributions)
    }

    /// Cumulative per-era corr of the ensemble of all models, the best single model and the
    /// benchmark: over every evaluation era with the selection | embargo | test boundaries marked
    /// when `allEras` is given, else over the test eras of `metrics.perEra`.
    static func cumulativeChart(metrics: StudyMetrics, allEras: AllEraSeries?, allName: String, fileName: String) -> ChartFile {
        let names: [String]
        var ensemble: [Double], best: [Double], bench: [Double]?
        var boundaries: [VerticalMarker] = []
        var part: [String]
        let split = metrics.split
        if let a = allEras, a.eraNames.count == a.ensemble.count, a.ensemble.count == a.bestSingle.count {
            names = a.eraNames
            ensemble = a.ensemble; best = a.bestSingle; bench = a.benchmark
            let selectionEnd = split.selectionEras.count
            let testStart = a.eraNames.count - split.testEras.count
            part = a.eraNames.indices.map { $0 < selectionEnd ? "selection" : $0 >= testStart ? "test" : "embargo" }
            if selectionEnd > 0 && testStart < a.eraNames.count {
                boundaries.append(VerticalMarker(x: Double(selectionEnd) + 0.5,
                                                 label: testStart > selectionEnd ? "selection | embargo | test" : "selection | test"))
                if testStart > selectionEnd { boundaries.append(VerticalMarker(x: Double(testStart) + 0.5, label: "")) }
            }
        } else {
            let eras = metrics.perEra
            names = eras.map(\.era)
            ensemble = eras.map(\.ensemble); best = eras.map(\.bestSingle)
            bench = metrics.benchmark == nil ? nil : eras.map(\.benchmark)
            part = eras.map { _ in "test" }
        }
        var series: [(name: String, perEraCorr: [Double])] = [
            ("ensemble of \(allName)", ensemble),
            ("best single: \(metrics.bestSingle)", best),
        ]
        if let benchmark = metrics.benchmark, let bench { series.append(("benchmark (\(benchmark))", bench)) }
        let over = allEras == nil ? "test eras" : "all \(names.count) evaluation eras"
        let subtitle = names.isEmpty ? nil
            : "\(over): \(split.selectionEras.count) selection, \(split.embargoEras) embargo, \(split.testEras.count) test" +
              "; best single chosen on the selection eras"
        let svg = Charts.cumulativeCorr(title: "Cumulative per-era corr (\(over))", subtitle: subtitle,
                                        eras: names.indices.map { Double($0 + 1) }, series: series, eraNames: names,
                                        boundaries: boundaries)
        var header = ["era_index", "era", "part", "ensemble", "best_single"]
        if bench != nil && metrics.benchmark != nil { header.append("benchmark") }
        let rows: [[String]] = names.indices.map { i in
            var r = [String(i + 1), names[i], part[i], ChartCSV.number(ensemble[i]), ChartCSV.number(best[i])]
            if let bench, metrics.benchmark != nil { r.append(ChartCSV.number(bench[i])) }
            return r
        }
        return ChartFile(fileName: fileName, svg: svg,
                         alt: "Cumulative per-era corr of the ensemble, the best single model and the benchmark",
                         csv: ChartCSV.table(header, rows))
    }

    /// Rows and columns in the heatmap's (clustered) order: model, arm, then one column per model.
    static func heatmapCSV(correlation: [Double], ids: [String], arms: [String], order: [Int]) -> String {
        let m = ids.count
        return ChartCSV.table(["model", "arm"] + order.map { ids[$0] }, order.map { i in
            [ids[i], arms[i]] + order.map { j in ChartCSV.number(correlation[i * m + j]) }
        })
    }

    /// Scaling rows in long form: group, method, k, mean, interval; then the theory line per k.
    static func scalingCSV(_ groups: [(String, [ScalingRow], TheoryMetrics)]) -> String {
        var rows: [[String]] = []
        for (name, scaling, theory) in groups {
            for r in scaling.sorted(by: { ($0.method, $0.k) < ($1.method, $1.k) }) {
                rows.append([name, r.method, String(r.k), ChartCSV.number(r.corrMean), ChartCSV.number(r.ciLow),
                             ChartCSV.number(r.ciHigh), r.ciKind])
            }
            let maxK = scaling.map(\.k).max() ?? 0
            if maxK >= 1, theory.c.isFinite, theory.rho.isFinite {
                for k in 1...maxK {
                    rows.append([name, "theory_line", String(k),
                                 ChartCSV.number(Charts.theoreticalEnsembleCorr(c: theory.c, rho: theory.rho, k: k)), "", "", "none"])
                }
            }
        }
        return ChartCSV.table(["group", "method", "k", "corr_mean", "ci_low", "ci_high", "ci_kind"], rows)
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
        // Arms of one model have no pairs within: no empty group in the legend.
        for arm in Set(arms).sorted() where arms.filter({ $0 == arm }).count > 1 {
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
    let models: [String]
    /// Drawn on a log axis: the study declares the parameter `logUniform`; without a declared
    /// study, positive values spanning ≥ 1.5 decades.
    let logX: Bool

    /// Settings not charted: a seed's value carries no meaning (seed arms show as a strip in the
    /// other charts' arm colours and in the attribution table).
    static let notCharted: Set<String> = ["seed"]

    /// Parameter names the declared study samples log-uniformly (`"vary": {name: {"logUniform": …}}`
    /// anywhere in it); nil when the declared JSON is missing or unreadable.
    static func logUniform(declaredJSON: String) -> Set<String>? {
        guard !declaredJSON.isEmpty, let root = try? JSONSerialization.jsonObject(with: Data(declaredJSON.utf8)) else { return nil }
        var out: Set<String> = []
        func walk(_ v: Any) {
            if let d = v as? [String: Any] {
                for (key, value) in d {
                    if key == "vary", let vary = value as? [String: Any] {
                        for (name, spec) in vary where (spec as? [String: Any])?["logUniform"] != nil { out.insert(name) }
                    }
                    walk(value)
                }
            } else if let a = v as? [Any] { a.forEach(walk) }
        }
        walk(root)
        return out
    }

    static func all(metrics: StudyMetrics, study: StudyDescription) -> [VariedParameter] {
        let models = metrics.models
        var out: [VariedParameter] = []
        let names = Set(models.flatMap { $0.params.keys }).subtracting(notCharted).sorted()
        let declaredLog = logUniform(declaredJSON: study.declaredJSON)
        for name in names {
            let idx = models.indices.filter { models[$0].params[name]?.isFinite ?? false }
            if let p = make(name, idx.map { models[$0].params[name]! }, idx, models, log: declaredLog.map { $0.contains(name) }) {
                out.append(p)
            }
        }
        let made = Dictionary(study.models.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for (name, value) in [("dropped eras", { (s: ModelSummary) in Double(s.droppedEras) }),
                              ("dropped features", { (s: ModelSummary) in Double(s.droppedFeatures) })] {
            let idx = models.indices.filter { made[models[$0].id] != nil }
            if let p = make(name, idx.map { value(made[models[$0].id]!) }, idx, models, log: declaredLog == nil ? nil : false) { out.append(p) }
        }
        return out
    }

    static func make(_ name: String, _ values: [Double], _ idx: [Int], _ models: [ModelMetrics], log: Bool?) -> VariedParameter? {
        guard Set(values).count > 1 else { return nil }
        let lo = values.min()!, hi = values.max()!
        return VariedParameter(name: name, values: values, corr: idx.map { models[$0].corrMean },
                               arms: idx.map { models[$0].arm }, models: idx.map { models[$0].id },
                               // Declared log-uniform: log even when other arms hold 0 there (those
                               // points cannot be placed and the chart's subtitle counts them).
                               logX: log.map { $0 && hi > 0 } ?? (lo > 0 && hi / lo >= pow(10, 1.5)))
    }
}

/// Chart file names: a slug of the label, made unique within one report.
struct FileNames {
    private var used: Set<String> = []

    /// Unique among the stems handed out (the CSV beside each SVG shares its stem).
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
