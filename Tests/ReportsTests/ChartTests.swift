import Fixtures
import Foundation
import XCTest
@testable import Reports

final class ChartTests: XCTestCase {
    // MARK: XML

    func testEverySampleChartIsWellFormedSelfContainedSVG() {
        for (name, svg) in ChartSamples.all() {
            let xml = SVGXML.parse(svg)
            XCTAssertNil(xml.error, "\(name): \(xml.error ?? "")")
            guard let root = xml.elements.first else { XCTFail("\(name): empty"); continue }
            XCTAssertEqual(root.name, "svg", name)
            XCTAssertEqual(root.attributes["xmlns"], "http://www.w3.org/2000/svg", name)
            XCTAssertNotNil(root.attributes["viewBox"], name)
            XCTAssertNotNil(root.attributes["width"], name)
            XCTAssertNotNil(root.attributes["height"], name)
            XCTAssertTrue(root.attributes["font-family"]?.hasSuffix("sans-serif") ?? false, name)
            // No external references, scripts or ids: renders the same everywhere.
            XCTAssertFalse(svg.contains("href"), name)
            XCTAssertFalse(svg.contains("<script"), name)
            XCTAssertFalse(svg.contains("url("), name)
            // Every number attribute is finite.
            for e in xml.elements {
                for (key, value) in e.attributes where ["x", "y", "width", "height", "cx", "cy", "r", "x1", "x2", "y1", "y2"].contains(key) {
                    XCTAssertNotNil(Double(value), "\(name): \(e.name) \(key)=\(value)")
                    XCTAssertTrue(Double(value)?.isFinite ?? false, "\(name): \(e.name) \(key)=\(value)")
                }
                if let pts = e.attributes["points"] {
                    XCTAssertFalse(pts.lowercased().contains("nan") || pts.contains("inf"), "\(name): \(pts.prefix(60))")
                }
            }
        }
    }

    func testSameInputGivesTheSameBytes() {
        let a = ChartSamples.all(), b = ChartSamples.all()
        for (x, y) in zip(a, b) { XCTAssertEqual(x.svg, y.svg, x.name) }
    }

    func testTextIsEscaped() {
        let nasty = "a<b & c>\"d\" 'e' \u{7}"
        let charts = [
            LineChart(title: nasty, xLabel: nasty, yLabel: nasty,
                      series: [LineSeries(name: nasty, x: [1, 2], y: [1, 2])]).render(),
            Histogram(title: nasty, xLabel: nasty, groups: [.init(name: nasty, values: [1, 2, 3]), .init(name: "b", values: [2])],
                      markers: [.init(label: nasty, value: 2)]).render(),
            Heatmap(title: nasty, values: [1, 0.5, 0.5, 1], rows: 2, columns: 2, labels: [nasty, nasty],
                    axisLabel: nasty, colorbarLabel: nasty).render(),
            ScatterPlot(title: nasty, xLabel: nasty, yLabel: nasty, groups: [.init(name: nasty, x: [1], y: [1])]).render(),
            BarChart(title: nasty, xLabel: nasty, yLabel: nasty, values: [0.5, 0.5], barName: nasty, cumulativeName: nasty).render(),
            noDataChart(title: nasty, reason: nasty),
        ]
        for svg in charts {
            let xml = SVGXML.parse(svg)
            XCTAssertNil(xml.error, xml.error ?? "")
            XCTAssertTrue(xml.texts.contains("a<b & c>\"d\" 'e' "), "\(xml.texts)")
            XCTAssertTrue(svg.contains("a&lt;b &amp; c&gt;&quot;d&quot; &#39;e&#39; "))
        }
        XCTAssertEqual(SVGDocument.escape("<&>\"'"), "&lt;&amp;&gt;&quot;&#39;")
    }

    // MARK: ticks

