import XCTest
import Foundation
import TestSupport

/// `workbench sensitivity`: one study rerun across generator settings, headline table, sign flips.
final class SensitivityCommandTests: XCTestCase {
    var dir: URL!
    override func setUp() { dir = TestSupport.temporaryDirectory("e2e-sensitivity") }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func write(_ name: String, _ text: String) -> String { TestSupport.write(text, to: name, in: dir) }

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
        // The verdicts are each setting's own contrasts (paired, Holm, TOST), mapped onto four words.
        let verdicts = json["verdicts"] as! [String: Any]
        XCTAssertEqual(verdicts["replicated"] as? Bool, false)
        for s in verdicts["settings"] as! [[String: Any]] {
            let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf:
                out.appendingPathComponent("\(s["label"] as! String)/metrics.json"))) as! [String: Any]
            let own = metrics["contrasts"] as! [[String: Any]]
            let mine = s["contrasts"] as! [[String: Any]]
            XCTAssertEqual(mine.map { $0["name"] as! String }, own.map { $0["name"] as! String })
            for (m, o) in zip(mine, own) {
                XCTAssertEqual(m["tool_verdict"] as! String, o["verdict"] as! String)
                XCTAssertEqual(m["mean"] as! Double, o["mean"] as! Double)
                XCTAssertEqual(m["p_holm"] as? Double, o["p_holm"] as? Double)
                XCTAssertEqual(m["tost_p_holm"] as? Double, o["tost_p_holm"] as? Double)
                let word = Self.word(o["verdict"] as! String)
                XCTAssertEqual(m["verdict"] as! String, word)
            }
        }
        Self.assertChangesFollow(verdicts)
        let markdown = try String(contentsOf: out.appendingPathComponent("sensitivity.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("## Verdicts per setting"), markdown)
        XCTAssertTrue(markdown.contains("| regimeStrength=2 |"), markdown)
        XCTAssertTrue(markdown.contains("seeds ensemble − benchmark"), markdown)
        XCTAssertTrue(r.stdout.contains("sensitivity.md"))
    }

    /// The four verdict words, by their definition (independent of the command's mapping).
    static func word(_ tool: String) -> String {
        if tool == "better" || tool == "robust positive" { return "better" }
        if tool == "worse" || tool == "robust negative" { return "worse" }
        if tool == "equivalent" { return "equivalent" }
        return "inconclusive"
    }

    /// `changes` lists exactly the settings whose verdict word differs from the baseline's;
    /// `reversals` those where better and worse swap.
    static func assertChangesFollow(_ verdicts: [String: Any], file: StaticString = #filePath, line: UInt = #line) {
        let settings = verdicts["settings"] as! [[String: Any]]
        func word(_ s: [String: Any], _ name: String) -> String? {
            (s["contrasts"] as! [[String: Any]]).first { $0["name"] as! String == name }?["verdict"] as? String
        }
        let changes = verdicts["changes"] as! [String: [String]]
        let reversals = verdicts["reversals"] as! [String: [String]]
        for name in verdicts["contrasts"] as! [String] {
            let base = word(settings[0], name)
            let changed = settings.dropFirst().filter { word($0, name) != base }.map { $0["label"] as! String }
            XCTAssertEqual(changes[name] ?? [], changed, name, file: file, line: line)
            let reversed = settings.dropFirst().filter {
                (base == "better" && word($0, name) == "worse") || (base == "worse" && word($0, name) == "better")
            }.map { $0["label"] as! String }
            XCTAssertEqual(reversals[name] ?? [], reversed, name, file: file, line: line)
        }
    }

    /// Planted: `aux` trains on `target_aux1`, which carries exactly `target`'s signal
    /// (auxSignalCorrelation 1); with auxQuality 4 it is 4× less noisy than `target`, with 0.25 4×
    /// noisier, so the knob decides whether the aux arm beats the main arm. Three data seeds.
    static let plantedStudy = #"""
    {"name": "planted", "seed": 3, "models": 2,
     "data": {"synthetic": {"eras": 100, "rowsPerEra": 300, "features": 24, "targets": 2, "noise": 3,
                            "auxSignalCorrelation": 1, "validationFraction": 0.6, "v2": {"auxQuality": 4}}},
     "fixed": {"n_estimators": 40, "learning_rate": 0.1, "max_depth": 3, "num_leaves": 7, "colsample_bytree": 0.5},
     "benchmark": {"n_estimators": 40, "learning_rate": 0.1},
     "arms": [
       {"name": "main", "vary": {"seed": {"intRange": [0, 1000]}}},
       {"name": "aux", "vary": {"seed": {"intRange": [0, 1000]}, "target": ["target_aux1"]}}
     ],
     "contrasts": [{"a": "aux", "b": "main"}],
     "replicates": {"dataSeeds": [0, 1, 2]}}
    """#

    /// Reads a replicated setting's pooled contrast row and its replicates' verdicts, as the run wrote them.
    func pooled(_ dir: URL, _ name: String) throws -> (row: [String: Any], replicateVerdicts: [String]) {
        let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("metrics.json"))) as! [String: Any]
        let row = (metrics["replicates"] as! [[String: Any]]).first { $0["name"] as! String == name }!
        let reps = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("replicates.json"))) as! [String: Any]
        let verdicts = try (reps["replicates"] as! [[String: Any]]).map { r -> String in
            let m = try JSONSerialization.jsonObject(with: Data(contentsOf:
                dir.appendingPathComponent(r["directory"] as! String).appendingPathComponent("metrics.json"))) as! [String: Any]
            return (m["contrasts"] as! [[String: Any]]).first { $0["name"] as! String == name }!["verdict"] as! String
        }
        return (row, verdicts)
    }

    func testPlantedAuxQualityFlipsTheVerdictOfTheAuxArm() throws {
        let study = write("planted.json", Self.plantedStudy)
        let out = dir.appendingPathComponent("planted")
        let r = try TestSupport.workbench(["sensitivity", study, "--vary", "auxQuality=0.25", "--out", out.path, "--quiet", "--jobs", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("sensitivity.json"))) as! [String: Any]
        let verdicts = json["verdicts"] as! [String: Any]
        XCTAssertEqual(verdicts["replicated"] as? Bool, true)
        let settings = verdicts["settings"] as! [[String: Any]]
        XCTAssertEqual(settings.map { $0["label"] as! String }, ["baseline", "auxQuality=0.25"])
        // Each cell is the setting's own pooled row (DerSimonian–Laird, Holm) and replicate verdicts.
        for s in settings {
            let dir = out.appendingPathComponent(s["label"] as! String)
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("studies/\(s["label"] as! String).json").path))
            for c in s["contrasts"] as! [[String: Any]] {
                let (row, reps) = try pooled(dir, c["name"] as! String)
                XCTAssertEqual(c["tool_verdict"] as! String, row["verdict_holm"] as! String)
                XCTAssertEqual(c["verdict"] as! String, Self.word(row["verdict_holm"] as! String))
                XCTAssertEqual(c["mean"] as! Double, (row["random"] as! [String: Any])["mean"] as! Double)
                XCTAssertEqual(c["p_holm"] as? Double, row["p_holm"] as? Double)
                XCTAssertEqual(c["tost_p_holm"] as? Double, row["tost_p_holm"] as? Double)
                XCTAssertEqual(c["sign_agreement"] as? Int, row["sign_agreement"] as? Int)
                var counts: [String: Int] = [:]
                for v in reps { counts[Self.word(v), default: 0] += 1 }
                XCTAssertEqual(c["replicate_verdicts"] as? [String: Int], counts)
            }
        }
        func verdict(_ i: Int) -> String {
            ((settings[i]["contrasts"] as! [[String: Any]]).first { $0["name"] as! String == "aux − main" }!["verdict"] as! String)
        }
        // The planted effect is found both ways, and the flip is reported as a reversal.
        XCTAssertEqual(verdict(0), "better")
        XCTAssertEqual(verdict(1), "worse")
        XCTAssertEqual((verdicts["reversals"] as! [String: [String]])["aux − main"], ["auxQuality=0.25"])
        Self.assertChangesFollow(verdicts)
        let markdown = try String(contentsOf: out.appendingPathComponent("sensitivity.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("| `aux − main` | **better**"), markdown)
        XCTAssertTrue(markdown.contains("| **reverses** |"), markdown)
        XCTAssertTrue(markdown.contains("- `aux − main`: better at the baseline; worse at auxQuality=0.25."), markdown)
    }

    func testKnobThatChangesNothingTheArmsUseFlipsNoVerdict() throws {
        // Both arms train on and are scored by `target`; auxQuality moves only `target_aux1`, so every
        // setting's numbers must equal the baseline's and no verdict may change.
        let study = write("null.json", Self.plantedStudy
            .replacingOccurrences(of: #""target": ["target_aux1"]"#, with: #""n_estimators": [10]"#)
            .replacingOccurrences(of: #"{"name": "aux","#, with: #"{"name": "shallow","#)
            .replacingOccurrences(of: #"{"a": "aux", "b": "main"}"#, with: #"{"a": "shallow", "b": "main"}"#))
        let out = dir.appendingPathComponent("null")
        let r = try TestSupport.workbench(["sensitivity", study, "--vary", "auxQuality=0.25,1", "--out", out.path, "--quiet", "--jobs", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("sensitivity.json"))) as! [String: Any]
        let verdicts = json["verdicts"] as! [String: Any]
        let settings = verdicts["settings"] as! [[String: Any]]
        XCTAssertEqual(settings.count, 3)
        XCTAssertTrue((verdicts["contrasts"] as! [String]).contains("shallow − main"))
        for s in settings.dropFirst() {
            for (c, b) in zip(s["contrasts"] as! [[String: Any]], settings[0]["contrasts"] as! [[String: Any]]) {
                XCTAssertEqual(c["mean"] as? Double, b["mean"] as? Double, c["name"] as! String)
                XCTAssertEqual(c["verdict"] as! String, b["verdict"] as! String, c["name"] as! String)
            }
        }
        XCTAssertTrue((verdicts["changes"] as! [String: [String]]).isEmpty)
        XCTAssertTrue((verdicts["reversals"] as! [String: [String]]).isEmpty)
        let markdown = try String(contentsOf: out.appendingPathComponent("sensitivity.md"), encoding: .utf8)
        let n = (verdicts["contrasts"] as! [String]).count
        XCTAssertTrue(markdown.contains("\(n) of \(n) contrasts keep their baseline verdict at every setting."), markdown)
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
