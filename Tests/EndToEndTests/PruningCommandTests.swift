import Foundation
import TestSupport
import XCTest

/// `workbench run` of a pruned study (`pruning`): the report's contrasts section, metrics.json's
/// `pruning` block and the terminal say what pruning did to each arm; predictions.h5 keeps the
/// pruned models (status `pruned`, their rung's trees), which the analysis leaves out.
final class PruningCommandTests: XCTestCase {
    static let study = TinyStudy.json(
        name: "pruned", seed: 2, models: 6, trees: 30, evaluation: #"{"embargoEras": 1, "bootstrapResamples": 100}"#,
        seedsArmModels: 4, more: [#""pruning": {"rungs": [5, 15], "keep": 0.5}"#])

    func testReportMetricsAndStoreSayWhatPruningDid() throws {
        let root = TestSupport.temporaryDirectory("pruning-cmd")
        defer { try? FileManager.default.removeItem(at: root) }
        let (_, out, r) = try TestSupport.runStudy(Self.study, named: "pruned.json", in: root)
        XCTAssertEqual(r.status, 0, r.stderr)
        // grid: 6 → 3 → 2; seeds: 4 → 2 → 1.
        XCTAssertTrue(r.stdout.contains("pruning: arm grid: 2 of 6 models trained to the end (pruned 3 at 5, 1 at 15 trees)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("pruning: arm seeds: 1 of 4 models trained to the end (pruned 2 at 5, 1 at 15 trees)"), r.stdout)

        let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("metrics.json"))) as! [String: Any]
        let pruning = try XCTUnwrap(metrics["pruning"] as? [String: Any])
        XCTAssertEqual(pruning["rungs"] as? [Int], [5, 15])
        let arms = try XCTUnwrap(pruning["arms"] as? [[String: Any]])
        XCTAssertEqual(arms.map { $0["arm"] as? String }, ["grid", "seeds"])
        XCTAssertEqual(arms.map { $0["pruned_per_rung"] as? [Int] }, [[3, 1], [2, 1]])
        XCTAssertEqual(arms.map { $0["survivors"] as? Int }, [2, 1])
        // Only the survivors and the benchmark are analysed.
        let models = try XCTUnwrap(metrics["models"] as? [[String: Any]])
        XCTAssertEqual(models.count, 4, "\(models.map { $0["id"] ?? "" })")

        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("**Pruning.** Successive halving at 5, 15 trees"), report)
        XCTAssertTrue(report.contains("- arm `grid`: 6 models, 3 at 5 trees, 1 at 15 trees pruned; its ensembles and contrasts use its 2 survivors."), report)
        let cells = report.replacingOccurrences(of: " +", with: " ", options: .regularExpression)
        XCTAssertTrue(cells.contains("| seeds | 4 | 2 | 1 | 1 |"), report)

        // h5py: statuses and tree counts as metrics.json says; pruned predictions are stored.
        let check = try TestSupport.python(TestSupport.oracleScript("EndToEndTests/PruningCommandTests-StatusesAndTrees.py"), [out.appendingPathComponent("predictions.h5").path])
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertEqual(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
                       #"{"grid": {"done": [30, 30], "pruned": [5, 5, 5, 15]}, "nan_rows": 0, "seeds": {"done": [30], "pruned": [5, 5, 15]}}"#)
    }
}
