import Fixtures
import Foundation
import TestSupport
import XCTest
@testable import Reports

/// The rendered report in a real browser: scripts/screenshot-report turns a report into HTML with
/// cmark-gfm and screenshots it in headless Chromium (both installed by the script, and by
/// scripts/test); the PNG must show the page with its charts loaded.
final class ReportScreenshotTests: XCTestCase {
    func testReportScreenshotInHeadlessChromiumIsNotBlank() throws {
        let (analysis, study) = try ReportFixture.build(arms: ReportFixture.threeArms, benchmark: true, featureScores: false)
        let dir = TestSupport.temporaryDirectory("screenshot")
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = dir.appendingPathComponent("study")
        try StudyReport.write(analysis: analysis, study: study, to: report)
        let png = dir.appendingPathComponent("shot.png")
        // The top 2000 px: title, summary, headline tables and the cumulative chart (an SVG that
        // must load from charts/ for its colours to show).
        let script = TestSupport.repoRoot.appendingPathComponent("scripts/screenshot-report").path
        let env = ["WORKBENCH_SCREENSHOT_HEIGHT": "2000"]
        let r = try TestSupport.run(script, [report.path, png.path], environment: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines), png.path)
        let s = try PNGCheck.stats(png: png)
        XCTAssertEqual([s.width, s.height], [1100, 2000])
        XCTAssertGreaterThan(s.inkFraction, 0.05, "page text and tables")
        XCTAssertGreaterThanOrEqual(s.saturatedColors, 3, "chart lines in colour: the SVG loaded")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }, [],
                       "no temporary PNG left")

        // Without a report there is nothing to shoot: a located error, no PNG.
        let missing = try TestSupport.run(script, [dir.appendingPathComponent("nothing").path, dir.appendingPathComponent("x.png").path],
                                          environment: env)
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("no report.md in"), missing.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.png").path))
    }
}
