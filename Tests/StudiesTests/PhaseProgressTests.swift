import Foundation
import XCTest
@testable import Studies

/// Progress while loading data and analysing (issue 17): a live line with the elapsed time on a
/// terminal, nothing in logs or when quiet, the result and errors passed through.
final class PhaseProgressTests: XCTestCase {
    func capture(interactive: Bool, quiet: Bool = false, _ body: (PhaseProgress) throws -> Void) rethrows -> String {
        let pipe = Pipe()
        let progress = PhaseProgress(interactive: interactive, quiet: quiet, output: pipe.fileHandleForWriting, tick: 0.02)
        try body(progress)
        try? pipe.fileHandleForWriting.close()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    func testTerminalShowsTheLiveLineThenTheTimeAndDetail() {
        var result = 0
        let text = capture(interactive: true) { p in
            result = p.run("loading data", detail: { "\($0) rows" }) { () -> Int in
                Thread.sleep(forTimeInterval: 0.2)
                return 42
            }
        }
        XCTAssertEqual(result, 42)
        XCTAssertTrue(text.hasPrefix("\r\u{1B}[Kloading data…"), text.debugDescription)
        XCTAssertTrue(text.contains("\r\u{1B}[Kloading data… 0s"), "ticks while running: \(text.debugDescription)")
        XCTAssertTrue(text.hasSuffix("\r\u{1B}[Kloading data: 0s (42 rows)\n"), text.debugDescription)
        XCTAssertEqual(text.components(separatedBy: "\n").count, 2, "one finished line")
    }

    func testLogsAndQuietGetNothing() {
        XCTAssertEqual(capture(interactive: false) { p in _ = p.run("analysing") { 1 } }, "")
        XCTAssertEqual(capture(interactive: true, quiet: true) { p in _ = p.run("analysing") { 1 } }, "")
    }

    func testAThrowClearsTheLineAndRethrows() throws {
        struct Boom: Error {}
        let text = try capture(interactive: true) { p in
            XCTAssertThrowsError(try p.run("analysing") { () throws -> Int in throw Boom() }) { XCTAssertTrue($0 is Boom) }
        }
        XCTAssertEqual(text, "\r\u{1B}[Kanalysing…\r\u{1B}[K")
    }
}
