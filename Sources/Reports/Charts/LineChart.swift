import Foundation

/// A shaded interval around a line, e.g. the 5%–95% range over random draws.
public struct IntervalBand: Sendable {
    public let low: [Double]
    public let high: [Double]
    public init(low: [Double], high: [Double]) {
        self.low = low
        self.high = high
    }
}

/// One line of a line chart. Non-finite y values break the line (a gap, not a drop to zero).
public struct LineSeries: Sendable {
    public enum Style: Sendable { case solid, dashed }
    public var name: String
    public var x: [Double]
    public var y: [Double]
    public var band: IntervalBand?
    public var style: Style
    /// Draw a dot at every point (useful when points are few).
    public var markers: Bool
    /// A fixed colour; by default the i-th categorical colour (dashed reference lines: dark grey).
    public var color: String?

    public init(name: String, x: [Double], y: [Double], band: IntervalBand? = nil, style: Style = .solid,
                markers: Bool = false, color: String? = nil) {
        self.name = name
        self.x = x
        self.y = y
        self.band = band
        self.style = style
        self.markers = markers
        self.color = color
    }
}

/// Lines with optional shaded interval bands and dashed reference lines.
public struct LineChart: Sendable {
    public var title: String
    public var subtitle: String?
    public var xLabel: String
    public var yLabel: String
    public var series: [LineSeries]
    /// Legend text for the shaded bands (shown once when any series has a band).
    public var bandLabel: String?
    public var logX: Bool = false
    /// Ticks at whole numbers only on x (for k, era index).
    public var integerX: Bool = false
    /// Keep y = 0 in view (with a darker zero line), e.g. for cumulative correlation.
    public var includeZeroY: Bool = false
    /// Names for integer x positions: the tick at x = i is labelled `xTickNames[i − 1]` (e.g. era names).
    public var xTickNames: [String]? = nil
    /// Labelled vertical lines (e.g. the selection/test boundary), drawn behind the data.
    public var verticalMarkers: [VerticalMarker] = []

    public init(title: String, subtitle: String? = nil, xLabel: String, yLabel: String,
                series: [LineSeries], bandLabel: String? = nil) {
        self.title = title
        self.subtitle = subtitle
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.bandLabel = bandLabel
    }

