import Foundation

/// Type sizes and the default canvas used by every chart.
enum ChartMetrics {
    static let width = 760.0
    static let height = 440.0
    static let titleSize = 15.0
    static let subtitleSize = 11.5
    static let labelSize = 12.0
    static let tickSize = 11.0
    static let legendSize = 11.0
    static let tickLength = 5.0
    static let legendRow = 18.0
    static let legendMaxLabelWidth = 190.0
    /// Below the plot: the ticks, a gap, the tick labels, a gap, the axis label and a margin.
    static let xAxisBand = tickLength + 4 + tickSize + 10 + labelSize + 12
}

/// One legend row: a swatch drawn like the data it names, and its label.
public struct LegendEntry: Sendable {
    /// `lineWithBand`: a line over its shaded band (each series' band in its own colour);
    /// `none`: text only (a note such as what the shading means when bands differ in colour).
    public enum Mark: Sendable { case line, dashedLine, area, marker, bar, lineWithBand, none }
    public let label: String
    public let color: String
    public let mark: Mark
    public init(label: String, color: String, mark: Mark) {
        self.label = label
        self.color = color
        self.mark = mark
    }
}

/// Layout of a two-axis chart: title block on top, y labels on the left, optional secondary
/// axis and legend on the right (outside the plot area, so the legend never covers data).
struct XYFrame {
    let title: String
    let subtitle: String?
    let xLabel: String
    let yLabel: String
    let y2Label: String?
    let xTicks: NiceTicks
    let yTicks: NiceTicks
    let y2Ticks: NiceTicks?
    let legend: [LegendEntry]
    let plotX: Double, plotY: Double, plotWidth: Double, plotHeight: Double
    let x: AxisScale
    let y: AxisScale
    let y2: AxisScale?
    let width: Double, height: Double
    private let legendX: Double

    init(title: String, subtitle: String?, xLabel: String, yLabel: String, y2Label: String? = nil,
         xTicks rawXTicks: NiceTicks, xLog: Bool = false, xDomain: ClosedRange<Double>? = nil,
         yTicks: NiceTicks, y2Ticks: NiceTicks? = nil, legend: [LegendEntry], width: Double = ChartMetrics.width, height: Double = ChartMetrics.height,
         padY: Bool = true) {
        typealias M = ChartMetrics
        self.title = title
        self.subtitle = subtitle
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.y2Label = y2Label
        // An explicit x domain (e.g. 0.5…n+0.5 for bars) keeps only the ticks inside it.
        var xTicks = rawXTicks
        if let xDomain {
            let inside = zip(rawXTicks.values, rawXTicks.labels).filter { xDomain.contains($0.0) }
            xTicks = NiceTicks(values: inside.map(\.0), labels: inside.map(\.1), step: rawXTicks.step, decimals: rawXTicks.decimals)
        }
        self.xTicks = xTicks
        self.yTicks = yTicks
        self.y2Ticks = y2Ticks
        self.legend = legend
        self.width = width
        self.height = height
        let top = titleHeight(title: title, subtitle: subtitle, width: width) + 16
        let yTickWidth = yTicks.labels.map { SVGDocument.textWidth($0, size: M.tickSize) }.max() ?? 0
        let left = 12 + M.labelSize + 10 + yTickWidth + M.tickLength + 4
        let bottom = M.xAxisBand
        var right = 18.0
        if let y2Ticks {
            let w = y2Ticks.labels.map { SVGDocument.textWidth($0, size: M.tickSize) }.max() ?? 0
            right = M.tickLength + 4 + w + 10 + M.labelSize + 12
        }
        let legendWidth = legendBlockWidth(legend)
        plotX = left
        plotY = top
        plotWidth = max(60, width - left - right - legendWidth)
        plotHeight = max(60, height - top - bottom)
        legendX = plotX + plotWidth + right
        // Padded domains: a point on the outermost tick sits a little inside the frame, never on
        // it (half a marker would be cut). An explicit x domain (bars) already has its margin;
        // bar charts (`padY` false) keep their bars standing on the axis.
        x = AxisScale(domain: xDomain ?? padded(rawXTicks.domain, log: xLog), range: plotX...(plotX + plotWidth), logarithmic: xLog)
        y = AxisScale(domain: padY ? padded(yTicks.domain, log: false) : yTicks.domain, range: plotY...(plotY + plotHeight), reversed: true)
        let (top0, bottom0) = (plotY, plotY + plotHeight)
        y2 = y2Ticks.map { AxisScale(domain: padY ? padded($0.domain, log: false) : $0.domain, range: top0...bottom0, reversed: true) }
    }

