import XCTest
import Foundation
import TestSupport

/// `workbench sensitivity`: one study rerun across generator settings, headline table, sign flips.
final class SensitivityCommandTests: XCTestCase {
    var dir: URL!
    override func setUp() { dir = TestSupport.temporaryDirectory("e2e-sensitivity") }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func write(_ name: String, _ text: String) -> String {
        let url = dir.appendingPathComponent(name)
        try! text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    static let tinyStudy = #"""
    {"name": "tiny", "seed": 4, "models": 3,
     "data": {"synthetic": {"eras": 40, "rowsPerEra": 120, "features": 24, "targets": 2, "noise": 2}},
     "fixed": {"n_estimators": 20, "learning_rate": 0.1, "max_depth": 3, "num_leaves": 7, "colsample_bytree": 0.5},
     "benchmark": {"n_estimators": 20, "learning_rate": 0.1},
     "arms": [
       {"name": "seeds", "vary": {"seed": {"intRange": [0, 1000]}}},
       {"name": "groups", "dropFeatures": {"groups": "data", "groupsToDrop": 4}}
     ]}
    """#

    func testOneAtATimeTableMatchesEachSettingsMetrics() throws {
        let study = write("tiny.json", Self.tinyStudy)
        let out = dir.appendingPathComponent("out")
        let r = try TestSupport.workbench(["sensitivity", study, "--vary", "regimeStrength=0,2",
                                           "--vary", "v2.auxQuality=0.5", "--out", out.path, "--quiet", "--jobs", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let labels = ["baseline", "regimeStrength=0", "regimeStrength=2", "auxQuality=0.5"]
        for label in labels {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("\(label)/metrics.json").path), label)
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("sensitivity.json"))) as! [String: Any]
        let settings = json["settings"] as! [[String: Any]]
        XCTAssertEqual(settings.map { $0["label"] as! String }, labels)
        // Each headline number is the setting's own metrics.json: the largest random subset (all models).
        for s in settings {
            let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf:
                out.appendingPathComponent("\(s["label"] as! String)/metrics.json"))) as! [String: Any]
            for arm in metrics["arms"] as! [[String: Any]] {
                let name = arm["arm"] as! String
                let rows = (arm["scaling"] as! [[String: Any]]).filter { $0["method"] as! String == "random" }
                let full = rows.max { ($0["k"] as! Int) < ($1["k"] as! Int) }!["corr_mean"] as! Double
                let mine = (s["arms"] as! [[String: Any]]).first { $0["arm"] as! String == name }!
                XCTAssertEqual(mine["ensemble_corr"] as! Double, full, accuracy: 1e-12, "\(s["label"]!) \(name)")
                XCTAssertEqual(mine["mean_model_corr"] as! Double, (arm["theory"] as! [String: Any])["c"] as! Double, accuracy: 1e-12)
            }
            let comparisons = s["comparisons"] as! [String: Any]
            XCTAssertEqual(Set(comparisons.keys), ["seeds ensemble − benchmark", "seeds mean model − benchmark",
                                                   "groups ensemble − benchmark", "groups mean model − benchmark",
                                                   "groups ensemble − seeds ensemble"])  // arms in metrics order
        }
        // The regime settings change the data, so the headline numbers move; auxQuality changes only
        // target_aux1, which no model trains on or is scored by: the numbers stay exactly the baseline's.
        let ens = settings.map { (($0["arms"] as! [[String: Any]]).first { $0["arm"] as! String == "seeds" }!["ensemble_corr"] as! Double) }
        XCTAssertEqual(Set(ens.prefix(3)).count, 3)
        XCTAssertEqual(ens[3], ens[0])
        // Flips are exactly the comparisons whose sign differs from the baseline's.
        let flips = json["flips"] as! [String: [String]]
        let base = settings[0]["comparisons"] as! [String: Any]
        for (name, value) in base {
            let flipped = settings.dropFirst().filter { s in
                let v = (s["comparisons"] as! [String: Any])[name] as? Double
                return (v.map { $0 > 0 } ?? false) != (((value as? Double) ?? 0) > 0)
            }.map { $0["label"] as! String }
            XCTAssertEqual(flips[name] ?? [], flipped, name)
        }
        let markdown = try String(contentsOf: out.appendingPathComponent("sensitivity.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("| regimeStrength=2 |"), markdown)
        XCTAssertTrue(markdown.contains("seeds ensemble − benchmark"), markdown)
        XCTAssertTrue(r.stdout.contains("sensitivity.md"))
    }

    func testGridRunsEveryCombination() throws {
        let study = write("tiny.json", Self.tinyStudy.replacingOccurrences(of: "\"models\": 3", with: "\"models\": 2"))
        let out = dir.appendingPathComponent("grid")
        let r = try TestSupport.workbench(["sensitivity", study, "--vary", "noise=1,4", "--vary", "targetWindow=1,8",
                                           "--grid", "--out", out.path, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("sensitivity.json"))) as! [String: Any]
        XCTAssertEqual((json["settings"] as! [[String: Any]]).map { $0["label"] as! String },
                       ["baseline", "noise=1+targetWindow=1", "noise=1+targetWindow=8", "noise=4+targetWindow=1", "noise=4+targetWindow=8"])
    }

    func testBadInputFailsBeforeTraining() throws {
        let study = write("tiny.json", Self.tinyStudy)
        let out = dir.appendingPathComponent("bad")
        let unknown = try TestSupport.workbench(["sensitivity", study, "--vary", "regimeStrenght=1", "--out", out.path])
        XCTAssertEqual(unknown.status, 2, unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("unknown generator setting 'regimeStrenght'"), unknown.stderr)
        let invalid = try TestSupport.workbench(["sensitivity", study, "--vary", "targetWindow=4,0", "--out", out.path])
        XCTAssertEqual(invalid.status, 1, invalid.stderr)
        XCTAssertTrue(invalid.stderr.contains("targetWindow=0") && invalid.stderr.contains("v2.targetWindow"), invalid.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("baseline").path))
        let files = write("files.json", #"{"name": "f", "data": "x.h5", "models": 1}"#)
        let noSynthetic = try TestSupport.workbench(["sensitivity", files, "--vary", "noise=1", "--out", out.path])
        XCTAssertNotEqual(noSynthetic.status, 0)
        let none = try TestSupport.workbench(["sensitivity", study])
        XCTAssertEqual(none.status, 2)
    }
}
