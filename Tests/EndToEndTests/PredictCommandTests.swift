import XCTest
import TestSupport

/// Runs the built `workbench predict`: LightGBM trains models in Python on raw data, and its own
/// `Booster.predict` is the oracle for what our predictions must be.
final class PredictCommandTests: XCTestCase {
    var directory: URL!
    override func setUp() { directory = TestSupport.temporaryDirectory("e2e-predict") }
    override func tearDown() { try? FileManager.default.removeItem(at: directory) }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Writes Numerai-layout data (CSV with float features, or parquet with int8 0..4 features and
    /// no target columns in the live file), trains LightGBM on it, saves the text model and the
    /// oracle predictions of the rows `workbench predict` is asked for.
    static let oracle = TestSupport.oracleScript("EndToEndTests/PredictCommandTests-oracle.py")

    static let compare = TestSupport.oracleScript("EndToEndTests/PredictCommandTests-compare.py")

    func maxDiff(_ ours: String, _ theirs: String) throws -> (diff: Double, rows: Int) {
        let result = try TestSupport.python(Self.compare, [ours, theirs])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        return (json["max_diff"] as! Double, json["rows"] as! Int)
    }

    func testLightGBMModelOnFloatCSVPredictsWhatLightGBMDoes() throws {
        let oracle = try TestSupport.python(Self.oracle, ["csv", directory.path])
        XCTAssertEqual(oracle.status, 0, oracle.stderr)
        let out = path("p.csv")
        // A live file alone: no target column; floats binned at read but predicted from raw values.
        let result = try TestSupport.workbench(["predict", "--model", path("model.txt"), path("live.csv"), "--out", out])
        XCTAssertEqual(result.status, 0, result.stderr)
        let (diff, rows) = try maxDiff(out, path("expected.csv"))
        XCTAssertEqual(rows, 1000)
        // Raw float values through LightGBM's numerical decision, trees summed in LightGBM's order.
        XCTAssertLessThanOrEqual(diff, 1e-12)
    }

    func testLightGBMModelOnNumeraiParquetAndSubmissionFormat() throws {
        let oracle = try TestSupport.python(Self.oracle, ["parquet", directory.path])
        XCTAssertEqual(oracle.status, 0, oracle.stderr)
        let out = path("p.csv")
        let result = try TestSupport.workbench(["predict", "--model", path("model.txt"), path("train.parquet"),
                                                path("live.parquet"), "--split", "live", "--out", out])
        XCTAssertEqual(result.status, 0, result.stderr)
        let (diff, rows) = try maxDiff(out, path("expected.csv"))
        XCTAssertEqual(rows, 1000)
        XCTAssertLessThanOrEqual(diff, 1e-12)

        // --submission: the same order, as percentile ranks strictly inside (0, 1).
        let submission = try TestSupport.workbench(["predict", "--model", path("model.txt"), path("live.parquet"),
                                                    "--submission"])
        XCTAssertEqual(submission.status, 0, submission.stderr)
        let lines = submission.stdout.split(separator: "\n")
        XCTAssertEqual(lines.first, "id,prediction")
        XCTAssertEqual(lines.count, 1001)
        let raw = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { Double($0.split(separator: ",")[1])! }
        let ranks = lines.dropFirst().map { Double($0.split(separator: ",")[1])! }
        XCTAssertTrue(ranks.allSatisfy { $0 > 0 && $0 < 1 })
        for i in 1..<raw.count where raw[i] != raw[i - 1] {
            XCTAssertEqual(raw[i] < raw[i - 1], ranks[i] < ranks[i - 1], "rank order at row \(i)")
        }
    }

    func testOwnModelOnItsDatasetEqualsTrainPredictionsAndErrorsAreClear() throws {
        let data = path("d.h5")
        XCTAssertEqual(try TestSupport.workbench(["data", "synth", "--out", data, "--eras", "30", "--rows-per-era", "150",
                                                  "--features", "10"]).status, 0)
        let trained = path("v.csv"), model = path("m.wbm")
        let train = try TestSupport.workbench(["train", "--data", data, "--params", #"{"n_estimators": 30, "num_leaves": 7}"#,
                                               "--predictions", trained, "--model", model])
        XCTAssertEqual(train.status, 0, train.stderr)
        let predicted = try TestSupport.workbench(["predict", "--model", model, data, "--split", "validation"])
        XCTAssertEqual(predicted.status, 0, predicted.stderr)
        XCTAssertEqual(predicted.stdout, try String(contentsOfFile: trained, encoding: .utf8))

        let missing = try TestSupport.workbench(["predict", "--model", path("none.wbm"), data])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("none.wbm: no such file"), missing.stderr)
        let badSplit = try TestSupport.workbench(["predict", "--model", model, data, "--split", "holdout"])
        XCTAssertEqual(badSplit.status, 2)
        XCTAssertTrue(badSplit.stderr.contains("unknown --split 'holdout'"), badSplit.stderr)
        // A model whose features the data lacks: named, nothing written.
        let other = path("other.h5"), out = path("p.csv")
        XCTAssertEqual(try TestSupport.workbench(["data", "synth", "--out", other, "--eras", "10", "--features", "3"]).status, 0)
        let mismatch = try TestSupport.workbench(["predict", "--model", model, other, "--out", out])
        XCTAssertEqual(mismatch.status, 1)
        XCTAssertTrue(mismatch.stderr.contains("lacks"), mismatch.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    /// `train`, `score` and `predict` all take a Numerai parquet directory as their data.
    func testTrainScorePredictOnANumeraiDirectory() throws {
        let make = try TestSupport.python(TestSupport.oracleScript("EndToEndTests/PredictCommandTests-TrainScorePredictOnANumeraiDirectory.py"), [path("numerai")])
        XCTAssertEqual(make.status, 0, make.stderr)
        let data = path("numerai"), trained = path("v.csv"), model = path("m.wbm")
        let train = try TestSupport.workbench(["train", "--data", data, "--params", #"{"n_estimators": 30}"#, "--json",
                                               "--predictions", trained, "--model", model])
        XCTAssertEqual(train.status, 0, train.stderr)
        let fit = try JSONSerialization.jsonObject(with: Data(train.stdout.utf8)) as! [String: Any]
        let score = try TestSupport.workbench(["score", "--data", data, "--predictions", trained, "--json"])
        XCTAssertEqual(score.status, 0, score.stderr)
        let scored = try JSONSerialization.jsonObject(with: Data(score.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(fit["corr_mean"] as! Double, scored["corr_mean"] as! Double, accuracy: 1e-12)
        XCTAssertGreaterThan(fit["corr_mean"] as! Double, 0.2, "the planted signal is found")
        let predicted = try TestSupport.workbench(["predict", "--model", model, data, "--split", "validation"])
        XCTAssertEqual(predicted.status, 0, predicted.stderr)
        XCTAssertEqual(predicted.stdout, try String(contentsOfFile: trained, encoding: .utf8))
    }
}
