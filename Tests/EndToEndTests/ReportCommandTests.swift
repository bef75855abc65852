import Foundation
import TestSupport
import XCTest

/// `workbench report DIR` as a user runs it: a tiny study is trained with `workbench run`, then
/// re-analysed and re-rendered from predictions.h5 alone.
final class ReportCommandTests: XCTestCase {
    var root: URL!

    static let study = TinyStudy.json(
        name: "tiny", description: "Tiny end-to-end study for the report command.",
        seed: 4, models: 3, trees: 30, evaluation: #"{"selectionFraction": 0.5, "embargoEras": 1}"#)

    override func setUpWithError() throws { root = TestSupport.temporaryDirectory("report-cmd") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    /// Writes the study file and trains it into `root/out`.
    func trainedStudy(_ json: String = study) throws -> (studyFile: String, out: URL) {
        let (file, out, r) = try TestSupport.runStudy(json, named: "tiny.json", in: root)
        XCTAssertEqual(r.status, 0, r.stderr)
        return (file, out)
    }

    /// report.md, metrics.json and every chart, by relative path.
    func outputs(_ dir: URL) throws -> [String: Data] {
        try TestSupport.outputs(["report.md", "metrics.json"], folder: "charts", in: dir)
    }

    func testReportRerendersTheSameBytesFromStoredPredictions() throws {
        let (studyFile, out) = try trainedStudy()
        // `workbench run` ends with the same analysis and report.
        let afterRun = try outputs(out)
        let first = try TestSupport.workbench(["report", out.path])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("report: \(out.appendingPathComponent("report.md").path)"), first.stdout)
        let a = try outputs(out)
        XCTAssertEqual(a, afterRun, "report re-renders exactly what run wrote")
        let markdown = String(decoding: a["report.md"]!, as: UTF8.self)
        // Every referenced chart exists; every chart is referenced.
        let regex = try NSRegularExpression(pattern: #"!\[[^\]]*\]\((charts/[^)]*)\)"#)
        let links = regex.matches(in: markdown, range: NSRange(markdown.startIndex..., in: markdown)).map {
            String(markdown[Range($0.range(at: 1), in: markdown)!])
        }
        XCTAssertEqual(Set(links), Set(a.keys.filter { $0.hasPrefix("charts/") && $0.hasSuffix(".svg") }))
        XCTAssertEqual(Set(a.keys.filter { $0.hasPrefix("charts/") && $0.hasSuffix(".csv") }),
                       Set(links.map { String($0.dropLast(4)) + ".csv" }), "each chart's data beside it")
        XCTAssertTrue(markdown.contains("# Study report: tiny"))
        XCTAssertTrue(markdown.contains("benchmark: benchmark"), "the benchmark is compared")
        XCTAssertTrue(markdown.contains("Synthetic data: the true signal scores"), "ceiling from the synthetic true signal")
        // metrics.json: 6 models + the benchmark, benchmark named.
        let json = try JSONSerialization.jsonObject(with: a["metrics.json"]!) as! [String: Any]
        XCTAssertEqual((json["models"] as! [Any]).count, 7)
        XCTAssertEqual(json["benchmark"] as? String, "benchmark")

        // Again, and with the original study file: the same bytes.
        let again = try TestSupport.workbench(["report", out.path, "--study", studyFile])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try outputs(out), a)
    }

    /// `workbench run` ends with the report's five-line summary, the same lines as report.md's top.
    func testRunEndsWithTheReportSummary() throws {
        let (_, out, r) = try TestSupport.runStudy(Self.study, named: "tiny.json", in: root)
        XCTAssertEqual(r.status, 0, r.stderr)
        let tail = try XCTUnwrap(r.stdout.components(separatedBy: "summary:\n").last)
        let printed = tail.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertEqual(printed.map { String($0.prefix { $0 != ":" }) }, ["Question", "Verdicts", "Recommendation", "Test-era score", "Support"],
                       r.stdout)
        let markdown = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        let top = markdown.split(separator: "\n").dropFirst().prefix(6).filter { $0.hasPrefix("- **") }
        XCTAssertEqual(top.count, 5, markdown)
        for (md, plain) in zip(top, printed) {
            XCTAssertEqual(md.replacingOccurrences(of: "- **", with: "").replacingOccurrences(of: ":**", with: ":")
                             .replacingOccurrences(of: "`", with: ""), plain)
        }
        XCTAssertTrue(printed[2].hasPrefix("Recommendation: submit "), printed[2])
    }

    func testUsageAndMismatchErrors() throws {
        let missing = try TestSupport.workbench(["report", root.appendingPathComponent("nope").path])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("no such directory"), missing.stderr)
        let empty = try TestSupport.workbench(["report", root.path])
        XCTAssertEqual(empty.status, 2)
        XCTAssertTrue(empty.stderr.contains("predictions.h5 not found"), empty.stderr)

        let (_, out) = try trainedStudy()
        let other = root.appendingPathComponent("other.json")
        try Self.study.replacingOccurrences(of: #""seed": 4"#, with: #""seed": 5"#).write(to: other, atomically: true, encoding: .utf8)
        let report = out.appendingPathComponent("report.md")
        let before = FileManager.default.contents(atPath: report.path)
        let mismatch = try TestSupport.workbench(["report", out.path, "--study", other.path])
        XCTAssertEqual(mismatch.status, 1)
        XCTAssertTrue(mismatch.stderr.contains("holds study 'tiny'"), mismatch.stderr)
        XCTAssertEqual(FileManager.default.contents(atPath: report.path), before, "nothing written on a mismatch")
    }
}
