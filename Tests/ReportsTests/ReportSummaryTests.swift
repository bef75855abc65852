import Fixtures
import Diversity
import Foundation
import TestSupport
import XCTest
@testable import Reports

/// The report's five-line summary (issue 17) with planted effects, the chart CSVs against the
/// metrics (read back with pandas), and the chart fixes (log axes, legends, heatmap scale).
final class ReportSummaryTests: XCTestCase {
    /// "grid" carries three times the signal of the benchmark and "seeds" none: grid must be
    /// recommended, and the contrasts must say it is better.
    func testPlantedBetterArmIsRecommendedAndJudgedBetter() throws {
        let arms = [ReportFixture.Arm(name: "grid", models: 6, shared: 0.3, strength: 3),
                    ReportFixture.Arm(name: "seeds", models: 5, shared: 0.3, strength: 0)]
        let (analysis, study) = try ReportFixture.build(arms: arms, benchmark: true, featureScores: false)
        let metrics = analysis.metrics
        let summary = ReportSummary(metrics: metrics)
        XCTAssertEqual(summary.lines.map(\.label), ["Question", "Verdicts", "Recommendation", "Test-era score", "Support"])
        // The split-half choice of metrics.json: the candidate with the largest second-half corr
        // (first on ties) when every rule is re-run on the first half (RecommendationTests checks the rule).
        let ensembles = try XCTUnwrap(metrics.ensembles)
        let rule = try XCTUnwrap(metrics.recommendation)
        XCTAssertEqual(rule.candidates.map(\.name), ensembles.map(\.name))
        let top = rule.candidates.filter { $0.secondHalfCorr.isFinite }.reduce(nil as Recommendation.Candidate?) { b, c in
            b.map { c.secondHalfCorr > $0.secondHalfCorr ? c : $0 } ?? c
        }
        let best = try XCTUnwrap(ensembles.first { $0.name == top?.name })
        XCTAssertEqual(summary.recommended, best.name)
        // It holds the planted arm (its ensemble, its best model, or all models): never the
        // signal-free seeds arm or the weaker benchmark alone.
        XCTAssertTrue(best.members.contains { $0.hasPrefix("grid-") }, "the planted arm: \(best.name) \(best.members)")
        // The test-era score is that ensemble's, with its interval.
        let score = summary.lines[3].text
        XCTAssertTrue(score.hasPrefix(String(format: "%.4f", best.testCorr.mean)), score)
        XCTAssertTrue(score.contains(ReportText.interval(best.testCorr.ciLow, best.testCorr.ciHigh)), score)
        // Judging words come from the verdicts: grid beats the benchmark and the equal-size seed ensemble.
        let contrasts = try XCTUnwrap(metrics.contrasts)
        for name in ["grid − benchmark", "grid − seeds[5]"] {
            XCTAssertEqual(contrasts.first { $0.name == name }?.verdict, "better", name)
        }
        let verdicts = summary.lines[1].text
        XCTAssertTrue(verdicts.contains("`grid` is better than `benchmark`"), verdicts)
        XCTAssertTrue(verdicts.contains("`grid` is better than `seeds[5]`"), verdicts)
        XCTAssertFalse(verdicts.contains("no arm or ensemble is shown better"), verdicts)
        let undecided = contrasts.filter { !["better", "worse"].contains($0.verdict) }.count
        for c in contrasts {
            switch ReportSummary.verdictWord(c.verdict) {
            case "better": XCTAssertTrue(verdicts.contains("`\(c.a)` is better than `\(c.b)`"), c.name)
            case "worse": XCTAssertTrue(verdicts.contains("`\(c.a)` is worse than `\(c.b)`"), c.name)
            default: if undecided <= ReportSummary.maxListed {
                XCTAssertTrue(verdicts.contains("`\(c.a)` vs `\(c.b)`" + ReportSummary.verdictDetail(c.verdict)), "\(c.name): \(c.verdict)")
            }
            }
        }
        if undecided > ReportSummary.maxListed {
            let inconclusive = contrasts.filter { $0.verdict.hasPrefix("inconclusive") }.count
            XCTAssertTrue(inconclusive == 0 || verdicts.contains("\(inconclusive) inconclusive"), verdicts)
        }
        if best.name == "grid" {
            XCTAssertTrue(summary.lines[4].text.contains("better than `benchmark`"), summary.lines[4].text)
            XCTAssertFalse(summary.lines[4].text.contains("not shown better"), summary.lines[4].text)
        }
        // The report opens with it, right under the title.
        let dir = TestSupport.temporaryDirectory("summary-report")
        defer { try? FileManager.default.removeItem(at: dir) }
        let markdown = try String(contentsOf: StudyReport.write(analysis: analysis, study: study, to: dir), encoding: .utf8)
        XCTAssertTrue(markdown.hasPrefix("# Study report: fixture <study> & co\n\n" + summary.markdown + "\n"), String(markdown.prefix(600)))
        // And `workbench run` prints the same lines from metrics.json.
        try StudyReport.writeMetrics(metrics, to: dir)
        let plain = try StudyReport.summaryText(directory: dir)
        XCTAssertEqual(plain, summary.plain)
        XCTAssertTrue(plain.contains("Recommendation: submit \(best.name) "), plain)
        XCTAssertFalse(plain.contains("`"))
    }