    /// Gridlines behind the data.
    func drawGrid(_ doc: inout SVGDocument) {
        for v in yTicks.values { doc.line(x1: plotX, y1: y(v), x2: plotX + plotWidth, y2: y(v), stroke: ChartColors.grid) }
        for v in xTicks.values { doc.line(x1: x(v), y1: plotY, x2: x(v), y2: plotY + plotHeight, stroke: ChartColors.grid) }
    }

    /// Axes, ticks, labels, titles and legend, drawn over the data.
    func drawAxes(_ doc: inout SVGDocument) {
        typealias M = ChartMetrics
        let bottomY = plotY + plotHeight
        doc.line(x1: plotX, y1: bottomY, x2: plotX + plotWidth, y2: bottomY, stroke: ChartColors.axis)
        doc.line(x1: plotX, y1: plotY, x2: plotX, y2: bottomY, stroke: ChartColors.axis)
        drawXTicks(&doc, xTicks, x, bottomY: bottomY)
        for (v, label) in zip(yTicks.values, yTicks.labels) {
            doc.line(x1: plotX - M.tickLength, y1: y(v), x2: plotX, y2: y(v), stroke: ChartColors.axis)
            doc.text(label, x: plotX - M.tickLength - 3, y: y(v) + M.tickSize * 0.35, size: M.tickSize, anchor: .end)
        }
        doc.text(xLabel, x: plotX + plotWidth / 2, y: height - 12, size: M.labelSize, anchor: .middle)
        doc.text(yLabel, x: 12 + M.labelSize, y: plotY + plotHeight / 2, size: M.labelSize, anchor: .middle, rotate: -90)
        if let y2Ticks, let y2 {
            let rightX = plotX + plotWidth
            doc.line(x1: rightX, y1: plotY, x2: rightX, y2: bottomY, stroke: ChartColors.axis)
            var widest = 0.0
            for (v, label) in zip(y2Ticks.values, y2Ticks.labels) {
                doc.line(x1: rightX, y1: y2(v), x2: rightX + M.tickLength, y2: y2(v), stroke: ChartColors.axis)
                doc.text(label, x: rightX + M.tickLength + 3, y: y2(v) + M.tickSize * 0.35, size: M.tickSize)
                widest = max(widest, SVGDocument.textWidth(label, size: M.tickSize))
            }
            if let y2Label {
                let lx = rightX + M.tickLength + 4 + widest + 10 + M.labelSize * 0.8
                doc.text(y2Label, x: lx, y: plotY + plotHeight / 2, size: M.labelSize, anchor: .middle, rotate: 90)
            }
        }
        drawTitle(&doc, title: title, subtitle: subtitle, width: width)
        drawLegend(&doc, legend, x: legendX, y: plotY)
    }
}

