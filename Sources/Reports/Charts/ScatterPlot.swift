import Foundation

/// Points coloured by group (e.g. model corr against a hyperparameter, one colour per arm).
public struct ScatterPlot: Sendable {
    public struct Group: Sendable {
        public let name: String
        public let x: [Double]
        public let y: [Double]
        public init(name: String, x: [Double], y: [Double]) {
            self.name = name
            self.x = x
            self.y = y
        }
    }

    public var title: String
    public var subtitle: String?
    public var xLabel: String
    public var yLabel: String
    public var groups: [Group]
    /// log10 x axis; points with x ≤ 0 cannot be placed and are counted in the subtitle.
    public var logX: Bool
    /// Draw a horizontal line at y = 0 when it is in range.
    public var zeroLine: Bool = true

    public init(title: String, subtitle: String? = nil, xLabel: String, yLabel: String, groups: [Group],
                logX: Bool = false) {
        self.title = title
        self.subtitle = subtitle
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.groups = groups
        self.logX = logX
    }

    public func render() -> String {
        var xs: [Double] = [], ys: [Double] = []
        var dropped = 0
        for g in groups {
            for i in 0..<min(g.x.count, g.y.count) where g.x[i].isFinite && g.y[i].isFinite {
                if logX && g.x[i] <= 0 { dropped += 1; continue }
                xs.append(g.x[i]); ys.append(g.y[i])
            }
        }
        guard !xs.isEmpty else { return noDataChart(title: title, reason: "no points with finite coordinates") }
        var sub = subtitle
        if dropped > 0 {
            let note = "\(dropped) point\(dropped == 1 ? "" : "s") with x ≤ 0 not shown on the log axis"
            sub = sub.map { $0 + " · " + note } ?? note
        }
        let xTicks = logX ? NiceTicks.logarithmic(lo: xs.min()!, hi: xs.max()!) : ticks(covering: xs, target: 7)
        let yTicks = ticks(covering: ys, target: 6)
        let legend = groups.count > 1 || !(groups.first?.name.isEmpty ?? true)
            ? groups.enumerated().map { LegendEntry(label: $1.name, color: ChartColors.series($0), mark: .marker) } : []
        let frame = XYFrame(title: title, subtitle: sub, xLabel: xLabel, yLabel: yLabel,
                            xTicks: xTicks, xLog: logX, yTicks: yTicks, legend: legend)
        var doc = SVGDocument(width: frame.width, height: frame.height)
        frame.drawGrid(&doc)
        if zeroLine && yTicks.domain.contains(0) && yTicks.domain.lowerBound < 0 {
            doc.line(x1: frame.plotX, y1: frame.y(0), x2: frame.plotX + frame.plotWidth, y2: frame.y(0), stroke: "#999999")
        }
        let total = xs.count
        let radius = total > 300 ? 2.5 : 3.5
        for (gi, g) in groups.enumerated() {
            let color = ChartColors.series(gi)
            for i in 0..<min(g.x.count, g.y.count) where g.x[i].isFinite && g.y[i].isFinite && (!logX || g.x[i] > 0) {
                doc.circle(cx: frame.x(g.x[i]), cy: frame.y(g.y[i]), r: radius, fill: color, opacity: 0.7, stroke: "#ffffff")
            }
        }
        frame.drawAxes(&doc)
        return doc.render(title: title)
    }
}
