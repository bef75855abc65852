import Foundation
import TestSupport
import XCTest

/// `workbench tournament` as a user runs it, on a tiny study trained first.
final class TournamentCommandTests: XCTestCase {
    var root: URL!
    override func setUpWithError() throws { root = TestSupport.temporaryDirectory("tournament-e2e") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }
    func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    func testTournamentOnATinyStudy() throws {
        let synth = try TestSupport.workbench(["data", "synth", "--out", path("data.h5"), "--eras", "60", "--rows-per-era", "200",
                                               "--features", "8"])
        XCTAssertEqual(synth.status, 0, synth.stderr)
        try Data(#"""
        {"name": "tiny", "seed": 5, "models": 3, "data": "data.h5",
         "evaluation": {"selectionFraction": 0.5, "embargoEras": 2},
         "fixed": {"n_estimators": 15, "learning_rate": 0.2, "max_depth": 3, "num_leaves": 7},
         "benchmark": {"n_estimators": 15, "learning_rate": 0.2},
         "arms": [{"name": "seeds", "vary": {"seed": {"intRange": [0, 1000]}}},
                  {"name": "grid", "vary": {"colsample_bytree": {"uniform": [0.2, 1]}, "max_depth": {"intRange": [2, 4]}}}]}
        """#.utf8).write(to: URL(fileURLWithPath: path("study.json")))
        let run = try TestSupport.workbench(["run", path("study.json"), "--out", path("study"), "--jobs", "2"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let predictionsBefore = try Data(contentsOf: URL(fileURLWithPath: path("study/predictions.h5")))

        let spec = #"""
        {"name": "tiny-tournament", "study": "study", "studyFile": "study.json", "seed": 1,
         "incumbents": {"stakers": 12, "stakes": {"pareto": {"alpha": 1.5, "min": 1}},
                        "groups": [{"models": "example", "share": 0.4}, {"name": "seeds", "models": ["seeds"], "share": 0.3},
                                   {"name": "grid", "models": ["grid"], "share": 0.3}]},
         "newcomers": {"counts": [4, 12], "models": ["grid"]}}
        """#
        try Data(spec.utf8).write(to: URL(fileURLWithPath: path("t.json")))
        let result = try TestSupport.workbench(["tournament", path("t.json"), "--out", path("out")])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("report: "), result.stdout)
        for file in ["tournament.json", "scores.csv", "report.md", "charts/tournament-meta-corr.svg",
                     "charts/tournament-newcomer-payout.svg", "charts/tournament-incumbent-mmc.svg", "charts/tournament-newcomer-spread.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: path("out/\(file)")), file)
        }
        let report = try String(contentsOfFile: path("out/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("## Would the fund and the stakers gain?"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("out/tournament.json")))) as! [String: Any]
        XCTAssertEqual((json["incumbents"] as! [Any]).count, 12)
        XCTAssertEqual((json["scenarios"] as! [Any]).count, 6)
        XCTAssertEqual(json["neutral_contribution"] as? Bool, true)
        // Payout column = clip(0.5·corr + 2·mmc, ±0.05), every incumbent and test era.
        let check = try TestSupport.python("""
            import sys, numpy as np, pandas as pd
            s = pd.read_csv(sys.argv[1])
            assert len(s) == 12 * s["era"].nunique(), len(s)
            assert np.allclose(s["payout"], np.clip(0.5 * s["corr"] + 2 * s["mmc"], -0.05, 0.05), atol=1e-15)
            assert s[["corr", "mmc", "mmc_leave_self_out", "nc"]].notna().all().all()
            print("ok")
            """, [path("out/scores.csv")])
        XCTAssertEqual(check.status, 0, check.stderr)

        // Same spec, same bytes.
        let again = try TestSupport.workbench(["tournament", path("t.json"), "--out", path("out2"), "--quiet"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path("out/tournament.json"))),
                       try Data(contentsOf: URL(fileURLWithPath: path("out2/tournament.json"))))

        // Refusals: a typo (JSON path + did-you-mean), an unknown arm, writing over the study.
        try Data(spec.replacingOccurrences(of: "\"seed\": 1", with: "\"sede\": 1").utf8).write(to: URL(fileURLWithPath: path("bad.json")))
        let typo = try TestSupport.workbench(["tournament", path("bad.json"), "--out", path("bad")])
        XCTAssertEqual(typo.status, 1)
        XCTAssertTrue(typo.stderr.contains("bad.json: $.sede: unknown key 'sede'; did you mean 'seed'?"), typo.stderr)
        try Data(spec.replacingOccurrences(of: #"["grid"], "share""#, with: #"["gird"], "share""#).utf8)
            .write(to: URL(fileURLWithPath: path("arm.json")))
        let arm = try TestSupport.workbench(["tournament", path("arm.json"), "--out", path("arm")])
        XCTAssertEqual(arm.status, 1)
        XCTAssertTrue(arm.stderr.contains("$.incumbents.groups[2].models: unknown arm 'gird'"), arm.stderr)
        XCTAssertTrue(arm.stderr.contains("did you mean 'grid'?"), arm.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("arm/tournament.json")))
        let over = try TestSupport.workbench(["tournament", path("t.json"), "--out", path("study")])
        XCTAssertEqual(over.status, 2, over.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path("study/predictions.h5"))), predictionsBefore)
    }
}
