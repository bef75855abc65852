import Foundation

/// Named horizontal bars sorted from the largest value down (e.g. each model's contribution),
/// coloured by group (arm) with a zero line. Beyond `maxBars` values the top and bottom halves
/// are drawn and the subtitle says how many in the middle are left out.
public struct RankedBars: Sendable {
    public struct Bar: Sendable {
        public let name: String
        public let group: String
        public let value: Double
        public init(name: String, group: String, value: Double) {
            self.name = name
            self.group = group
            self.value = value
        }
    }

    public var title: String
    public var subtitle: String?
    public var xLabel: String
    public var bars: [Bar]
    public var maxBars: Int = 60

    public init(title: String, subtitle: String? = nil, xLabel: String, bars: [Bar]) {
        self.title = title
        self.subtitle = subtitle
        self.xLabel = xLabel
        self.bars = bars
    }

    /// Finite bars, largest first (ties: input order), then the non-finite ones are dropped.
    static func ranked(_ bars: [Bar]) -> [Bar] {
        bars.enumerated().filter { $0.element.value.isFinite }
            .sorted { $0.element.value != $1.element.value ? $0.element.value > $1.element.value : $0.offset < $1.offset }
            .map(\.element)
    }

    public func render() -> String {
        typealias M = ChartMetrics
        let all = RankedBars.ranked(bars)
        guard !all.isEmpty else { return noDataChart(title: title, reason: "no finite values") }
        var shown = all
        var gapAfter: Int? = nil
        var sub = subtitle
        if all.count > maxBars {
            let half = maxBars / 2
            shown = Array(all.prefix(half)) + Array(all.suffix(half))
            gapAfter = half - 1
            let note = "top \(half) and bottom \(half) of \(all.count) shown"
            sub = sub.map { $0 + " · " + note } ?? note
        }
        let groups = Array(Set(all.map(\.group))).sorted()
        let colorOf = Dictionary(groups.enumerated().map { ($1, ChartColors.series($0)) }, uniquingKeysWith: { a, _ in a })
        let row = 15.0, labelSize = 10.5
        let labelWidth = min(220, shown.map { SVGDocument.textWidth($0.name, size: labelSize) }.max() ?? 0)
        let legend = groups.count > 1 ? groups.map { LegendEntry(label: $0, color: colorOf[$0]!, mark: .bar) } : []
        let legendWidth = legendBlockWidth(legend)
        let top = titleHeight(title: title, subtitle: sub, width: M.width) + 16
        let gap = gapAfter == nil ? 0 : row
        let plotH = Double(shown.count) * row + gap
        let bottom = M.xAxisBand
        let height = max(M.height * 0.6, top + plotH + bottom)
        let left = 12 + labelWidth + 8
        let plotW = max(120, M.width - left - 18 - legendWidth)
        let xTicks = ticks(covering: shown.map(\.value), includeZero: true, target: 6)
        let x = AxisScale(domain: padded(xTicks.domain, log: false), range: left...(left + plotW))
        var doc = SVGDocument(width: M.width, height: height)
        drawTitle(&doc, title: title, subtitle: sub, width: M.width)
        for v in xTicks.values { doc.line(x1: x(v), y1: top, x2: x(v), y2: top + plotH, stroke: ChartColors.grid) }
        for (i, bar) in shown.enumerated() {
            let y = top + Double(i) * row + (gapAfter.map { i > $0 ? gap : 0 } ?? 0)
            let x0 = x(min(0, bar.value)), x1 = x(max(0, bar.value))
            doc.rect(x: x0, y: y + 2, width: max(0.5, x1 - x0), height: row - 4, fill: colorOf[bar.group]!, opacity: 0.85)
            doc.text(SVGDocument.fit(bar.name, size: labelSize, maxWidth: 220), x: left - 6, y: y + row / 2 + labelSize * 0.35,
                     size: labelSize, anchor: .end)
        }
        if let g = gapAfter {
            doc.text("⋮ \(all.count - shown.count) more", x: left - 6, y: top + Double(g + 1) * row + row / 2 + labelSize * 0.35,
                     size: labelSize, anchor: .end, fill: ChartColors.mutedText)
        }
        doc.line(x1: x(0), y1: top, x2: x(0), y2: top + plotH, stroke: ChartColors.axis)
        let bottomY = top + plotH
        doc.line(x1: left, y1: bottomY, x2: left + plotW, y2: bottomY, stroke: ChartColors.axis)
        drawXTicks(&doc, xTicks, x, bottomY: bottomY)
        doc.text(xLabel, x: left + plotW / 2, y: height - 12, size: M.labelSize, anchor: .middle)
        drawLegend(&doc, legend, x: left + plotW + 18, y: top)
        return doc.render(title: title)
    }
}
