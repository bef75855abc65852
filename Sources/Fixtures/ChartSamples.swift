import Foundation
import Reports

/// Deterministic sample inputs for every chart kind (a tiny LCG + Box–Muller, no global state),
/// shaped like a real study's results: used by the tests and by `workbench-bench render-charts` (bench/render-charts).
public enum ChartSamples {
    public struct Generator {
        public var state: UInt64
        public init(state: UInt64) { self.state = state }
        public mutating func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        public mutating func normal() -> Double {
            let u = max(uniform(), 1e-12), v = uniform()
            return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
        }
    }

    /// A block-structured correlation matrix (3 clusters) for m models, row-major.
    public static func correlationMatrix(m: Int, seed: UInt64 = 7) -> [Double] {
        var g = Generator(state: seed)
        let cluster = (0..<m).map { $0 * 3 / max(1, m) }
        var c = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            for j in i..<m {
                let base = i == j ? 1 : (cluster[i] == cluster[j] ? 0.85 : (abs(cluster[i] - cluster[j]) == 1 ? 0.55 : -0.2))
                let v = i == j ? 1 : min(1, max(-1, base + 0.05 * g.normal()))
                c[i * m + j] = v
                c[j * m + i] = v
            }
        }
        return c
    }

    public static func all() -> [(name: String, svg: String)] { makers().map { ($0.name, $0.make()) } }

    /// Each sample as a closure, so bench/render-charts can time the rendering alone.
    public static func makers() -> [(name: String, make: () -> String)] {
        var g = Generator(state: 42)
        let ks = Array(1...30)
        let random = ks.map { Charts.theoreticalEnsembleCorr(c: 0.021, rho: 0.82, k: $0) - 0.0004 }
        let spread = ks.map { 0.004 / Double($0).squareRoot() }
        let topK = ks.map { Charts.theoreticalEnsembleCorr(c: 0.022, rho: 0.85, k: $0) - 0.0006 }
        let greedy = ks.map { min(0.0238, Charts.theoreticalEnsembleCorr(c: 0.023, rho: 0.88, k: $0)) }
        let scaling = { Charts.scalingCurves(
            subtitle: "seed grid, 30 models, 60 test eras",
            curves: [
                .init(name: "random k-subsets (mean)", k: ks, mean: random,
                      low: zip(random, spread).map { $0 - $1 }, high: zip(random, spread).map { $0 + $1 }),
                .init(name: "top-k by selection corr", k: ks, mean: topK),
                .init(name: "greedy forward (Caruana)", k: ks, mean: greedy),
            ],
            theory: (c: 0.021, rho: 0.82)) }

        let m = 40
        let matrix = correlationMatrix(m: m)
        var pairs: [Double] = []
        for i in 0..<m { for j in (i + 1)..<m { pairs.append(matrix[i * m + j]) } }
        let histogram = { Charts.correlationHistogram(subtitle: "40 models, 780 pairs", groups: [("all", pairs)]) }
        let histogramArms = { Charts.correlationHistogram(groups: [
            ("seeds", pairs.prefix(300).map { $0 }), ("drop eras", pairs.suffix(400).map { $0 - 0.1 }),
        ]) }
        let labels = (0..<m).map { "model-\($0)" }
        let heatmap = { Charts.correlationHeatmap(matrix: matrix, size: m, labels: labels,
                                                order: Array((0..<m).reversed())) }
        let bigM = 500
        let bigMatrix = correlationMatrix(m: bigM)
        let heatmapLarge = { Charts.correlationHeatmap(matrix: bigMatrix, size: bigM) }

        var eigen = (1...120).map { 1 / pow(Double($0), 1.6) }
        let total = eigen.reduce(0, +)
        eigen = eigen.map { $0 / total }
        let scree = { Charts.pcaScree(explainedVarianceRatio: eigen, maxComponents: 40) }

        let lr = (0..<90).map { _ in pow(10, -3 + 2 * g.uniform()) }
        let corr = lr.map { 0.02 - 0.004 * pow(log10($0) + 1.7, 2) + 0.002 * g.normal() }
        let arms = (0..<90).map { ["grid", "drop eras", "drop features"][$0 % 3] }
        let scatter = { Charts.hyperparameterScatter(parameter: "learning_rate", values: lr, corr: corr, arms: arms, logX: true) }

        let eras = (0..<120).map { Double(500 + $0) }
        let ensemble = eras.map { _ in 0.025 + 0.03 * g.normal() }
        let best = ensemble.map { $0 - 0.004 + 0.01 * g.normal() }
        let bench = ensemble.map { $0 - 0.007 + 0.012 * g.normal() }
        let cumulative = { Charts.cumulativeCorr(eras: eras, series: [
            ("ensemble of 30", ensemble), ("best single model", best), ("benchmark", bench),
        ]) }
        let contributionValues = (0..<200).map { _ in 0.0005 + 0.002 * g.normal() }
        let contributions = { Charts.contributionHistogram(contributions: contributionValues) }
        let noData = { Charts.scalingCurves(curves: [], theory: nil) }
        let nanOnly = { Charts.pcaScree(explainedVarianceRatio: [.nan, .nan]) }
        let forestRows = (0..<12).map { i -> ForestPlot.Row in
            let m = 0.003 + 0.002 * g.normal(), half = 0.002 + 0.001 * Double(i % 3)
            return ForestPlot.Row(label: "data\(i / 3)-fold\(i % 3 + 1)of3", mean: m, low: m - half, high: m + half)
        } + [ForestPlot.Row(label: "data4-fold1of3", mean: .nan, low: .nan, high: .nan)]
        let forest = { ForestPlot(title: "grid − seeds per replicate and pooled", subtitle: "90% intervals", xLabel: "grid − seeds",
                                  rows: forestRows, summaries: [.init(label: "fixed effect", mean: 0.0031, low: 0.0022, high: 0.0040),
                                                                .init(label: "random effects (DL)", mean: 0.003, low: 0.0015, high: 0.0045)]).render() }
        return [("forest", forest),
            ("scaling", scaling), ("histogram", histogram), ("histogram-arms", histogramArms),
            ("heatmap", heatmap), ("heatmap-500", heatmapLarge), ("scree", scree), ("scatter", scatter),
            ("cumulative", cumulative), ("contributions", contributions), ("no-data", noData), ("nan-only", nanOnly),
        ]
    }
}
