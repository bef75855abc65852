import XCTest
import TestSupport

/// Runs the built `workbench train` on a synthetic dataset; LightGBM and numerai-tools check it.
final class TrainCommandTests: XCTestCase {
    var directory: URL!
    override func setUp() { directory = TestSupport.temporaryDirectory("e2e-train") }
    override func tearDown() { try? FileManager.default.removeItem(at: directory) }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func synth() throws -> String {
        let out = path("d.h5")
        let result = try TestSupport.workbench(["data", "synth", "--out", out, "--eras", "30", "--rows-per-era", "200",
                                                "--features", "12", "--targets", "2", "--seed", "5", "--noise", "2",
                                                "--generator", "v1"])   // v1: its 8 validation eras carry no regime flip
        XCTAssertEqual(result.status, 0, result.stderr)
        return out
    }

    static let params = #"{"n_estimators": 60, "learning_rate": 0.1, "num_leaves": 15, "max_depth": 4, "colsample_bytree": 0.5, "seed": 7}"#

    /// Oracle: LightGBM loads the exported model and predicts the validation rows of the dataset;
    /// numerai-tools scores the CSV per era. Prints JSON with both checks' numbers.
    static let oracle = TestSupport.oracleScript("EndToEndTests/TrainCommandTests-oracle.py")

    func testTrainWritesPredictionsModelsAndScores() throws {
        let data = try synth()
        let csv = path("p.csv"), model = path("m.wbm"), text = path("m.txt")
        let result = try TestSupport.workbench(["train", "--data", data, "--params", Self.params, "--target", "target",
                                                "--predictions", csv, "--model", model, "--lightgbm-model", text, "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(Set(json.keys), ["fit_seconds", "trees", "corr_mean", "corr_sharpe"])
        XCTAssertEqual(json["trees"] as? Int, 60)
        XCTAssertGreaterThan(json["fit_seconds"] as! Double, 0)
        let check = try TestSupport.python(Self.oracle, [data, csv, text, "target"])
        XCTAssertEqual(check.status, 0, check.stderr)
        let oracle = try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as! [String: Any]
        XCTAssertLessThan(oracle["max_diff"] as! Double, 1e-6, "LightGBM predicts the exported model identically")
        XCTAssertEqual(json["corr_mean"] as! Double, oracle["corr_mean"] as! Double, accuracy: 1e-9)
        XCTAssertEqual(json["corr_sharpe"] as! Double, oracle["corr_sharpe"] as! Double, accuracy: 1e-7)
        XCTAssertGreaterThan(json["corr_mean"] as! Double, 0.01, "the synthetic signal is learnable")
        XCTAssertTrue(FileManager.default.fileExists(atPath: model))

        // Same data and params: identical predictions at any thread count; params from a file.
        let paramsFile = path("params.json")
        try Data(Self.params.utf8).write(to: URL(fileURLWithPath: paramsFile))
        let csv2 = path("p2.csv")
        let again = try TestSupport.workbench(["train", "--data", data, "--params", paramsFile, "--predictions", csv2,
                                               "--threads", "2"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("trees       60"), again.stdout)
        XCTAssertTrue(again.stdout.contains("per-era corr mean"), again.stdout)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: csv2)), try Data(contentsOf: URL(fileURLWithPath: csv)))
    }

    func testBadParametersAreUsageErrorsNamingTheParameter() throws {
        let data = try synth()
        let csv = path("never.csv")
        let bad = try TestSupport.workbench(["train", "--data", data, "--params", #"{"num_leaves": 1}"#, "--predictions", csv])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("num_leaves"), bad.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: csv), "nothing written on failure")

        let notJSON = try TestSupport.workbench(["train", "--data", data, "--params", "{num_leaves: 3"])
        XCTAssertEqual(notJSON.status, 2, notJSON.stderr)
        XCTAssertTrue(notJSON.stderr.contains("not valid JSON"), notJSON.stderr)

        let missing = try TestSupport.workbench(["train", "--data", data, "--params", path("nope.json")])
        XCTAssertEqual(missing.status, 2, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("nope.json"), missing.stderr)

        let noTarget = try TestSupport.workbench(["train", "--data", data, "--params", "{}", "--target", "target_zzz"])
        XCTAssertNotEqual(noTarget.status, 0)
        XCTAssertTrue(noTarget.stderr.contains("target_zzz"), noTarget.stderr)
    }
}
