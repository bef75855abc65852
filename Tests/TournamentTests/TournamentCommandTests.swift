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
        let check = try TestSupport.python(TestSupport.oracleScript("TournamentTests/TournamentCommandTests-TournamentOnATinyStudy.py"), [path("out/scores.csv")])
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

    /// A mined farm as the pool (`"farm"` instead of `"study"`): `workbench mine` on a tiny study,
    /// then a tournament over its accepted stakers (by arm) with the farm's benchmark as the
    /// example model. Every incumbent's mean corr over the test eras equals the test corr `mine`
    /// recorded for its model (stakers/<id>/metrics.json, farm.json for the benchmark), and the
    /// farm is left unchanged.
    func testTournamentOverAMinedFarm() throws {
        let synth = try TestSupport.workbench(["data", "synth", "--out", path("data.h5"), "--eras", "60", "--rows-per-era", "200",
                                               "--features", "8"])
        XCTAssertEqual(synth.status, 0, synth.stderr)
        let study = #"""
        {"name": "tiny-farm", "seed": 5, "models": 4, "data": "data.h5",
         "evaluation": {"selectionFraction": 0.5, "embargoEras": 2},
         "fixed": {"n_estimators": 12, "learning_rate": 0.2, "max_depth": 3, "num_leaves": 7},
         "benchmark": {"n_estimators": 12, "learning_rate": 0.2},
         "arms": [{"name": "grid", "vary": {"colsample_bytree": {"uniform": [0.2, 1]}, "seed": {"intRange": [0, 1000]}}}]}
        """#
        try Data(study.utf8).write(to: URL(fileURLWithPath: path("study.json")))
        let mine = try TestSupport.workbench(["mine", path("study.json"), "--count", "4", "--out", path("farm"), "--jobs", "2",
                                              "--min-corr=-1", "--min-bmc=-1", "--quiet"])
        XCTAssertEqual(mine.status, 0, mine.stderr)
        let farmJSON = try Data(contentsOf: URL(fileURLWithPath: path("farm/farm.json")))
        let manifest = try JSONSerialization.jsonObject(with: farmJSON) as! [String: Any]
        let accepted = (manifest["stakers"] as! [[String: Any]]).filter { $0["status"] as? String == "accepted" }.map { $0["id"] as! String }
        XCTAssertGreaterThanOrEqual(accepted.count, 2)

        let spec = #"""
        {"name": "farm-tournament", "farm": "farm", "studyFile": "study.json", "seed": 2,
         "incumbents": {"stakers": 10, "groups": [{"models": "example", "share": 0.4}, {"name": "farm", "models": ["grid"], "share": 0.6}]},
         "newcomers": {"counts": [3, 6], "models": ["grid"]}}
        """#
        try Data(spec.utf8).write(to: URL(fileURLWithPath: path("t.json")))
        let result = try TestSupport.workbench(["tournament", path("t.json"), "--out", path("out")])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("out/tournament.json")))) as! [String: Any]
        XCTAssertEqual(json["pool_source"] as? String, "farm")
        XCTAssertEqual(json["pool_models"] as? Int, accepted.count + 1)
        XCTAssertEqual(json["example_model"] as? String, "benchmark")
        XCTAssertEqual(json["test_eras"] as? [String], manifest["test_eras"] as? [String])
        XCTAssertEqual((json["scenarios"] as! [Any]).count, 6)
        let incumbents = json["incumbents"] as! [[String: Any]]
        XCTAssertEqual(incumbents.count, 10)
        var checked = Set<String>()
        for record in incumbents {
            let model = record["model"] as! String
            let recorded: Double
            if model == "benchmark" {
                recorded = (manifest["benchmark_test"] as! [String: Any])["corr_mean"] as! Double
            } else {
                XCTAssertTrue(accepted.contains(model), model)
                let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("farm/stakers/\(model)/metrics.json")))) as! [String: Any]
                recorded = (metrics["test"] as! [String: Any])["corr_mean"] as! Double
            }
            XCTAssertEqual(record["corr_mean"] as! Double, recorded, accuracy: 1e-12, model)
            checked.insert(model)
        }
        XCTAssertTrue(checked.contains("benchmark"))
        XCTAssertGreaterThanOrEqual(checked.count, 2)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path("farm/farm.json"))), farmJSON)

        // Refusals: no studyFile; both study and farm; a farm of another study; --out on the farm.
        try Data(spec.replacingOccurrences(of: #""studyFile": "study.json", "#, with: "").utf8).write(to: URL(fileURLWithPath: path("nofile.json")))
        let noFile = try TestSupport.workbench(["tournament", path("nofile.json"), "--out", path("x")])
        XCTAssertEqual(noFile.status, 1)
        XCTAssertTrue(noFile.stderr.contains("nofile.json: $.studyFile: a farm needs 'studyFile'"), noFile.stderr)
        try Data(spec.replacingOccurrences(of: #""farm": "farm","#, with: #""farm": "farm", "study": "farm","#).utf8)
            .write(to: URL(fileURLWithPath: path("both.json")))
        let both = try TestSupport.workbench(["tournament", path("both.json"), "--out", path("x")])
        XCTAssertEqual(both.status, 1)
        XCTAssertTrue(both.stderr.contains("$.farm: give either 'study'"), both.stderr)
        try Data(study.replacingOccurrences(of: #""seed": 5"#, with: #""seed": 6"#).utf8).write(to: URL(fileURLWithPath: path("other.json")))
        try Data(spec.replacingOccurrences(of: "study.json", with: "other.json").utf8).write(to: URL(fileURLWithPath: path("other-t.json")))
        let other = try TestSupport.workbench(["tournament", path("other-t.json"), "--out", path("x")])
        XCTAssertEqual(other.status, 1)
        XCTAssertTrue(other.stderr.contains("other-t.json: $.farm: "), other.stderr)
        XCTAssertTrue(other.stderr.contains("holds a farm of study 'tiny-farm'"), other.stderr)
        let over = try TestSupport.workbench(["tournament", path("t.json"), "--out", path("farm")])
        XCTAssertEqual(over.status, 2, over.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path("farm/farm.json"))), farmJSON)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("x/tournament.json")))
    }
}