    /// Pure noise everywhere: no contrast may find a difference, and the summary says so; the
    /// recommendation is still the selection-era pick, and it is called not shown better.
    func testNoEffectSaysNoArmIsShownBetter() throws {
        let arms = [ReportFixture.Arm(name: "grid", models: 6, shared: 0.3, strength: 0),
                    ReportFixture.Arm(name: "seeds", models: 5, shared: 0.3, strength: 0)]
        let (analysis, _) = try ReportFixture.build(arms: arms, benchmark: true, featureScores: false, benchmarkStrength: 0)
        let metrics = analysis.metrics
        let contrasts = try XCTUnwrap(metrics.contrasts)
        XCTAssertFalse(contrasts.contains { $0.verdict == "better" || $0.verdict == "worse" },
                       contrasts.map { "\($0.name): \($0.verdict)" }.joined(separator: "; "))
        let summary = ReportSummary(metrics: metrics)
        XCTAssertTrue(summary.lines[1].text.contains("no arm or ensemble is shown better than another"), summary.lines[1].text)
        XCTAssertNotNil(summary.recommended)
        let support = summary.lines[4].text
        XCTAssertTrue(support.contains("not shown better"), support)
        XCTAssertFalse(support.contains(" better than `") || support.contains(" worse than `"), support)
    }

    /// Without contrasts (metrics from before issue 14) nothing is judged.
    func testNoContrastsJudgesNothing() throws {
        let (analysis, _) = try ReportFixture.build(arms: ReportFixture.threeArms, benchmark: true, featureScores: false)
        var metrics = analysis.metrics
        metrics.contrasts = nil
        metrics.ensembles = nil
        let summary = ReportSummary(metrics: metrics)
        XCTAssertTrue(summary.lines[1].text.contains("nothing is judged"), summary.lines[1].text)
        XCTAssertEqual(summary.recommended, metrics.bestSingle)
        XCTAssertTrue(summary.lines[4].text.contains("not shown better than anything"), summary.lines[4].text)
    }

