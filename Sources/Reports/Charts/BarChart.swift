import Foundation

/// Bars at positions 1…n with an optional cumulative line on a secondary 0…1 axis
/// (a PCA scree plot: explained variance ratio per component and its running sum).
public struct BarChart: Sendable {
    public var title: String
    public var subtitle: String?
    public var xLabel: String
    public var yLabel: String
    public var values: [Double]
    public var barName: String
    /// Running total drawn on the right axis (0…1), computed over *all* values even when only
    /// the first `maxBars` bars are drawn.
    public var cumulativeName: String?
    /// Bars drawn at most; the rest are summarised in the subtitle.
    public var maxBars: Int

    public init(title: String, subtitle: String? = nil, xLabel: String, yLabel: String, values: [Double],
                barName: String, cumulativeName: String? = nil, maxBars: Int = 50) {
        self.title = title
        self.subtitle = subtitle
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.values = values
        self.barName = barName
        self.cumulativeName = cumulativeName
        self.maxBars = maxBars
    }

    public func render() -> String {
        guard values.contains(where: \.isFinite) else { return noDataChart(title: title, reason: "no finite values") }
        let shown = Array(values.prefix(max(1, maxBars)))
        var sub = subtitle
        if shown.count < values.count {
            let note = "first \(shown.count) of \(values.count) shown"
            sub = sub.map { $0 + " · " + note } ?? note
        }
        var cumulative: [Double] = []
        var running = 0.0
        for v in values {
            if v.isFinite { running += v }
            cumulative.append(running)
        }
        let xTicks = NiceTicks(lo: 0, hi: Double(shown.count) + 1, target: 8, integer: true)
        let yTicks = ticks(covering: shown, includeZero: true, target: 6)
        let y2Ticks: NiceTicks? = cumulativeName == nil ? nil
            : NiceTicks(lo: 0, hi: max(1, cumulative.prefix(shown.count).filter(\.isFinite).max() ?? 1), target: 5)
        var legend = [LegendEntry(label: barName, color: ChartColors.series(0), mark: .bar)]
        if let cumulativeName { legend.append(LegendEntry(label: cumulativeName + " (right axis)", color: ChartColors.series(1), mark: .line)) }
        let frame = XYFrame(title: title, subtitle: sub, xLabel: xLabel, yLabel: yLabel,
                            y2Label: cumulativeName, xTicks: xTicks, xDomain: 0.4...(Double(shown.count) + 0.6), yTicks: yTicks, y2Ticks: y2Ticks, legend: legend, padY: false)
        var doc = SVGDocument(width: frame.width, height: frame.height)
        for v in yTicks.values { doc.line(x1: frame.plotX, y1: frame.y(v), x2: frame.plotX + frame.plotWidth, y2: frame.y(v), stroke: ChartColors.grid) }
        let slot = frame.x(1) - frame.x(0)
        let barWidth = max(1, slot * 0.75)
        for (i, v) in shown.enumerated() where v.isFinite {
            let cx = frame.x(Double(i + 1))
            let top = frame.y(max(v, 0)), base = frame.y(min(v, 0))
            doc.rect(x: cx - barWidth / 2, y: top, width: barWidth, height: base - top, fill: ChartColors.series(0), opacity: 0.85)
        }
        if let y2 = frame.y2 {
            let pts = (0..<shown.count).map { (frame.x(Double($0 + 1)), y2(cumulative[$0])) }
            doc.polyline(pts, stroke: ChartColors.series(1), width: 2)
            if shown.count <= 60 { for p in pts { doc.circle(cx: p.0, cy: p.1, r: 2.5, fill: ChartColors.series(1)) } }
        }
        frame.drawAxes(&doc)
        return doc.render(title: title)
    }
}
