import Foundation
import XCTest
@testable import Reports

/// Chart titles and subtitles wrap onto further lines instead of being cut with "…" (issue 17).
final class ChartTitleTests: XCTestCase {
    /// The words of the <text> elements of an SVG, in order.
    func textWords(_ svg: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: #"<text [^>]*>([^<]*)</text>"#)
        let ns = svg as NSString
        return regex.matches(in: svg, range: NSRange(location: 0, length: ns.length))
            .flatMap { ns.substring(with: $0.range(at: 1)).split(separator: " ").map(String.init) }
    }

    func testLongTitleAndSubtitleWrapWithEveryWordAndThePlotMovesDown() {
        let title = (1...30).map { "title\($0)" }.joined(separator: " ")
        let subtitle = (1...40).map { "sub\($0)" }.joined(separator: " ") + " " + String(repeating: "x", count: 200)
        let groups = [(name: "all", correlations: [0.1, 0.2, 0.3, 0.25])]
        let long = Charts.correlationHistogram(title: title, subtitle: subtitle, groups: groups)
        let short = Charts.correlationHistogram(title: "t", subtitle: "s", groups: groups)
        XCTAssertFalse(long.contains("…"), "nothing cut")
        // WORKBENCH_REPORT_OUT=DIR keeps the chart for a human to look at (as StudyReportTests does).
        if let keep = ProcessInfo.processInfo.environment["WORKBENCH_REPORT_OUT"] {
            try? long.write(toFile: keep + "/long-title.svg", atomically: true, encoding: .utf8)
        }
        let words = textWords(long)
        for w in title.split(separator: " ") + subtitle.split(separator: " ").dropLast() {
            XCTAssertTrue(words.contains(String(w)), "\(w) shown")
        }
        // The 200-character word is split across lines, all of it kept.
        XCTAssertEqual(words.filter { $0.allSatisfy { $0 == "x" } }.joined().count, 200)
        // Every title line fits the canvas (≈ 0.6 em a glyph, 12 px margins).
        for line in titleLines(title: title, subtitle: subtitle, width: ChartMetrics.width) {
            XCTAssertLessThanOrEqual(SVGDocument.textWidth(line.text, size: line.size), ChartMetrics.width - 24, line.text)
        }
        XCTAssertGreaterThan(titleLines(title: title, subtitle: subtitle, width: ChartMetrics.width).filter(\.bold).count, 1)
        // The plot frame starts below the taller title block.
        func frameTop(_ svg: String) -> Double {
            let line = svg.split(separator: "\n").first { $0.hasPrefix("<rect") && !$0.contains("x=\"0\" y=\"0\"") }!
            let y = line.range(of: #"y="[0-9.]+""#, options: .regularExpression)!
            return Double(line[y].dropFirst(3).dropLast())!
        }
        XCTAssertGreaterThan(frameTop(long), frameTop(short) + 40)
        // A short title is laid out exactly as before: one line at 14 + 15.
        XCTAssertEqual(titleHeight(title: "t", subtitle: nil, width: ChartMetrics.width), 14 + ChartMetrics.titleSize)
        XCTAssertEqual(titleHeight(title: "t", subtitle: "s", width: ChartMetrics.width),
                       14 + ChartMetrics.titleSize + 6 + ChartMetrics.subtitleSize)
    }

    func testNoDataReasonWraps() {
        let reason = (1...40).map { "because\($0)" }.joined(separator: " ")
        let svg = noDataChart(title: "empty", reason: reason)
        XCTAssertFalse(svg.contains("…"))
        XCTAssertTrue(textWords(svg).contains("because40"))
    }
}