    func testNiceTicksFollowTheOneTwoFiveLadder() {
        var g = ChartSamples.Generator(state: 3)
        for _ in 0..<2000 {
            let scale = pow(10, Double(Int(g.uniform() * 12) - 6))
            let a = (g.uniform() - 0.5) * 10 * scale, b = a + g.uniform() * 10 * scale
            let t = NiceTicks(lo: a, hi: b, target: 1 + Int(g.uniform() * 9))
            let mantissa = t.step / pow(10, floor(log10(t.step) + 1e-9))
            XCTAssertTrue([1, 2, 5].contains { abs(mantissa - Double($0)) < 1e-9 }, "step \(t.step)")
            XCTAssertLessThanOrEqual(t.domain.lowerBound, a + 1e-12 * scale)
            XCTAssertGreaterThanOrEqual(t.domain.upperBound, b - 1e-12 * scale)
            XCTAssertGreaterThanOrEqual(t.values.count, 2)
            for (x, y) in zip(t.values, t.values.dropFirst()) {
                XCTAssertEqual(y - x, t.step, accuracy: t.step * 1e-9)
            }
            // Same precision on every label, no duplicates, no "-0".
            XCTAssertEqual(Set(t.labels.map { $0.split(separator: ".").dropFirst().first?.count ?? 0 }).count, 1)
            XCTAssertEqual(Set(t.labels).count, t.labels.count)
            XCTAssertFalse(t.labels.contains { $0.hasPrefix("-") && Double($0) == 0 })
        }
    }

    func testTickExamples() {
        let t = NiceTicks(lo: 0.0163, hi: 0.0247, target: 5)
        XCTAssertEqual(t.labels, ["0.016", "0.018", "0.020", "0.022", "0.024", "0.026"])
        XCTAssertEqual(NiceTicks(lo: -0.3, hi: 0.3, target: 6).labels, ["-0.3", "-0.2", "-0.1", "0.0", "0.1", "0.2", "0.3"])
        XCTAssertEqual(NiceTicks(lo: 1, hi: 3, target: 10, integer: true).labels, ["1", "2", "3"])
        XCTAssertEqual(NiceTicks(lo: 5, hi: 5).labels, ["4.4", "4.6", "4.8", "5.0", "5.2", "5.4", "5.6"])
        XCTAssertEqual(NiceTicks.logarithmic(lo: 0.001, hi: 0.1).labels,
                       ["0.001", "0.002", "0.005", "0.01", "0.02", "0.05", "0.1"])
        XCTAssertEqual(NiceTicks.logarithmic(lo: 1e-7, hi: 1e7).labels,
                       ["1e-8", "1e-6", "1e-4", "0.01", "1", "100", "10000", "1e6", "1e8"])
        XCTAssertEqual(NiceTicks.logarithmic(lo: 3, hi: 3000).labels, ["1", "10", "100", "1000", "10000"])
        XCTAssertEqual(NumberFormat.fixed(-0.0001, 2), "0.00")
        XCTAssertEqual(NumberFormat.compact(12.50), "12.5")
        XCTAssertEqual(NumberFormat.compact(-0.001), "0")
    }

    // MARK: edge cases

    func testEmptyAndNaNInputGiveANoDataChart() {
        let charts = [
            Charts.scalingCurves(curves: []),
            Charts.scalingCurves(curves: [.init(name: "x", k: [1, 2], mean: [.nan, .nan])]),
            Charts.correlationHistogram(groups: []),
            Charts.correlationHistogram(groups: [("a", [.nan, .infinity])]),
            Charts.correlationHeatmap(matrix: [], size: 0),
            Charts.correlationHeatmap(matrix: [1, 2, 3], size: 2),
            Charts.correlationHeatmap(matrix: [.nan, .nan, .nan, .nan], size: 2),
            Charts.pcaScree(explainedVarianceRatio: []),
            Charts.hyperparameterScatter(parameter: "p", values: [], corr: []),
            Charts.hyperparameterScatter(parameter: "p", values: [-1, 0], corr: [1, 2], logX: true),
            Charts.cumulativeCorr(eras: [], series: []),
            Charts.contributionHistogram(contributions: [.nan]),
        ]
        for svg in charts {
            XCTAssertNil(SVGXML.parse(svg).error)
            XCTAssertTrue(svg.contains(">no data<"), String(svg.prefix(300)))
        }
    }

