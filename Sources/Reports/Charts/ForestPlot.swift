import Foundation

/// A forest plot: one row per replicate (its estimate as a square, its interval as a whisker),
/// then the pooled estimates as diamonds spanning their intervals, against a zero line. Rows
/// are labelled on the left and printed as "mean [low, high]" on the right; the canvas grows
/// with the number of rows. Non-finite rows are listed but not drawn.
public struct ForestPlot: Sendable {
    public struct Row: Sendable {
        public let label: String
        public let mean: Double
        public let low: Double
        public let high: Double
        public init(label: String, mean: Double, low: Double, high: Double) {
            self.label = label
            self.mean = mean
            self.low = low
            self.high = high
        }
    }

    public var title: String
    public var subtitle: String?
    public var xLabel: String
    public var rows: [Row]
    /// Pooled estimates (e.g. fixed effect, random effects), drawn as diamonds below the rows.
    public var summaries: [Row]

    public init(title: String, subtitle: String? = nil, xLabel: String, rows: [Row], summaries: [Row]) {
        self.title = title
        self.subtitle = subtitle
        self.xLabel = xLabel
        self.rows = rows
        self.summaries = summaries
    }

    static let rowHeight = 20.0

    public func render() -> String {
        typealias M = ChartMetrics
        let all = rows + summaries
        let values = all.flatMap { [$0.mean, $0.low, $0.high] }.filter(\.isFinite)
        guard !values.isEmpty else { return noDataChart(title: title, reason: "no replicate has a finite estimate") }
        let xTicks = ticks(covering: values, includeZero: true, target: 6)
        let digits = max(4, xTicks.decimals + 1)
        func text(_ r: Row) -> String {
            guard r.mean.isFinite else { return "n/a" }
            return "\(NumberFormat.fixed(r.mean, digits)) [\(NumberFormat.fixed(r.low, digits)), \(NumberFormat.fixed(r.high, digits))]"
        }
        let width = M.width
        let labelWidth = min(230, (all.map { SVGDocument.textWidth($0.label, size: M.tickSize) }.max() ?? 0)) + 20
        let valueWidth = (all.map { SVGDocument.textWidth(text($0), size: M.tickSize) }.max() ?? 0) + 16
        let top = titleHeight(title: title, subtitle: subtitle, width: width) + 18
        let plotX = labelWidth, plotWidth = max(120, width - labelWidth - valueWidth - 12)
        let bodyHeight = Double(rows.count + summaries.count) * Self.rowHeight + (summaries.isEmpty ? 0 : 8)
        let axisY = top + bodyHeight + 6
        let height = axisY + M.tickLength + 4 + M.tickSize + 10 + M.labelSize + 14
        let x = AxisScale(domain: xTicks.domain, range: plotX...(plotX + plotWidth))
        func clampX(_ v: Double) -> Double { min(plotX + plotWidth, max(plotX, x(v))) }

        var doc = SVGDocument(width: width, height: height)
        drawTitle(&doc, title: title, subtitle: subtitle, width: width)
        for v in xTicks.values { doc.line(x1: x(v), y1: top, x2: x(v), y2: axisY, stroke: ChartColors.grid) }
        doc.line(x1: x(0), y1: top, x2: x(0), y2: axisY, stroke: ChartColors.reference, dash: "4 3")

        func label(_ r: Row, _ cy: Double, bold: Bool) {
            doc.text(SVGDocument.fit(r.label, size: M.tickSize, maxWidth: labelWidth - 14), x: 10, y: cy + M.tickSize * 0.35,
                     size: M.tickSize, bold: bold)
            doc.text(text(r), x: width - 8, y: cy + M.tickSize * 0.35, size: M.tickSize, anchor: .end,
                     fill: r.mean.isFinite ? ChartColors.text : ChartColors.mutedText, bold: bold)
        }
        let rowColor = ChartColors.series(0)
        for (i, r) in rows.enumerated() {
            let cy = top + (Double(i) + 0.5) * Self.rowHeight
            label(r, cy, bold: false)
            guard r.mean.isFinite else { continue }
            if r.low.isFinite, r.high.isFinite {
                doc.line(x1: clampX(r.low), y1: cy, x2: clampX(r.high), y2: cy, stroke: rowColor, width: 1.5)
            }
            doc.rect(x: x(r.mean) - 4, y: cy - 4, width: 8, height: 8, fill: rowColor)
        }
        if !summaries.isEmpty {
            let sepY = top + Double(rows.count) * Self.rowHeight + 4
            doc.line(x1: 6, y1: sepY, x2: width - 6, y2: sepY, stroke: ChartColors.grid)
        }
        for (j, s) in summaries.enumerated() {
            let cy = top + Double(rows.count) * Self.rowHeight + 8 + (Double(j) + 0.5) * Self.rowHeight
            label(s, cy, bold: true)
            guard s.mean.isFinite, s.low.isFinite, s.high.isFinite else { continue }
            doc.polygon([(clampX(s.low), cy), (x(s.mean), cy - 7), (clampX(s.high), cy), (x(s.mean), cy + 7)],
                        fill: ChartColors.series(j + 1))
        }
        doc.line(x1: plotX, y1: axisY, x2: plotX + plotWidth, y2: axisY, stroke: ChartColors.axis)
        for (v, l) in zip(xTicks.values, xTicks.labels) {
            doc.line(x1: x(v), y1: axisY, x2: x(v), y2: axisY + M.tickLength, stroke: ChartColors.axis)
            doc.text(l, x: x(v), y: axisY + M.tickLength + 3 + M.tickSize, size: M.tickSize, anchor: .middle)
        }
        doc.text(xLabel, x: plotX + plotWidth / 2, y: height - 12, size: M.labelSize, anchor: .middle)
        return doc.render(title: title)
    }
}
