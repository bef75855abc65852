import Foundation
import TestSupport
import XCTest

/// `workbench compare` as a user runs it: exit codes, --all, --tolerance, --markdown.
final class CompareCommandTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws { root = TestSupport.temporaryDirectory("compare") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    static let metrics = """
    {"models": [{"id": "m0", "arm": "seeds", "params": {"learning_rate": 0.01}, "corr_mean": 0.0210,
                 "corr_sharpe": 1.10, "bmc_mean": 0.0010, "max_drawdown": 0.10},
                {"id": "m1", "arm": "seeds", "params": {"learning_rate": 0.02}, "corr_mean": 0.0190,
                 "corr_sharpe": 0.90, "bmc_mean": 0.0020, "max_drawdown": 0.20}],
     "diversity": {"pairwise_corr_mean": 0.85, "pca_explained_variance_ratio": [0.9, 0.1],
                   "participation_ratio": 1.2, "effective_models": 1.5},
     "scaling": [{"k": 1, "method": "random", "corr_mean": 0.020, "ci_low": 0.018, "ci_high": 0.022},
                 {"k": 2, "method": "random", "corr_mean": 0.021, "ci_low": 0.019, "ci_high": 0.023}]}
    """

    /// A study directory holding `json` as metrics.json.
    func study(_ name: String, _ json: String) throws -> String {
        let dir = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try json.write(to: dir.appendingPathComponent("metrics.json"), atomically: true, encoding: .utf8)
        return dir.path
    }

    func testIdenticalStudiesExitZeroAndListNothingUnlessAll() throws {
        let a = try study("a", Self.metrics), b = try study("b", Self.metrics)
        let r = try TestSupport.workbench(["compare", a, b])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(r.stdout.contains("| metric"), r.stdout)
        XCTAssertTrue(r.stdout.contains("0 regressed, 0 removed"), r.stdout)
        let all = try TestSupport.workbench(["compare", a, b, "--all"])
        XCTAssertEqual(all.status, 0, all.stderr)
        XCTAssertTrue(all.stdout.contains("| scaling[k=2,method=random].corr_mean"), all.stdout)
        XCTAssertTrue(all.stdout.contains("| diversity.pca_explained_variance_ratio[1]"), all.stdout)
        XCTAssertTrue(all.stdout.contains("unchanged"))
    }

    func testRegressionExitsOneImprovementAndNeutralChangesExitZero() throws {
        let base = try study("base", Self.metrics)
        let worse = try study("worse", Self.metrics.replacingOccurrences(of: "\"corr_mean\": 0.0190", with: "\"corr_mean\": 0.0180"))
        let r = try TestSupport.workbench(["compare", base, worse])
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("| models[id=m1].corr_mean"), r.stdout)
        XCTAssertTrue(r.stdout.contains("regressed"))
        XCTAssertTrue(r.stderr.contains("regressed beyond tolerance"), r.stderr)

