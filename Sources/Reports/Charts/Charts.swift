import EraData
import Foundation
import Support

/// The charts a study report needs, from plain arrays (no dependency on the analysis types).
/// Each returns a complete, self-contained SVG document; empty or all-NaN input gives a
/// "no data" chart, never a crash or an invalid document.
public enum Charts {
    /// One ensemble-building method's curve: mean test corr at each k with an optional interval.
    public struct ScalingCurve: Sendable {
        public let name: String
        public let k: [Int]
        public let mean: [Double]
        public let low: [Double]?
        public let high: [Double]?
        public init(name: String, k: [Int], mean: [Double], low: [Double]? = nil, high: [Double]? = nil) {
            self.name = name
            self.k = k
            self.mean = mean
            self.low = low
            self.high = high
        }
    }

    /// Theory for an equal-weight mean of k predictions, each with corr c to the target and
    /// mean pairwise correlation ρ: corr(mean) = c / √(ρ + (1 − ρ)/k).
    public static func theoreticalEnsembleCorr(c: Double, rho: Double, k: Int) -> Double {
        c / (rho + (1 - rho) / Double(max(1, k))).squareRoot()
    }

    /// Ensemble scaling: test corr against ensemble size k for each method (random subsets with
    /// their interval band, top-k, greedy), and the dashed theory line for the measured c and ρ.
    public static func scalingCurves(title: String = "Ensemble scaling (test eras)", subtitle: String? = nil,
                                     curves: [ScalingCurve], theory: (c: Double, rho: Double)? = nil,
                                     intervalLabel: String = "90% interval (random draws)") -> String {
        var series = curves.map { curve -> LineSeries in
            let band: IntervalBand? = {
                guard let low = curve.low, let high = curve.high else { return nil }
                return IntervalBand(low: low, high: high)
            }()
            return LineSeries(name: curve.name, x: curve.k.map(Double.init), y: curve.mean, band: band,
                              markers: curve.k.count <= 40)
        }
        let maxK = curves.flatMap(\.k).max() ?? 0
        var sub = subtitle
        if let theory, theory.c.isFinite, theory.rho.isFinite, maxK >= 1 {
            let ks = Array(1...maxK)
            let note = "theory with measured c = \(NumberFormat.fixed(theory.c, 4)), ρ = \(NumberFormat.fixed(theory.rho, 3))"
            sub = sub.map { $0 + " · " + note } ?? note
            series.append(LineSeries(
                name: "theory c/√(ρ+(1−ρ)/k)",
                x: ks.map(Double.init), y: ks.map { theoreticalEnsembleCorr(c: theory.c, rho: theory.rho, k: $0) },
                style: .dashed))
        }
        var chart = LineChart(title: title, subtitle: sub, xLabel: "ensemble size k",
                              yLabel: "mean per-era corr (test)", series: series, bandLabel: intervalLabel)
        chart.integerX = true
        return chart.render()
    }

    /// Histogram of the pairwise correlations (upper triangle) between models' predictions,
    /// with the mean marked; one translucent overlay per group (e.g. arm) when several are given.
    public static func correlationHistogram(title: String = "Pairwise correlation of model predictions",
                                            subtitle: String? = nil,
                                            groups: [(name: String, correlations: [Double])]) -> String {
        let all = groups.flatMap { $0.correlations.filter(\.isFinite) }
        let markers = all.isEmpty ? [] : [Histogram.Marker(label: "mean \(NumberFormat.fixed(all.reduce(0, +) / Double(all.count), 3))",
                                                           value: all.reduce(0, +) / Double(all.count))]
        return Histogram(title: title, subtitle: subtitle, xLabel: "pairwise correlation",
                         groups: groups.map { Histogram.Group(name: $0.name, values: $0.correlations) },
                         markers: markers).render()
    }