    func testNaNPointsBreakLinesAndSingleValuesStillPlot() {
        let svg = LineChart(title: "t", xLabel: "x", yLabel: "y",
                            series: [LineSeries(name: "s", x: [1, 2, 3, 4, 5], y: [1, 2, .nan, 4, 5])]).render()
        XCTAssertNil(SVGXML.parse(svg).error)
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 2)
        let single = Charts.correlationHistogram(groups: [("a", [0.5, 0.5, 0.5])])
        XCTAssertNil(SVGXML.parse(single).error)
        XCTAssertFalse(single.contains("no data"))
    }

    func testTheoryCurve() {
        XCTAssertEqual(Charts.theoreticalEnsembleCorr(c: 0.02, rho: 1, k: 50), 0.02, accuracy: 1e-15)
        XCTAssertEqual(Charts.theoreticalEnsembleCorr(c: 0.02, rho: 0, k: 4), 0.04, accuracy: 1e-15)
        // At ρ = 0.9 the gain is at most ×1.054.
        XCTAssertEqual(Charts.theoreticalEnsembleCorr(c: 1, rho: 0.9, k: 1_000_000), 1.054, accuracy: 1e-3)
    }

    // MARK: heatmap

    func testHeatmapBlockAveragingAndSize() {
        let (cells, r, c, block) = Heatmap.aggregate([1, 2, 3, 4, 5, 6, 7, 8, 9], rows: 3, columns: 3, maxSide: 2)
        XCTAssertEqual([r, c, block], [2, 2, 2])
        XCTAssertEqual(cells, [3, 4.5, 7.5, 9])
        let (nanCells, _, _, _) = Heatmap.aggregate([.nan, 1, .nan, .nan], rows: 2, columns: 2, maxSide: 1)
        XCTAssertEqual(nanCells, [1])

        let m = 500
        let svg = Charts.correlationHeatmap(matrix: ChartSamples.correlationMatrix(m: m), size: m)
        XCTAssertNil(SVGXML.parse(svg).error)
        XCTAssertTrue(svg.contains("500×500 shown as 250×250 cells, each the mean of a 2×2 block"))
        XCTAssertLessThan(svg.utf8.count, 2_000_000, "a 500×500 heatmap should stay well under 2 MB")
        // Up to 250 per side: one cell per entry, no aggregation note.
        let small = Charts.correlationHeatmap(matrix: ChartSamples.correlationMatrix(m: 250), size: 250)
        XCTAssertFalse(small.contains("shown as"))
    }

    func testHeatmapOrderPermutesRowsAndColumns() {
        // 2×2 with distinct off-diagonals: reversing the order swaps them.
        // The report's heatmap is sequential over the off-diagonal range (here −1 … 0.5).
        var plain = Heatmap(title: "t", values: [1, -1, 0.5, 1], rows: 2, columns: 2, axisLabel: "m", domain: -1...0.5, colorbarLabel: "c")
        plain.sequential = true
        let reversed = Charts.correlationHeatmap(matrix: [1, 0.5, -1, 1], size: 2, order: [1, 0])
        func paths(_ svg: String) -> [String] { svg.components(separatedBy: "\n").filter { $0.hasPrefix("<path") } }
        XCTAssertEqual(paths(plain.render()), paths(reversed))
    }

    func testDivergingScale() {
        XCTAssertEqual(ChartColors.diverging(-1), "#2166ac")
        XCTAssertEqual(ChartColors.diverging(0), "#f7f7f7")
        XCTAssertEqual(ChartColors.diverging(1), "#b2182b")
        XCTAssertEqual(ChartColors.diverging(7), "#b2182b")
        XCTAssertEqual(ChartColors.diverging(.nan), "#bdbdbd")
    }
}
