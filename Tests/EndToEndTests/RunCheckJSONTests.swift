import Foundation
import TestSupport
import XCTest

/// `workbench run STUDY --check --json`: the check as JSON in the one `--json` style, checked by
/// Python's json module and h5py against the study and data files (RunCheckJSONTests-Check.py);
/// a study that fails the check gives `valid: false` with the errors, and the same exit code and
/// message as without `--json`.
final class RunCheckJSONTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws { root = TestSupport.temporaryDirectory("check-json") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    /// Two arms: a grid whose num_leaves choice exceeds some drawn depths (clamped, counted), and
    /// a continuous arm dropping eras and features.
    static let study = """
    {
      "name": "check-json",
      "data": "d.h5",
      "seed": 7,
      "models": 3,
      "fixed": {"n_estimators": 20},
      "arms": [
        {"name": "grid", "models": 6, "fixed": {"learning_rate": 0.1},
         "vary": {"max_depth": {"intRange": [2, 5]}, "colsample_bytree": [0.5, 0.75], "num_leaves": [7, 64]}},
        {"name": "drops", "vary": {"learning_rate": {"logUniform": [0.01, 0.3]}},
         "dropEras": {"fraction": 0.25}, "dropFeatures": {"fraction": 0.25}}
      ]
    }
    """

    func testCheckAsJSONMatchesTheStudyAndTheData() throws {
        let synth = try TestSupport.workbench(["data", "synth", "-o", path("d.h5"), "--eras", "60", "--rows-per-era", "40",
                                               "--features", "8", "--targets", "2", "-q"])
        XCTAssertEqual(synth.status, 0, synth.stderr)
        try Self.study.write(toFile: path("s.json"), atomically: true, encoding: .utf8)
        let check = try TestSupport.workbench(["run", path("s.json"), "--check", "--json", "-j", "3"])
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertEqual(check.stderr, "", "no progress or text beside the JSON")
        let models = try TestSupport.workbench(["run", path("s.json"), "--check", "--json", "--models", "-j", "3"])
        XCTAssertEqual(models.status, 0, models.stderr)
        try check.stdout.write(toFile: path("check.json"), atomically: true, encoding: .utf8)
        try models.stdout.write(toFile: path("models.json"), atomically: true, encoding: .utf8)
        let oracle = try TestSupport.pythonOracle("EndToEndTests/RunCheckJSONTests-Check.py",
                                                  [path("s.json"), path("d.h5"), path("check.json"), path("models.json"), "3"])
        XCTAssertEqual(oracle.status, 0, oracle.stderr)
        let errors = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(oracle.stdout.utf8)) as? [String: Any])["errors"] as? [String]
        XCTAssertEqual(errors, [], (errors ?? []).joined(separator: "\n"))

        // The same facts as the text check: the memory line, the hash, the clamp count.
        let text = try TestSupport.workbench(["run", path("s.json"), "--check", "-j", "3"])
        XCTAssertEqual(text.status, 0, text.stderr)
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any])
        let bytes = try XCTUnwrap(doc["memory_bytes"] as? Int)
        XCTAssertTrue(text.stdout.contains(String(format: "memory: about %.0f MB at --jobs 3", Double(bytes) / 1e6)), text.stdout)
        XCTAssertTrue(text.stdout.contains("(hash \(try XCTUnwrap(doc["hash"] as? String)))"), text.stdout)
        let grid = try XCTUnwrap((doc["arms"] as? [[String: Any]])?.first)
        let adjusted = try XCTUnwrap(grid["constraint_adjusted"] as? Int)
        if adjusted > 0 {
            XCTAssertTrue(text.stdout.contains("adjusted \(adjusted) of 6 models"), text.stdout)
        } else {
            XCTAssertFalse(text.stdout.contains("adjusted"), text.stdout)
        }
        XCTAssertTrue(text.stdout.contains("distinct configurations in the grid: \(try XCTUnwrap(grid["distinct_configurations"] as? Int))"))
    }

    func testFailedCheckIsValidFalseWithTheErrorsAndTheSameExit() throws {
        let synth = try TestSupport.workbench(["data", "synth", "-o", path("d.h5"), "--eras", "60", "--rows-per-era", "40",
                                               "--features", "8", "-q"])
        XCTAssertEqual(synth.status, 0, synth.stderr)
        try Self.study.replacingOccurrences(of: #""learning_rate": {"logUniform""#, with: #""learning_rat": {"logUniform""#)
            .replacingOccurrences(of: #""n_estimators": 20"#, with: #""n_estimators": -1"#)
            .write(toFile: path("bad.json"), atomically: true, encoding: .utf8)
        let plain = try TestSupport.workbench(["run", path("bad.json"), "--check"])
        let json = try TestSupport.workbench(["run", path("bad.json"), "--check", "--json"])
        XCTAssertNotEqual(plain.status, 0)
        XCTAssertEqual(json.status, plain.status)
        XCTAssertEqual(json.stderr, plain.stderr, "the same message on stderr")
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], json.stdout)
        XCTAssertEqual(doc["valid"] as? Bool, false)
        XCTAssertEqual(doc["exit_code"] as? Int, Int(plain.status))
        let errors = try XCTUnwrap(doc["errors"] as? [String]).joined(separator: "\n")
        XCTAssertTrue(errors.contains("$.arms[1].vary.learning_rat"), errors)
        XCTAssertTrue(errors.contains("did you mean 'learning_rate'"), errors)
        XCTAssertTrue(errors.contains("n_estimators"), "every problem at once: \(errors)")
        XCTAssertEqual("error: " + errors + "\n", plain.stderr)

        let missing = try TestSupport.workbench(["run", path("none.json"), "--check", "--json"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(missing.stdout.utf8)) as? [String: Any])?["valid"] as? Bool, false)

        let noCheck = try TestSupport.workbench(["run", path("bad.json"), "--json"])
        XCTAssertEqual(noCheck.status, 2)
        XCTAssertTrue(noCheck.stderr.contains("--json prints the check and needs --check"), noCheck.stderr)
        XCTAssertEqual(noCheck.stdout, "")
    }
}