    /// The M×M correlation matrix (row-major) drawn in `order` (e.g. the clustering's leaf
    /// order; identity when nil), labelled with model ids when M is small.
    ///
    /// Sequential colours over the range of the off-diagonal entries (the diagonal's 1 takes the
    /// top colour), so differences among correlations that all lie in, say, 0.6…0.95 stay visible.
    /// `groups` (one per model, e.g. its arm) add a strip along the edges.
    public static func correlationHeatmap(title: String = "Correlation matrix (clustered)", subtitle: String? = nil,
                                          matrix: [Double], size m: Int, labels: [String] = [],
                                          order: [Int]? = nil, groups: [String] = []) -> String {
        var values = matrix
        var names = labels
        var rowGroups = groups
        if let order, order.count == m, Set(order) == Set(0..<m), matrix.count == m * m {
            values = [Double](repeating: .nan, count: m * m)
            for (i, oi) in order.enumerated() {
                for (j, oj) in order.enumerated() { values[i * m + j] = matrix[oi * m + oj] }
            }
            if labels.count == m { names = order.map { labels[$0] } }
            if groups.count == m { rowGroups = order.map { groups[$0] } }
        }
        var offDiagonal: [Double] = []
        if values.count == m * m {
            for i in 0..<m { for j in 0..<m where i != j && values[i * m + j].isFinite { offDiagonal.append(values[i * m + j]) } }
        }
        let lo = offDiagonal.min() ?? -1, hi = offDiagonal.max() ?? 1
        var heatmap = Heatmap(title: title, subtitle: subtitle, values: values, rows: m, columns: m, labels: names,
                              axisLabel: order == nil ? "model" : "model (clustered order)",
                              domain: hi > lo ? lo...hi : (lo - 0.05)...(lo + 0.05),
                              colorbarLabel: "correlation (off-diagonal range)")
        heatmap.sequential = true
        heatmap.groups = rowGroups.count == m ? rowGroups : []
        return heatmap.render()
    }

    /// PCA scree: explained variance ratio per component (descending) and its cumulative sum.
    public static func pcaScree(title: String = "PCA of the correlation matrix", subtitle: String? = nil,
                                explainedVarianceRatio: [Double], maxComponents: Int = 50) -> String {
        BarChart(title: title, subtitle: subtitle, xLabel: "principal component", yLabel: "explained variance ratio",
                 values: explainedVarianceRatio, barName: "explained variance ratio",
                 cumulativeName: "cumulative", maxBars: maxComponents).render()
    }

    /// PCA scree of several groups overlaid: explained variance ratio per component, one line
    /// per group (all models, then each arm), the first `maxComponents` components.
    public static func pcaScreeOverlay(title: String = "PCA of the correlation matrix", subtitle: String? = nil,
                                       groups: [(name: String, explainedVarianceRatio: [Double])],
                                       maxComponents: Int = 30) -> String {
        let longest = groups.map(\.explainedVarianceRatio.count).max() ?? 0
        let shown = min(longest, maxComponents)
        var sub = subtitle
        if shown < longest {
            let note = "first \(shown) of \(longest) components"
            sub = sub.map { $0 + " · " + note } ?? note
        }
        let series = groups.map { g -> LineSeries in
            let r = Array(g.explainedVarianceRatio.prefix(shown))
            return LineSeries(name: g.name, x: r.indices.map { Double($0 + 1) }, y: r, markers: true)
        }
        var chart = LineChart(title: title, subtitle: sub, xLabel: "principal component",
                              yLabel: "explained variance ratio", series: series)
        chart.integerX = true
        chart.includeZeroY = true
        return chart.render()
    }

