import Foundation
import XCTest
@testable import Reports

final class MarkdownTests: XCTestCase {
    func testTableAlignsNumbersAndEscapesPipes() {
        let table = Markdown.table(header: ["model", "corr"], rows: [
            [.text("a|b"), .number(0.0213456, digits: 4)],
            [.text("long-model-name"), .number(-0.5, digits: 4)],
            [.text("nan"), .number(.nan, digits: 4)],
        ])
        XCTAssertEqual(table, """
        | model           |    corr |
        | --------------- | ------: |
        | a\\|b            |  0.0213 |
        | long-model-name | -0.5000 |
        | nan             |     NaN |
        """)
        // Every line has the same number of unescaped pipes.
        let counts = table.split(separator: "\n").map { line in line.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count }
        XCTAssertEqual(Set(counts), [3])
    }

    func testCellsFoldNewlinesAndEscapeHTML() {
        XCTAssertEqual(Markdown.escapeCell("a\nb<script>"), "a b&lt;script&gt;")
        XCTAssertEqual(Markdown.escapeInline("x_y*[z]"), "x\\_y\\*\\[z\\]")
        XCTAssertEqual(Markdown.heading("Results\nnow", level: 9), "###### Results now")
        XCTAssertEqual(Markdown.heading("R", level: 0), "# R")
    }

    func testShortRowsAndEmptyTables() {
        XCTAssertEqual(Markdown.table(header: ["a", "b"], rows: [[.text("x")]]), """
        | a   | b   |
        | --- | --- |
        | x   |     |
        """)
        XCTAssertEqual(Markdown.table(header: ["a"], rows: []), "| a   |\n| --- |")
    }

    func testImageLinksAreRelativeToTheReport() {
        let report = URL(fileURLWithPath: "/tmp/study/out")
        XCTAssertEqual(Markdown.image(alt: "scaling", file: URL(fileURLWithPath: "/tmp/study/out/charts/scaling.svg"),
                                      reportDirectory: report), "![scaling](charts/scaling.svg)")
        XCTAssertEqual(Markdown.image(alt: "a [b]", file: URL(fileURLWithPath: "/tmp/study/other dir/x (1).svg"),
                                      reportDirectory: report), "![a \\[b\\]](../other%20dir/x%20%281%29.svg)")
        XCTAssertEqual(Markdown.relativePath(of: URL(fileURLWithPath: "/a/b/../c/d.svg"), from: URL(fileURLWithPath: "/a/c")), "d.svg")
    }

    func testAtomicWriteReplacesAndLeavesNoTemporaryFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("md-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("charts/a.svg")
        try Charts.write("one", to: file)
        try Charts.write("two", to: file)
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), "two")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path), ["a.svg"])
    }
}