    public func render() -> String {
        // Points that can be drawn: finite x (positive on a log axis), finite y.
        func usableX(_ v: Double) -> Bool { v.isFinite && (!logX || v > 0) }
        var xs: [Double] = [], ys: [Double] = []
        for s in series {
            for i in 0..<min(s.x.count, s.y.count) where usableX(s.x[i]) && s.y[i].isFinite {
                xs.append(s.x[i]); ys.append(s.y[i])
            }
            if let band = s.band {
                for i in 0..<min(s.x.count, band.low.count, band.high.count) where usableX(s.x[i]) {
                    if band.low[i].isFinite { ys.append(band.low[i]) }
                    if band.high[i].isFinite { ys.append(band.high[i]) }
                }
            }
        }
        guard !xs.isEmpty else {
            return noDataChart(title: title, reason: series.isEmpty ? "no series given" : "no finite points to plot")
        }
        var xTicks = logX ? NiceTicks.logarithmic(lo: xs.min()!, hi: xs.max()!)
            : ticks(covering: xs + verticalMarkers.map(\.x), integer: integerX, target: 7)
        if let names = xTickNames {
            xTicks = NiceTicks(values: xTicks.values, labels: xTicks.values.map { v in
                let i = Int(v.rounded()) - 1
                return v == v.rounded() && names.indices.contains(i) ? names[i] : ""
            }, step: xTicks.step, decimals: xTicks.decimals)
        }
        let yTicks = ticks(covering: ys, includeZero: includeZeroY, target: 6)
        var legend: [LegendEntry] = []
        var colors: [String] = []
        var colorIndex = 0
        for s in series {
            let color: String
            if let c = s.color { color = c } else if s.style == .dashed { color = ChartColors.reference } else {
                color = ChartColors.series(colorIndex)
                colorIndex += 1
            }
            colors.append(color)
        }
        // Band swatches in the band's colour: one swatch when every band has the same colour,
        // else each banded series' entry shows its band and the band label is a plain note.
        let bandColors = Set(zip(series, colors).filter { $0.0.band != nil }.map(\.1))
        for (s, color) in zip(series, colors) {
            let mark: LegendEntry.Mark = s.style == .dashed ? .dashedLine : (s.band != nil && bandColors.count > 1 ? .lineWithBand : .line)
            legend.append(LegendEntry(label: s.name, color: color, mark: mark))
        }
        if let bandLabel, let only = bandColors.first {
            legend.append(bandColors.count == 1 ? LegendEntry(label: bandLabel, color: only, mark: .area)
                                                : LegendEntry(label: "shaded: " + bandLabel, color: only, mark: .none))
        }
        for m in verticalMarkers where !m.label.isEmpty {
            legend.append(LegendEntry(label: m.label, color: ChartColors.mutedText, mark: .dashedLine))
        }
        let frame = XYFrame(title: title, subtitle: subtitle, xLabel: xLabel, yLabel: yLabel,
                            xTicks: xTicks, xLog: logX, yTicks: yTicks, legend: legend)
        var doc = SVGDocument(width: frame.width, height: frame.height)
        frame.drawGrid(&doc)
        if yTicks.domain.contains(0) && includeZeroY {
            doc.line(x1: frame.plotX, y1: frame.y(0), x2: frame.plotX + frame.plotWidth, y2: frame.y(0), stroke: "#999999")
        }
        for m in verticalMarkers where m.x.isFinite {
            doc.line(x1: frame.x(m.x), y1: frame.plotY, x2: frame.x(m.x), y2: frame.plotY + frame.plotHeight,
                     stroke: ChartColors.mutedText, width: 1.25, dash: "4 3")
        }
        for (s, color) in zip(series, colors) {
            guard let band = s.band else { continue }
            let n = min(s.x.count, band.low.count, band.high.count)
            for run in runs(n, { usableX(s.x[$0]) && band.low[$0].isFinite && band.high[$0].isFinite }) {
                let upper = run.map { (frame.x(s.x[$0]), frame.y(band.high[$0])) }
                let lower = run.reversed().map { (frame.x(s.x[$0]), frame.y(band.low[$0])) }
                doc.polygon(upper + lower, fill: color, opacity: 0.18)
            }
        }
        for (s, color) in zip(series, colors) {
            let n = min(s.x.count, s.y.count)
            for run in runs(n, { usableX(s.x[$0]) && s.y[$0].isFinite }) {
                let pts = run.map { (frame.x(s.x[$0]), frame.y(s.y[$0])) }
                if pts.count == 1 {
                    doc.circle(cx: pts[0].0, cy: pts[0].1, r: 2.5, fill: color)
                } else {
                    doc.polyline(pts, stroke: color, width: s.style == .dashed ? 1.5 : 2, dash: s.style == .dashed ? "6 4" : nil)
                }
                if s.markers && pts.count > 1 {
                    for p in pts { doc.circle(cx: p.0, cy: p.1, r: 2.5, fill: color) }
                }
            }
        }
        frame.drawAxes(&doc)
        return doc.render(title: title)
    }
}

/// A labelled vertical line at `x` (the label goes into the legend).
public struct VerticalMarker: Sendable {
    public let x: Double
    public let label: String
    public init(x: Double, label: String) {
        self.x = x
        self.label = label
    }
}

/// Maximal runs of consecutive indices in 0..<n for which `ok` holds.
func runs(_ n: Int, _ ok: (Int) -> Bool) -> [[Int]] {
    var out: [[Int]] = [], current: [Int] = []
    for i in 0..<max(0, n) {
        if ok(i) { current.append(i) } else if !current.isEmpty { out.append(current); current = [] }
    }
    if !current.isEmpty { out.append(current) }
    return out
}
