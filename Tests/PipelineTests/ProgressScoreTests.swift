import XCTest
import EraData
import Pipeline
import TestSupport

/// `StudyPipeline.progressScore`: the "best so far" of `workbench run`, moved out of the CLI.
final class ProgressScoreTests: XCTestCase {
    func testProgressScoreIsNumeraiToolsMeanPerEraCorr() throws {
        let dataset = SyntheticGenerator.generate(SyntheticConfig.v1Default.sized(eras: 30, rowsPerEra: 80, features: 6))
        let rows = dataset.rows(in: .validation)
        let target = dataset.targets[try XCTUnwrap(dataset.targetIndex("target"))]
        let score = try XCTUnwrap(StudyPipeline.progressScore(dataset: dataset, rows: rows, target: "target"))
        var rng = SystemRandomNumberGenerator()
        // Planted signal: the target plus noise scores well; noise alone scores near 0.
        let signal = rows.map { r -> Float in
            let t = target[Int(r)]
            return (t.isNaN ? 0.5 : t) + Float.random(in: -0.5..<0.5, using: &rng)
        }
        let noise = rows.map { _ in Float.random(in: 0..<1, using: &rng) }
        let dir = TestSupport.temporaryDirectory("progress-score")
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, predictions) in [("signal", signal), ("noise", noise)] {
            let ours = score(predictions)
            let input: [String: Any] = [
                "eras": rows.map { dataset.eras[Int(dataset.eraOfRow[Int($0)])] },
                "target": rows.map { r -> Any in target[Int(r)].isNaN ? NSNull() : Double(target[Int(r)]) },
                "predictions": predictions.map(Double.init),
            ]
            let file = dir.appendingPathComponent("\(name).json")
            try JSONSerialization.data(withJSONObject: input).write(to: file)
            let result = try TestSupport.pythonOracle("mean_numerai_corr.py", [file.path])
            XCTAssertEqual(result.status, 0, result.stderr)
            let theirs = try XCTUnwrap(Double(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
            XCTAssertEqual(ours, theirs, accuracy: 1e-9, name)
            if name == "signal" { XCTAssertGreaterThan(ours, 0.3) } else { XCTAssertLessThan(abs(ours), 0.1) }
        }
        XCTAssertNil(StudyPipeline.progressScore(dataset: dataset, rows: rows, target: "no-such-target"))
        XCTAssertNil(StudyPipeline.progressScore(dataset: dataset, rows: [], target: "target"))
    }
}
