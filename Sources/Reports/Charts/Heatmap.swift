import Foundation

/// A matrix of values (e.g. a clustered M×M correlation matrix) on a diverging colour scale with
/// a colour bar.
///
/// Rows and columns are drawn in the order given (pass the clustering order via `order`).
/// Size: cells are quantised to `levels` colours and drawn as one `<path>` per colour, with
/// horizontal runs of equal colour merged, in integer cell coordinates under one scale
/// transform — so an M×M matrix costs about 16 bytes per run, not ~60 per `<rect>`.
/// When a side exceeds `maxCellsPerSide`, b×b blocks (b = ⌈M / maxCellsPerSide⌉) are averaged
/// over their finite entries and the subtitle says so; M = 500 becomes 250×250 blocks of 2×2.
public struct Heatmap: Sendable {
    public var title: String
    public var subtitle: String?
    /// Row-major values, `rows × columns`.
    public var values: [Double]
    public var rows: Int
    public var columns: Int
    /// Row labels (and column labels when the matrix is square), shown when a side has at most
    /// `maxLabels` cells; otherwise the axes are only titled.
    public var labels: [String]
    public var axisLabel: String
    /// Colour scale domain; values outside are clamped to the end colours.
    public var domain: ClosedRange<Double>
    public var colorbarLabel: String
    public var maxCellsPerSide: Int = 250
    public var maxLabels: Int = 40
    /// Number of distinct colours (odd, so the midpoint has its own colour).
    public var levels: Int = 41
    /// Sequential (viridis, low → high over `domain`) instead of diverging around the domain's middle.
    public var sequential: Bool = false
    /// A group per row (e.g. the model's arm), in the order drawn: shown as a coloured strip along
    /// the left and top edges, with a legend under a shortened colour bar. Empty: no strip.
    public var groups: [String] = []

    public init(title: String, subtitle: String? = nil, values: [Double], rows: Int, columns: Int,
                labels: [String] = [], axisLabel: String, domain: ClosedRange<Double> = -1...1,
                colorbarLabel: String) {
        self.title = title
        self.subtitle = subtitle
        self.values = values
        self.rows = rows
        self.columns = columns
        self.labels = labels
        self.axisLabel = axisLabel
        self.domain = domain
        self.colorbarLabel = colorbarLabel
    }

    /// Block means: (values, rows, columns, block size). Non-finite entries are skipped; an
    /// all-NaN block stays NaN.
    static func aggregate(_ values: [Double], rows: Int, columns: Int, maxSide: Int) -> ([Double], Int, Int, Int) {
        let block = max(1, Int((Double(max(rows, columns)) / Double(max(1, maxSide))).rounded(.up)))
        guard block > 1 else { return (values, rows, columns, 1) }
        let r = (rows + block - 1) / block, c = (columns + block - 1) / block
        var sums = [Double](repeating: 0, count: r * c)
        var counts = [Int](repeating: 0, count: r * c)
        for i in 0..<rows {
            let bi = i / block
            for j in 0..<columns {
                let v = values[i * columns + j]
                if v.isFinite {
                    sums[bi * c + j / block] += v
                    counts[bi * c + j / block] += 1
                }
            }
        }
        return (zip(sums, counts).map { $1 > 0 ? $0 / Double($1) : .nan }, r, c, block)
    }