    /// Every chart's CSV parses with pandas and holds the numbers of metrics.json / the analysis.
    func testChartCSVsHoldTheChartedNumbers() throws {
        let (analysis, study) = try ReportFixture.build(arms: ReportFixture.threeArms, benchmark: true, featureScores: false)
        let metrics = analysis.metrics
        let dir = TestSupport.temporaryDirectory("chart-csv")
        defer { try? FileManager.default.removeItem(at: dir) }
        try StudyReport.write(analysis: analysis, study: study, to: dir)
        let charts = dir.appendingPathComponent("charts")
        let script = TestSupport.oracleScript("ReportsTests/ReportSummaryTests-ChartCSVsHoldTheChartedNumbers.py")
        let r = try TestSupport.python(script, [charts.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let tables = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: [String: [String]]])
        func column(_ file: String, _ name: String) throws -> [String] { try XCTUnwrap(tables[file]?[name], "\(file).\(name)") }
        func close(_ a: String, _ b: Double, _ what: String) {
            if a.isEmpty { return XCTAssertTrue(b.isNaN, "\(what): empty for \(b)") }
            guard let x = Double(a) else { return XCTFail("\(what): \(a) is not a number") }
            XCTAssertEqual(x, b, accuracy: 1e-11 * max(1, abs(b)), what)
        }

        // Cumulative chart: every evaluation era, parts in order, test eras equal metrics.per_era.
        let eras = try column("cumulative-corr.csv", "era")
        XCTAssertEqual(eras, analysis.eraNames)
        let part = try column("cumulative-corr.csv", "part")
        let s = metrics.split
        XCTAssertEqual(part, Array(repeating: "selection", count: s.selectionEras.count)
                       + Array(repeating: "embargo", count: eras.count - s.selectionEras.count - s.testEras.count)
                       + Array(repeating: "test", count: s.testEras.count))
        // The analysis' all-era ensemble series is the same computation: its test eras are metrics.per_era's bits.
        XCTAssertEqual(analysis.ensemblePerEra.count, eras.count)
        XCTAssertEqual(Array(analysis.ensemblePerEra.suffix(s.testEras.count)), metrics.perEra.map(\.ensemble))
        let ensemble = try column("cumulative-corr.csv", "ensemble")
        for (i, p) in metrics.perEra.enumerated() {
            close(ensemble[eras.count - s.testEras.count + i], p.ensemble, "ensemble \(p.era)")
        }
        let bestIndex = try XCTUnwrap(metrics.models.firstIndex { $0.id == metrics.bestSingle })
        for (i, v) in try column("cumulative-corr.csv", "best_single").enumerated() { close(v, analysis.corrPerEra[bestIndex][i], "best \(i)") }

        // Contributions: ranked, every model once, values from metrics.
        let ranked = try column("contributions.csv", "model")
        XCTAssertEqual(Set(ranked), Set(metrics.models.map(\.id)))
        let byID = Dictionary(uniqueKeysWithValues: metrics.models.map { ($0.id, $0.contribution) })
        let values = try column("contributions.csv", "contribution").map { Double($0)! }
        XCTAssertEqual(values, values.sorted(by: >), "largest first")
        for (id, v) in zip(ranked, try column("contributions.csv", "contribution")) { close(v, byID[id]!, id) }

        // Heatmap: the full matrix in clustering order.
        let order = metrics.diversity.clusterOrder
        XCTAssertEqual(try column("pairwise-corr-heatmap.csv", "model"), order)
        let m = metrics.models.count
        let index = Dictionary(uniqueKeysWithValues: metrics.models.enumerated().map { ($1.id, $0) })
        for (r, rowID) in order.enumerated() {
            for colID in order {
                close(try column("pairwise-corr-heatmap.csv", colID)[r], analysis.correlation.values[index[rowID]! * m + index[colID]!], "\(rowID),\(colID)")
            }
        }
        // Histogram: every pair once.
        XCTAssertEqual(try column("pairwise-corr-histogram.csv", "correlation").count, m * (m - 1) / 2)

        // Scaling: the metrics' rows, and the theory line.
        let methods = try column("scaling-all.csv", "method")
        let ks = try column("scaling-all.csv", "k").map { Int($0)! }
        let means = try column("scaling-all.csv", "corr_mean")
        for row in metrics.scaling {
            let i = try XCTUnwrap(methods.indices.first { methods[$0] == row.method && ks[$0] == row.k }, "\(row.method) k=\(row.k)")
            close(means[i], row.corrMean, "\(row.method) k=\(row.k)")
        }
        XCTAssertEqual(methods.filter { $0 == "theory_line" }.count, m)

        // PCA: every group's ratios, cumulative sums.
        let groups = try column("pca-all.csv", "group")
        XCTAssertEqual(groups.filter { $0 == "all \(m) models" }.count, metrics.diversity.pcaExplainedVarianceRatio.count)
        for arm in metrics.arms where arm.modelIDs.count > 1 {
            XCTAssertEqual(groups.filter { $0.hasPrefix("arm \(arm.arm) ") }.count, arm.diversity.pcaExplainedVarianceRatio.count, arm.arm)
        }

        // Parameter scatter: the values charted per model.
        let lr = try column("param-learning_rate.csv", "learning_rate")
        let lrModels = try column("param-learning_rate.csv", "model")
        for (id, v) in zip(lrModels, lr) { close(v, metrics.models[index[id]!].params["learning_rate"]!, id) }
    }

