import Foundation
import XCTest
@testable import Boosting
import EraData

/// Generator v2's calibrated levels at its defaults (200 eras × 600 rows × 300 features): the
/// example model, scaled as the studies scale it (200 trees at lr 0.1, depth 5, 31 leaves,
/// colsample 0.1), lands near 0.02–0.03 mean per-era corr; the stored true signal well above it.
final class SyntheticV2LevelsTests: XCTestCase {
    func testExampleModelAndTrueSignalLevels() throws {
        let d = SyntheticGenerator.generate(.default)
        let train = d.rows(in: .train), valid = d.rows(in: .validation)
        let model = try Trainer.train(dataset: d, rows: train, features: Array(0..<d.featureCount), target: 0,
                                      parameters: BoostingParameters(["n_estimators": 200, "learning_rate": 0.1, "max_depth": 5,
                                                                      "num_leaves": 31, "colsample_bytree": 0.1]))
        let corr = TestData.perEraCorrelation(d, rows: valid, predictions: model.predict(dataset: d, rows: valid), target: 0)
        let ceiling = TestData.perEraCorrelation(d, rows: valid, predictions: valid.map { Double(d.trueSignal![Int($0)]) }, target: 0)
        print(String(format: "v2 defaults: example model %.4f, true signal %.4f", corr, ceiling))
        XCTAssertGreaterThan(corr, 0.015)
        XCTAssertLessThan(corr, 0.04)
        XCTAssertGreaterThan(ceiling, 2.5 * corr)
        XCTAssertGreaterThan(ceiling, 0.07)
        XCTAssertLessThan(ceiling, 0.11)
    }
}