    public func render() -> String {
        guard rows > 0, columns > 0, values.count == rows * columns, values.contains(where: \.isFinite) else {
            let reason = rows * columns == 0 ? "empty matrix"
                : values.count != rows * columns ? "matrix has \(values.count) values, expected \(rows)×\(columns)"
                : "no finite values"
            return noDataChart(title: title, reason: reason)
        }
        typealias M = ChartMetrics
        let (cells, r, c, block) = Heatmap.aggregate(values, rows: rows, columns: columns, maxSide: maxCellsPerSide)
        var sub = subtitle
        if block > 1 {
            let note = "\(rows)×\(columns) shown as \(r)×\(c) cells, each the mean of a \(block)×\(block) block"
            sub = sub.map { $0 + " · " + note } ?? note
        }
        let showLabels = block == 1 && max(rows, columns) <= maxLabels && labels.count >= rows
        let labelSize = showLabels ? min(11, max(6, 520 / Double(max(rows, columns)) * 0.8)) : M.tickSize
        let labelWidth = showLabels ? min(120, (labels.prefix(max(rows, columns)).map { SVGDocument.textWidth($0, size: labelSize) }.max() ?? 0)) : 0
        let width = M.width, height = 640.0
        // The strip needs one model per cell (no block averaging) and a square matrix.
        let strip = groups.count == rows && rows == columns && block == 1 ? 10.0 : 0
        let stripSpace = strip > 0 ? strip + 3 : 0
        let top = titleHeight(title: title, subtitle: sub, width: width) + 16 + stripSpace
        let left = 12 + M.labelSize + 10 + labelWidth + 4 + stripSpace
        let bottom = (showLabels ? labelWidth + 8 : 8) + M.labelSize + 12
        let colorbarSpace = 110.0
        let side = max(60, min(width - left - colorbarSpace - 12, height - top - bottom))
        let cell = side / Double(max(r, c))
        let plotW = cell * Double(c), plotH = cell * Double(r)

        var doc = SVGDocument(width: width, height: height)
        drawTitle(&doc, title: title, subtitle: sub, width: width)
        // Quantise to colour levels; level L means "not finite".
        let lo = domain.lowerBound, hi = domain.upperBound
        let span = hi > lo ? hi - lo : 1
        func level(_ v: Double) -> Int {
            guard v.isFinite else { return levels }
            let t = min(1, max(0, (v - lo) / span))
            return Int((t * Double(levels - 1)).rounded())
        }
        func levelColor(_ q: Int) -> String {
            q == levels ? ChartColors.diverging(.nan)
                : sequential ? ChartColors.sequential(Double(q) / Double(levels - 1))
                : ChartColors.diverging(Double(q) / Double(levels - 1) * 2 - 1)
        }
        var paths = [String](repeating: "", count: levels + 1)
        for i in 0..<r {
            var j = 0
            while j < c {
                let q = level(cells[i * c + j])
                var end = j + 1
                while end < c && level(cells[i * c + end]) == q { end += 1 }
                paths[q] += "M\(j) \(i)h\(end - j)v1h-\(end - j)z"
                j = end
            }
        }
        doc.raw("<g transform=\"translate(\(SVGDocument.n(left)) \(SVGDocument.n(top))) scale(\(NumberFormat.compact(cell, 4)))\" shape-rendering=\"crispEdges\">")
        for q in 0...levels where !paths[q].isEmpty {
            doc.raw("<path fill=\"\(levelColor(q))\" d=\"\(paths[q])\"/>")
        }
        doc.raw("</g>")
        doc.rect(x: left, y: top, width: plotW, height: plotH, fill: "none", stroke: ChartColors.axis, strokeWidth: 0.75)

        var groupNames: [String] = []
        if strip > 0 {
            groupNames = Array(Set(groups)).sorted()
            let color = Dictionary(groupNames.enumerated().map { ($1, ChartColors.series($0)) }, uniquingKeysWith: { a, _ in a })
            for i in 0..<r {
                let c = color[groups[i]]!
                doc.rect(x: left - stripSpace, y: top + Double(i) * cell, width: strip, height: cell + 0.3, fill: c)
                doc.rect(x: left + Double(i) * cell, y: top - stripSpace, width: cell + 0.3, height: strip, fill: c)
            }
        }
        if showLabels {
            for i in 0..<r {
                doc.text(SVGDocument.fit(labels[i], size: labelSize, maxWidth: 120), x: left - 4 - stripSpace,
                         y: top + (Double(i) + 0.5) * cell + labelSize * 0.35, size: labelSize, anchor: .end)
            }
            if rows == columns {
                for j in 0..<c {
                    let x = left + (Double(j) + 0.5) * cell + labelSize * 0.35
                    doc.text(SVGDocument.fit(labels[j], size: labelSize, maxWidth: 120), x: x, y: top + plotH + 4,
                             size: labelSize, anchor: .end, rotate: -90)
                }
            }
        }
        doc.text(axisLabel, x: left + plotW / 2, y: height - 12, size: M.labelSize, anchor: .middle)
        doc.text(axisLabel, x: 12 + M.labelSize, y: top + plotH / 2, size: M.labelSize, anchor: .middle, rotate: -90)

        // Colour bar: one band per level, ticks on the 1-2-5 ladder over the domain.
        let barX = left + plotW + 28, barW = 16.0
        // With a strip legend the bar takes the upper part of the plot height and the legend the rest.
        let legendHeight = groupNames.isEmpty ? 0 : Double(groupNames.count) * M.legendRow + 12
        let barH = max(plotH * 0.4, plotH - legendHeight)
        let barTicks = NiceTicks(lo: lo, hi: hi, target: 4)
        let barScale = AxisScale(domain: lo...max(hi, lo + 1e-12), range: top...(top + barH), reversed: true)
        let bandH = barH / Double(levels)
        for q in 0..<levels {
            doc.rect(x: barX, y: top + barH - Double(q + 1) * bandH, width: barW, height: bandH + 0.3, fill: levelColor(q))
        }
        doc.rect(x: barX, y: top, width: barW, height: barH, fill: "none", stroke: ChartColors.axis, strokeWidth: 0.75)
        for (v, label) in zip(barTicks.values, barTicks.labels) where v >= lo - 1e-12 && v <= hi + 1e-12 {
            doc.line(x1: barX + barW, y1: barScale(v), x2: barX + barW + M.tickLength, y2: barScale(v), stroke: ChartColors.axis)
            doc.text(label, x: barX + barW + M.tickLength + 3, y: barScale(v) + M.tickSize * 0.35, size: M.tickSize)
        }
        doc.text(colorbarLabel, x: barX + barW + 52, y: top + barH / 2, size: M.labelSize, anchor: .middle, rotate: 90)
        if !groupNames.isEmpty {
            drawLegend(&doc, groupNames.enumerated().map { LegendEntry(label: $1, color: ChartColors.series($0), mark: .bar) },
                       x: barX - 4, y: top + barH + 12)
        }
        return doc.render(title: title)
    }
}