/// Title and subtitle lines wrapped to the canvas width (never cut): (text, size, baseline y).
func titleLines(title: String, subtitle: String?, width: Double) -> [(text: String, size: Double, y: Double, bold: Bool)] {
    typealias M = ChartMetrics
    var out: [(text: String, size: Double, y: Double, bold: Bool)] = []
    var y = 14 + M.titleSize
    for (i, line) in wrapWords(title, maxChars: Int((width - 24) / (M.titleSize * 0.6))).enumerated() {
        if i > 0 { y += M.titleSize + 3 }
        out.append((line, M.titleSize, y, true))
    }
    if let subtitle {
        y += 6 + M.subtitleSize
        for (i, line) in wrapWords(subtitle, maxChars: Int((width - 24) / (M.subtitleSize * 0.6))).enumerated() {
            if i > 0 { y += M.subtitleSize + 3 }
            out.append((line, M.subtitleSize, y, false))
        }
    }
    return out
}

/// The height the title block takes (the last baseline): the plot starts below it. One line of
/// title and of subtitle take 14 + title size (+ 6 + subtitle size); each wrapped line adds its
/// size + 3.
func titleHeight(title: String, subtitle: String?, width: Double) -> Double {
    titleLines(title: title, subtitle: subtitle, width: width).last!.y
}

/// Title and subtitle, wrapped to the canvas width.
func drawTitle(_ doc: inout SVGDocument, title: String, subtitle: String?, width: Double) {
    for line in titleLines(title: title, subtitle: subtitle, width: width) {
        if line.bold {
            doc.text(line.text, x: 12, y: line.y, size: line.size, bold: true)
        } else {
            doc.text(line.text, x: 12, y: line.y, size: line.size, fill: ChartColors.mutedText)
        }
    }
}

/// Share of the tick range added on each side of an axis (in log10 units on a log axis).
let axisPadding = 0.03

/// `domain` widened by `axisPadding` of its span on both sides (multiplicatively on a log axis).
func padded(_ domain: ClosedRange<Double>, log: Bool) -> ClosedRange<Double> {
    if log {
        let a = log10(domain.lowerBound), b = log10(domain.upperBound)
        guard a.isFinite, b.isFinite, b > a else { return domain }
        let p = (b - a) * axisPadding
        return pow(10, a - p)...pow(10, b + p)
    }
    let p = (domain.upperBound - domain.lowerBound) * axisPadding
    return p > 0 ? (domain.lowerBound - p)...(domain.upperBound + p) : domain
}

/// A legend label broken at spaces into lines of at most `ChartMetrics.legendMaxLabelWidth`
/// (a single word longer than that is broken inside), so no label is ever cut.
func wrapLegendLabel(_ label: String) -> [String] {
    wrapWords(label, maxChars: max(8, Int(ChartMetrics.legendMaxLabelWidth / (ChartMetrics.legendSize * 0.6))))
}

/// `text` broken at spaces into lines of at most `maxChars` characters; a longer word is split
/// across lines. Nothing is dropped (no ellipsis).
func wrapWords(_ text: String, maxChars: Int) -> [String] {
    let maxChars = max(1, maxChars)
    var lines: [String] = [], current = ""
    for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
        var w = word
        while w.count > maxChars {
            if !current.isEmpty { lines.append(current); current = "" }
            lines.append(String(w.prefix(maxChars)))
            w = String(w.dropFirst(maxChars))
        }
        if current.isEmpty { current = w } else if current.count + 1 + w.count <= maxChars { current += " " + w } else {
            lines.append(current)
            current = w
        }
    }
    if !current.isEmpty || lines.isEmpty { lines.append(current) }
    return lines
}

/// The x axis's ticks below `bottomY`, each with its label centred under it.
func drawXTicks(_ doc: inout SVGDocument, _ ticks: NiceTicks, _ x: AxisScale, bottomY: Double) {
    typealias M = ChartMetrics
    for (v, label) in zip(ticks.values, ticks.labels) {
        doc.line(x1: x(v), y1: bottomY, x2: x(v), y2: bottomY + M.tickLength, stroke: ChartColors.axis)
        doc.text(label, x: x(v), y: bottomY + M.tickLength + 3 + M.tickSize, size: M.tickSize, anchor: .middle)
    }
}

