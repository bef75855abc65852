import Fixtures
import Foundation
import TestSupport
import XCTest
@testable import Reports

/// Renders every sample chart to PNG with rsvg-convert and checks the pixels: the image has the
/// declared size, the plot area is not blank, and data charts show several distinct colours.
/// bench/render-charts (`workbench-bench render-charts`) keeps the files for a human and times them.
final class ChartRenderingTests: XCTestCase {
    func testEverySampleChartRendersToANonBlankPNG() throws {
        let dir = TestSupport.temporaryDirectory("charts")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, svg) in ChartSamples.all() {
            let png = dir.appendingPathComponent(name + ".png")
            try PNGCheck.render(svg: svg, to: png)
            let s = try PNGCheck.stats(png: png)
            XCTAssertEqual(s.width, 760, name)
            // The "no data" frame is mostly empty by design; data charts must have real ink.
            let minimumInk = name == "no-data" || name == "nan-only" ? 0.003 : 0.01
            XCTAssertGreaterThan(s.inkFraction, minimumInk, "\(name): plot area is blank")
            XCTAssertGreaterThanOrEqual(s.distinctColors, 3, "\(name): too few colours in the plot area")
            // Colours of the data marks: one for single-series histograms, more for the rest.
            let minimumSaturated = ["no-data": 0, "nan-only": 0, "histogram": 1, "contributions": 1][name] ?? 2
            XCTAssertGreaterThanOrEqual(s.saturatedColors, minimumSaturated, "\(name): data marks missing")
        }
    }

    /// The checker itself can fail: a blank document has no ink and a single colour.
    func testBlankImageIsDetected() throws {
        let dir = TestSupport.temporaryDirectory("blank")
        defer { try? FileManager.default.removeItem(at: dir) }
        let blank = SVGDocument(width: 200, height: 100).render(title: "blank")
        let png = dir.appendingPathComponent("blank.png")
        try PNGCheck.render(svg: blank, to: png)
        let s = try PNGCheck.stats(png: png)
        XCTAssertEqual([s.width, s.height], [200, 100])
        XCTAssertEqual(s.inkFraction, 0)
        XCTAssertEqual(s.distinctColors, 1)
        XCTAssertEqual(s.saturatedColors, 0)
    }
}
