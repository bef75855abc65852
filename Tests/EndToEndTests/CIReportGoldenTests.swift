import XCTest
import Foundation
import TestSupport

/// Golden test of the CI report: `workbench run experiments/ci.json` writes, byte for byte, the
/// committed `results/ci/report.md` (training seconds masked: wall-clock time is the one part
/// that differs between runs) and every committed chart and chart CSV in `results/ci/charts/`.
/// A change that moves any number, sentence or chart of the report fails here; when the change
/// is intended, regenerate the baseline with
/// `workbench run experiments/ci.json --out results/ci --force` and commit report.md, charts/
/// and metrics.json.
final class CIReportGoldenTests: XCTestCase {
    /// The wall-clock training time masked: "training 0.3 s in total", "trained in 0.3 s", and
    /// the cells of table columns headed "train s…". Table rows are compared cell by cell
    /// (trimmed), since a wider time would re-pad the whole column.
    static func maskingTrainingTime(_ text: String) -> String {
        let masked = text.replacingOccurrences(of: #"(training|trained in) [0-9.]+ s"#, with: "$1 <seconds> s",
                                               options: .regularExpression)
        var timeColumns: Set<Int> = []
        var out: [String] = []
        for line in masked.components(separatedBy: "\n") {
            guard line.hasPrefix("|") else {
                timeColumns = []
                out.append(line)
                continue
            }
            var cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if timeColumns.isEmpty, cells.contains(where: { $0.hasPrefix("train s") }) {
                timeColumns = Set(cells.indices.filter { cells[$0].hasPrefix("train s") })
            } else if !cells.allSatisfy({ $0.allSatisfy { "-: ".contains($0) } }) {
                for c in timeColumns where cells.indices.contains(c) { cells[c] = "<seconds>" }
            }
            out.append(cells.joined(separator: "|"))
        }
        return out.joined(separator: "\n")
    }

    func testCIStudyReportEqualsTheCommittedOne() throws {
        let dir = TestSupport.temporaryDirectory("ci-golden")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("ci")
        let study = TestSupport.repoRoot.appendingPathComponent("experiments/ci.json").path
        let run = try TestSupport.workbench(["run", study, "--out", out.path, "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)

        let golden = TestSupport.repoRoot.appendingPathComponent("results/ci")
        let expected = try String(contentsOf: golden.appendingPathComponent("report.md"), encoding: .utf8)
        let actual = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        // The masks must find the training time, else they would hide nothing and prove nothing.
        XCTAssertNotEqual(Self.maskingTrainingTime(expected), expected)
        let e = Self.maskingTrainingTime(expected).components(separatedBy: "\n")
        let a = Self.maskingTrainingTime(actual).components(separatedBy: "\n")
        if let line = zip(e, a).enumerated().first(where: { $0.element.0 != $0.element.1 }) {
            XCTFail("report.md line \(line.offset + 1) differs from results/ci/report.md:\n  committed: \(line.element.0)\n  now:       \(line.element.1)")
        }
        XCTAssertEqual(e.count, a.count, "report.md has \(a.count) lines, results/ci/report.md \(e.count)")

        let charts = golden.appendingPathComponent("charts")
        let names = try FileManager.default.contentsOfDirectory(atPath: charts.path).sorted()
        XCTAssertGreaterThan(names.count, 10)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("charts").path).sorted(), names,
                       "the run writes other charts than results/ci/charts")
        for name in names {
            let want = try Data(contentsOf: charts.appendingPathComponent(name))
            let got = try Data(contentsOf: out.appendingPathComponent("charts").appendingPathComponent(name))
            XCTAssertEqual(got, want, "charts/\(name) differs from results/ci/charts/\(name)")
        }
    }
}