/// The width a legend takes right of the plot: 30 for the swatch, its longest (wrapped) label
/// line, at most `legendMaxLabelWidth`, and a margin of 10; nothing without entries.
func legendBlockWidth(_ entries: [LegendEntry]) -> Double {
    guard !entries.isEmpty else { return 0 }
    let longest = entries.flatMap { wrapLegendLabel($0.label) }
        .map { SVGDocument.textWidth($0, size: ChartMetrics.legendSize) }.max() ?? 0
    return 30 + min(longest, ChartMetrics.legendMaxLabelWidth) + 10
}

/// Legend rows from (x, y) downwards; long labels wrap onto further lines (never cut).
func drawLegend(_ doc: inout SVGDocument, _ entries: [LegendEntry], x: Double, y: Double) {
    typealias M = ChartMetrics
    var cy = y + 8
    for entry in entries {
        switch entry.mark {
        case .line: doc.line(x1: x, y1: cy, x2: x + 22, y2: cy, stroke: entry.color, width: 2)
        case .dashedLine: doc.line(x1: x, y1: cy, x2: x + 22, y2: cy, stroke: entry.color, width: 2, dash: "6 4")
        case .area: doc.rect(x: x, y: cy - 6, width: 22, height: 12, fill: entry.color, opacity: 0.18)
        case .bar: doc.rect(x: x + 4, y: cy - 6, width: 14, height: 12, fill: entry.color)
        case .marker: doc.circle(cx: x + 11, cy: cy, r: 4, fill: entry.color, opacity: 0.8)
        case .lineWithBand:
            doc.rect(x: x, y: cy - 6, width: 22, height: 12, fill: entry.color, opacity: 0.18)
            doc.line(x1: x, y1: cy, x2: x + 22, y2: cy, stroke: entry.color, width: 2)
        case .none: break
        }
        let lines = wrapLegendLabel(entry.label)
        for (i, line) in lines.enumerated() {
            doc.text(line, x: entry.mark == .none ? x : x + 30, y: cy + M.legendSize * 0.35 + Double(i) * (M.legendSize + 2),
                     size: M.legendSize, fill: entry.mark == .none ? ChartColors.mutedText : ChartColors.text)
        }
        cy += M.legendRow + Double(lines.count - 1) * (M.legendSize + 2)
    }
}

/// A chart with nothing to plot: the title, an empty frame and "no data" with the reason.
func noDataChart(title: String, reason: String, width: Double = ChartMetrics.width,
                 height: Double = ChartMetrics.height) -> String {
    var doc = SVGDocument(width: width, height: height)
    drawTitle(&doc, title: title, subtitle: nil, width: width)
    let top = titleHeight(title: title, subtitle: nil, width: width) + 16
    doc.rect(x: 40, y: top, width: width - 80, height: height - top - 30, fill: "#fafafa", stroke: "#cccccc")
    doc.text("no data", x: width / 2, y: (top + height - 30) / 2, size: 16, anchor: .middle,
             fill: ChartColors.mutedText, bold: true)
    for (i, line) in wrapWords(reason, maxChars: Int((width - 100) / (11 * 0.6))).enumerated() {
        doc.text(line, x: width / 2, y: (top + height - 30) / 2 + 20 + Double(i) * 14, size: 11, anchor: .middle,
                 fill: ChartColors.mutedText)
    }
    return doc.render(title: title + " (no data)")
}

/// Finite values only.
func finite(_ values: [Double]) -> [Double] { values.filter(\.isFinite) }

/// Ticks covering `values` (finite ones), optionally forcing zero into the range.
func ticks(covering values: [Double], includeZero: Bool = false, integer: Bool = false, target: Int = 6) -> NiceTicks {
    let f = finite(values)
    var lo = f.min() ?? 0, hi = f.max() ?? 1
    if includeZero { lo = min(lo, 0); hi = max(hi, 0) }
    return NiceTicks(lo: lo, hi: hi, target: target, integer: integer)
}
