import Foundation

/// Counts of values in equal-width bins whose edges sit on the 1-2-5 ladder, so bar edges line
/// up with axis ticks. Several groups share the same bins and are drawn as translucent overlays.
public struct Histogram: Sendable {
    public struct Group: Sendable {
        public let name: String
        public let values: [Double]
        public init(name: String, values: [Double]) {
            self.name = name
            self.values = values
        }
    }
    /// A labelled vertical dashed line (e.g. the mean).
    public struct Marker: Sendable {
        public let label: String
        public let value: Double
        public init(label: String, value: Double) {
            self.label = label
            self.value = value
        }
    }

    public var title: String
    public var subtitle: String?
    public var xLabel: String
    public var yLabel: String = "count"
    public var groups: [Group]
    /// Target number of bins; by default ⌈√n⌉ clamped to 8…40.
    public var bins: Int?
    public var markers: [Marker] = []

    public init(title: String, subtitle: String? = nil, xLabel: String, groups: [Group], bins: Int? = nil,
                markers: [Marker] = []) {
        self.title = title
        self.subtitle = subtitle
        self.xLabel = xLabel
        self.groups = groups
        self.bins = bins
        self.markers = markers
    }

    /// Bin edges (a multiple of a 1-2-5 step) and per-group counts; values outside never occur
    /// because the edges cover min…max. A value on an inner edge goes to the bin on its right.
    static func binned(_ groups: [[Double]], target: Int) -> (edges: [Double], counts: [[Int]]) {
        let all = groups.flatMap { $0.filter(\.isFinite) }
        let lo = all.min()!, hi = all.max()!
        let step = NiceTicks(lo: lo, hi: hi, target: max(1, target)).step
        let first = (lo / step).rounded(.down)
        var last = (hi / step).rounded(.down) + 1
        if last <= first { last = first + 1 }
        let nBins = Int(last - first)
        let edges = (0...nBins).map { (first + Double($0)) * step }
        let counts = groups.map { values -> [Int] in
            var c = [Int](repeating: 0, count: nBins)
            for v in values where v.isFinite {
                let b = min(nBins - 1, max(0, Int((v / step).rounded(.down) - first)))
                c[b] += 1
            }
            return c
        }
        return (edges, counts)
    }

    public func render() -> String {
        let total = groups.reduce(0) { $0 + $1.values.filter(\.isFinite).count }
        guard total > 0 else { return noDataChart(title: title, reason: "no finite values") }
        let target = bins ?? min(40, max(8, Int(Double(total).squareRoot().rounded(.up))))
        let (edges, counts) = Histogram.binned(groups.map(\.values), target: target)
        let maxCount = counts.flatMap { $0 }.max() ?? 1
        var xValues = [edges.first!, edges.last!]
        for m in markers where m.value.isFinite { xValues.append(m.value) }
        let xTicks = ticks(covering: xValues, target: 7)
        let yTicks = NiceTicks(lo: 0, hi: Double(max(1, maxCount)), target: 5, integer: true)
        let overlay = groups.count > 1
        var legend = overlay ? groups.enumerated().map { LegendEntry(label: $1.name, color: ChartColors.series($0), mark: .bar) } : []
        for (i, m) in markers.enumerated() {
            legend.append(LegendEntry(label: m.label, color: markerColor(i), mark: .dashedLine))
        }
        let frame = XYFrame(title: title, subtitle: subtitle, xLabel: xLabel, yLabel: yLabel,
                            xTicks: xTicks, yTicks: yTicks, legend: legend, padY: false)
        var doc = SVGDocument(width: frame.width, height: frame.height)
        frame.drawGrid(&doc)
        for (g, groupCounts) in counts.enumerated() {
            let color = ChartColors.series(g)
            for (b, c) in groupCounts.enumerated() where c > 0 {
                let x0 = frame.x(edges[b]), x1 = frame.x(edges[b + 1])
                let top = frame.y(Double(c))
                doc.rect(x: x0 + 0.5, y: top, width: x1 - x0 - 1, height: frame.y(0) - top, fill: color,
                         opacity: overlay ? 0.45 : 0.85)
            }
        }
        for (i, m) in markers.enumerated() where m.value.isFinite {
            doc.line(x1: frame.x(m.value), y1: frame.plotY, x2: frame.x(m.value), y2: frame.plotY + frame.plotHeight,
                     stroke: markerColor(i), width: 1.5, dash: "6 4")
        }
        frame.drawAxes(&doc)
        return doc.render(title: title)
    }

    private func markerColor(_ i: Int) -> String { i == 0 ? ChartColors.reference : ChartColors.series(groups.count + i) }
}