    /// A parameter declared logUniform gets a log axis even over little more than one decade;
    /// an intRange one does not, even over several; the seed is not charted.
    func testLogAxisFollowsTheDeclaredSampling() throws {
        let declared = #"{"arms":[{"name":"grid","vary":{"learning_rate":{"logUniform":[0.01,0.2]},"min_child_samples":{"intRange":[1,250]},"seed":{"intRange":[0,9]},"reg_lambda":{"logUniform":[0.001,1000]}}}]}"#
        XCTAssertEqual(VariedParameter.logUniform(declaredJSON: declared), ["learning_rate", "reg_lambda"])
        XCTAssertNil(VariedParameter.logUniform(declaredJSON: ""))
        let (analysis, baseStudy) = try ReportFixture.build(arms: ReportFixture.threeArms, benchmark: false, featureScores: false)
        var metrics = analysis.metrics
        for i in metrics.models.indices {
            metrics.models[i].params["learning_rate"] = 0.01 + 0.19 * Double(i) / Double(metrics.models.count - 1)
            metrics.models[i].params["min_child_samples"] = i == 0 ? 1 : 250 * Double(i) / Double(metrics.models.count - 1)
            // Other arms keep the default 0: still a log axis (those points are counted, not placed).
            metrics.models[i].params["reg_lambda"] = i % 2 == 0 ? 0 : pow(10, Double(i) - 3)
        }
        var study = baseStudy
        study.declaredJSON = declared
        let varied = Dictionary(uniqueKeysWithValues: VariedParameter.all(metrics: metrics, study: study).map { ($0.name, $0) })
        XCTAssertEqual(varied["learning_rate"]?.logX, true)
        XCTAssertEqual(varied["min_child_samples"]?.logX, false)
        XCTAssertEqual(varied["reg_lambda"]?.logX, true)
        XCTAssertNil(varied["seed"])
    }