        let better = try study("better", Self.metrics
            .replacingOccurrences(of: "\"corr_mean\": 0.0190", with: "\"corr_mean\": 0.0200")
            .replacingOccurrences(of: "\"max_drawdown\": 0.20", with: "\"max_drawdown\": 0.15")
            .replacingOccurrences(of: "\"pairwise_corr_mean\": 0.85", with: "\"pairwise_corr_mean\": 0.95"))
        let ok = try TestSupport.workbench(["compare", base, better])
        XCTAssertEqual(ok.status, 0, ok.stdout + ok.stderr)
        XCTAssertTrue(ok.stdout.contains("improved"))
        XCTAssertTrue(ok.stdout.contains("| diversity.pairwise_corr_mean"))
        XCTAssertTrue(ok.stdout.contains("changed"))
        // The same comparison reversed is a regression (drawdown up, corr down).
        XCTAssertEqual(try TestSupport.workbench(["compare", better, base]).status, 1)
    }

    func testToleranceDecidesWhatCountsAsAChange() throws {
        let base = try study("base", Self.metrics)
        let slightly = try study("slightly", Self.metrics.replacingOccurrences(of: "\"corr_mean\": 0.0190", with: "\"corr_mean\": 0.018999"))
        XCTAssertEqual(try TestSupport.workbench(["compare", base, slightly]).status, 1)
        let loose = try TestSupport.workbench(["compare", base, slightly, "--tolerance", "1e-3"])
        XCTAssertEqual(loose.status, 0, loose.stdout + loose.stderr)
        XCTAssertEqual(try TestSupport.workbench(["compare", base, slightly, "--tolerance", "0", "--absolute-tolerance", "1e-5"]).status, 0)
    }

    func testRemovedMetricIsARegressionAddedIsNot() throws {
        let base = try study("base", Self.metrics)
        let fewer = try study("fewer", Self.metrics.replacingOccurrences(of: ", \"ci_low\": 0.019", with: ""))
        let r = try TestSupport.workbench(["compare", base, fewer])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stdout.contains("| scaling[k=2,method=random].ci_low"), r.stdout)
        XCTAssertTrue(r.stdout.contains("removed"))
        let added = try TestSupport.workbench(["compare", fewer, base])
        XCTAssertEqual(added.status, 0, added.stdout + added.stderr)
        XCTAssertTrue(added.stdout.contains("added"))
    }

    func testMarkdownReport() throws {
        let base = try study("base", Self.metrics)
        let worse = try study("worse", Self.metrics.replacingOccurrences(of: "\"corr_sharpe\": 1.10", with: "\"corr_sharpe\": 1.00"))
        let out = root.appendingPathComponent("cmp.md")
        let r = try TestSupport.workbench(["compare", base, worse, "--markdown", out.path])
        XCTAssertEqual(r.status, 1)
        let md = try String(contentsOf: out, encoding: .utf8)
        XCTAssertTrue(md.hasPrefix("# Study comparison\n"), md)
        XCTAssertTrue(md.contains("| models[id=m0].corr_sharpe"), md)
        XCTAssertTrue(md.contains("| ---"), md)
        XCTAssertTrue(md.contains("verdict: 7 metrics regressed or removed"), md)
        // No temp files left behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasPrefix(".") }, [])
        let same = try TestSupport.workbench(["compare", base, base, "--markdown", out.path, "--all"])
        XCTAssertEqual(same.status, 0)
        XCTAssertTrue(try String(contentsOf: out, encoding: .utf8).contains("| models[id=m0].corr_sharpe"))
    }

    func testUsageErrorsExitTwo() throws {
        let base = try study("base", Self.metrics)
        let missing = root.appendingPathComponent("missing").path
        let r1 = try TestSupport.workbench(["compare", base, missing])
        XCTAssertEqual(r1.status, 2)
        XCTAssertTrue(r1.stderr.contains("no such study directory"), r1.stderr)
        let empty = root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let r2 = try TestSupport.workbench(["compare", empty.path, base])
        XCTAssertEqual(r2.status, 2)
        XCTAssertTrue(r2.stderr.contains("no metrics.json"), r2.stderr)
        let broken = try study("broken", "{\"models\": [")
        let r3 = try TestSupport.workbench(["compare", base, broken])
        XCTAssertEqual(r3.status, 2)
        XCTAssertTrue(r3.stderr.contains("not valid JSON"), r3.stderr)
        XCTAssertEqual(try TestSupport.workbench(["compare", base]).status, 2)
        XCTAssertEqual(try TestSupport.workbench(["compare", base, base, "--tolerance", "-1"]).status, 2)
        XCTAssertEqual(try TestSupport.workbench(["compare", base, base, "--tolerance", "abc"]).status, 2)
        // A metrics.json path works as well as its directory.
        XCTAssertEqual(try TestSupport.workbench(["compare", base + "/metrics.json", base]).status, 0)
    }
}