    /// Model corr against one hyperparameter, a colour per arm (arms sorted by name).
    /// `logX` for parameters sampled log-uniformly (learning rate, regularisation).
    public static func hyperparameterScatter(title: String? = nil, subtitle: String? = nil, parameter: String,
                                             values: [Double], corr: [Double], arms: [String]? = nil,
                                             logX: Bool = false, yLabel: String = "mean per-era corr") -> String {
        let n = min(values.count, corr.count)
        let armOf = { (i: Int) -> String in arms.map { i < $0.count ? $0[i] : "" } ?? "" }
        let names = Array(Set((0..<n).map(armOf))).sorted()
        let groups = names.map { name -> ScatterPlot.Group in
            let idx = (0..<n).filter { armOf($0) == name }
            return ScatterPlot.Group(name: name, x: idx.map { values[$0] }, y: idx.map { corr[$0] })
        }
        return ScatterPlot(title: title ?? "Model corr against \(parameter)", subtitle: subtitle,
                           xLabel: parameter + (logX ? " (log scale)" : ""), yLabel: yLabel,
                           groups: groups, logX: logX).render()
    }

    /// Cumulative per-era corr: Σ corr over eras in order for each series (ensemble, best single
    /// model, benchmark). A NaN era adds nothing (the curve stays flat there).
    /// `eraNames` label the ticks (era i + 1 ↔ `eraNames[i]`); `boundaries` mark e.g. where the
    /// selection eras end and the test eras begin.
    public static func cumulativeCorr(title: String = "Cumulative per-era corr (test eras)", subtitle: String? = nil,
                                      eras: [Double], series: [(name: String, perEraCorr: [Double])],
                                      eraNames: [String]? = nil, boundaries: [VerticalMarker] = []) -> String {
        let lines = series.map { s -> LineSeries in
            var total = 0.0
            let cumulative = s.perEraCorr.map { c -> Double in
                if c.isFinite { total += c }
                return total
            }
            return LineSeries(name: s.name, x: eras, y: cumulative)
        }
        var chart = LineChart(title: title, subtitle: subtitle, xLabel: "era", yLabel: "cumulative corr", series: lines)
        chart.includeZeroY = true
        chart.integerX = true
        chart.xTickNames = eraNames
        chart.verticalMarkers = boundaries
        return chart.render()
    }

    /// Each model's contribution to the ensemble of all the others as named bars, largest first,
    /// one colour per arm.
    public static func contributionBars(title: String = "Contribution of each model to the ensemble of the others",
                                        subtitle: String? = nil, models: [String], arms: [String],
                                        contributions: [Double]) -> String {
        let n = min(models.count, contributions.count)
        let f = contributions.prefix(n).filter(\.isFinite)
        let positive = f.filter { $0 > 0 }.count
        let note = f.isEmpty ? nil : "\(positive) of \(f.count) models positive (\(NumberFormat.fixed(100 * Double(positive) / Double(f.count), 1))%)"
        let sub = [subtitle, note].compactMap { $0 }.joined(separator: " · ")
        return RankedBars(title: title, subtitle: sub.isEmpty ? nil : sub, xLabel: "contribution (BMC-style, test eras)",
                          bars: (0..<n).map { RankedBars.Bar(name: models[$0], group: $0 < arms.count ? arms[$0] : "",
                                                             value: contributions[$0]) }).render()
    }

    /// Distribution of each model's contribution to the ensemble of all the others.
    public static func contributionHistogram(title: String = "Contribution of each model to the ensemble of the others",
                                             subtitle: String? = nil, contributions: [Double]) -> String {
        let f = contributions.filter(\.isFinite)
        let positive = f.filter { $0 > 0 }.count
        let note = f.isEmpty ? nil : "\(positive) of \(f.count) models positive (\(NumberFormat.fixed(100 * Double(positive) / Double(f.count), 1))%)"
        let sub = [subtitle, note].compactMap { $0 }.joined(separator: " · ")
        return Histogram(title: title, subtitle: sub.isEmpty ? nil : sub, xLabel: "contribution (BMC-style, test eras)",
                         groups: [Histogram.Group(name: "models", values: contributions)],
                         markers: [Histogram.Marker(label: "zero", value: 0)]).render()
    }
}

extension Charts {
    /// Writes a chart (or any report text) atomically (`EraData.writeAtomically`: a temporary
    /// file in the same directory, then rename(2)), so a reader never sees half a file. Creates
    /// the directory if needed.
    public static func write(_ text: String, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try writeAtomically(text, to: url.path)
    }
}