    /// Legends wrap instead of cutting; a single band colour gets its own swatch colour.
    func testLegendsAreNeverCutAndBandSwatchesTakeTheBandColour() {
        let long = "a very long series name that certainly does not fit into one legend row of the chart"
        let svg = LineChart(title: "t", xLabel: "x", yLabel: "y",
                            series: [LineSeries(name: long, x: [1, 2, 3], y: [0.1, 0.2, 0.15],
                                                band: IntervalBand(low: [0, 0.1, 0.1], high: [0.2, 0.3, 0.2]))],
                            bandLabel: "5–95% over random draws").render()
        XCTAssertFalse(svg.contains("…"), "no label cut")
        for word in long.split(separator: " ") { XCTAssertTrue(svg.contains(String(word)), String(word)) }
        // The band swatch is the series colour (categorical 0) at the band's opacity, not grey.
        XCTAssertNotNil(svg.range(of: #"<rect [^>]*fill="\#(ChartColors.series(0))" fill-opacity="0.18"/>"#, options: .regularExpression), svg)
        XCTAssertFalse(svg.contains("#777777"))
        XCTAssertEqual(wrapLegendLabel("short"), ["short"])
        XCTAssertTrue(wrapLegendLabel(long).allSatisfy { SVGDocument.textWidth($0, size: ChartMetrics.legendSize) <= ChartMetrics.legendMaxLabelWidth })
        XCTAssertEqual(wrapLegendLabel(long).joined(separator: " "), long)
    }

    /// The heatmap's colours span the off-diagonal range: the smallest correlation gets the
    /// first sequential colour and the largest the last, whatever the range; arms show as a strip.
    func testHeatmapUsesTheDataRangeAndAnArmStrip() {
        let m = 4
        var matrix = [Double](repeating: 1, count: m * m)
        let off: [(Int, Int, Double)] = [(0, 1, 0.62), (0, 2, 0.70), (0, 3, 0.80), (1, 2, 0.75), (1, 3, 0.90), (2, 3, 0.66)]
        for (i, j, v) in off { matrix[i * m + j] = v; matrix[j * m + i] = v }
        let svg = Charts.correlationHeatmap(matrix: matrix, size: m, labels: ["a", "b", "c", "d"], groups: ["x", "x", "y", "y"])
        XCTAssertTrue(svg.contains("<path fill=\"\(ChartColors.sequential(0))\""), "0.62 is the low end")
        XCTAssertTrue(svg.contains("<path fill=\"\(ChartColors.sequential(1))\""), "0.90 (and the diagonal) the high end")
        XCTAssertFalse(svg.contains(ChartColors.diverging(0.62)), "not the diverging scale")
        // Strip cells in the arms' colours (4 left + 4 top), and their legend.
        XCTAssertEqual(svg.components(separatedBy: "fill=\"\(ChartColors.series(0))\"").count - 1, 4 + 1)
        XCTAssertTrue(svg.contains(">x</text>") && svg.contains(">y</text>"))
    }

    /// Contributions are ranked, named bars; the middle is left out beyond 60 and said so.
    func testContributionBarsAreRankedAndNamed() {
        let svg = Charts.contributionBars(models: ["m1", "m2", "m3"], arms: ["a", "a", "b"], contributions: [0.01, -0.02, 0.03])
        let names = ["m3", "m1", "m2"].map { svg.range(of: ">\($0)</text>")!.lowerBound }
        XCTAssertEqual(names, names.sorted(), "largest first, top to bottom")
        let many = Charts.contributionBars(models: (0..<100).map { "m\($0)" }, arms: Array(repeating: "a", count: 100),
                                           contributions: (0..<100).map { Double($0) / 1000 })
        XCTAssertTrue(many.contains("top 30 and bottom 30 of 100 shown"))
        XCTAssertTrue(many.contains(">m99</text>") && many.contains(">m0</text>") && !many.contains(">m50</text>"))
    }

    /// No point sits on the frame: the axes are padded beyond the outermost data.
    func testScatterPointsStayInsideThePlotArea() throws {
        let svg = ScatterPlot(title: "t", xLabel: "x", yLabel: "y",
                              groups: [.init(name: "", x: [0, 1, 2], y: [0, 0.5, 1])]).render()
        let circles = try NSRegularExpression(pattern: #"<circle cx="([0-9.]+)" cy="([0-9.]+)""#)
        let axis = try NSRegularExpression(pattern: ##"<line x1="([0-9.]+)" y1="([0-9.]+)" x2="([0-9.]+)" y2="([0-9.]+)" stroke="#333333""##)
        let ns = svg as NSString
        func values(_ m: NSTextCheckingResult) -> [Double] { (1..<m.numberOfRanges).map { Double(ns.substring(with: m.range(at: $0)))! } }
        let points = circles.matches(in: svg, range: NSRange(location: 0, length: ns.length)).map(values)
        let lines = axis.matches(in: svg, range: NSRange(location: 0, length: ns.length)).map(values)
        func horizontal(_ l: [Double]) -> Bool { l[1] == l[3] && l[2] - l[0] > 100 }
        func vertical(_ l: [Double]) -> Bool { l[0] == l[2] && l[3] - l[1] > 100 }
        let xAxis: [Double] = try XCTUnwrap(lines.first(where: horizontal))   // bottom of the frame
        let yAxis: [Double] = try XCTUnwrap(lines.first(where: vertical))     // left of the frame
        XCTAssertEqual(points.count, 3)
        for p in points {
            XCTAssertGreaterThan(p[0] - 3.5, yAxis[0], "left edge")
            XCTAssertLessThan(p[1] + 3.5, xAxis[1], "bottom edge")
            XCTAssertGreaterThan(p[1] - 3.5, yAxis[1], "top edge")
            XCTAssertLessThan(p[0] + 3.5, xAxis[2], "right edge")
        }
    }
}
