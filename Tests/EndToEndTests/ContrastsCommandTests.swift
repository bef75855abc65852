import Foundation
import TestSupport
import XCTest

/// `workbench run` with declared ensembles and contrasts (issue 14): the contrasts are printed at
/// the end, and metrics.json's `contrasts[]` keeps the key contract other tools read.
final class ContrastsCommandTests: XCTestCase {
    static let study = TinyStudy.json(
        name: "contrasts", seed: 4, models: 3, trees: 30,
        evaluation: #"{"selectionFraction": 0.5, "embargoEras": 1, "hacLag": 2, "bootstrapResamples": 200}"#,
        more: [#""ensembles": [{"name": "best2", "from": ["grid", "seeds"], "top": 2}]"#,
               #""contrasts": [{"a": "best2", "b": "seeds[2]"}, {"a": "grid", "b": "benchmark"}]"#])

    func testRunPrintsContrastsAndMetricsKeepTheContract() throws {
        let root = TestSupport.temporaryDirectory("contrasts-cmd")
        defer { try? FileManager.default.removeItem(at: root) }
        let (_, out, r) = try TestSupport.runStudy(Self.study, named: "contrasts.json", in: root)
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.components(separatedBy: "\n")
        let head = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("contrasts (") }, r.stdout)
        XCTAssertTrue(lines[head].contains("lag 2"), lines[head])
        XCTAssertTrue(lines[head + 1].hasPrefix("  best2 − seeds[2]"), r.stdout)
        XCTAssertTrue(lines[head + 2].hasPrefix("  grid − benchmark"), r.stdout)

        let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("metrics.json"))) as! [String: Any]
        let contrasts = metrics["contrasts"] as! [[String: Any]]
        XCTAssertEqual(contrasts.count, 2)
        for c in contrasts {
            XCTAssertEqual(Set(c.keys), ["name", "a", "b", "n_eras", "mean", "se", "hac_se", "ci_low", "ci_high", "hac_ci_low",
                                         "hac_ci_high", "mde", "p", "p_holm", "equivalence", "tost_p_holm", "verdict"])
            XCTAssertEqual(Set((c["equivalence"] as! [String: Any]).keys), ["margin", "p", "equivalent"])
            let verdict = c["verdict"] as! String
            XCTAssertTrue(["better", "worse", "equivalent", "undetermined"].contains(verdict) || verdict.hasPrefix("inconclusive (MDE "), verdict)
            XCTAssertTrue(lines[head...].contains { $0.hasSuffix(verdict) }, verdict)
        }
        let ensembles = metrics["ensembles"] as! [[String: Any]]
        let best2 = try XCTUnwrap(ensembles.first { $0["name"] as? String == "best2" })
        XCTAssertEqual((best2["members"] as! [String]).count, 2)
        XCTAssertEqual((ensembles.first { $0["name"] as? String == "seeds[2]" }?["members"] as? [String])?.count, 2)
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("## Contrasts"))
    }
}
