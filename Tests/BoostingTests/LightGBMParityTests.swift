import Foundation
import XCTest
@testable import Boosting
import EraData
import TestSupport

/// Our trainer against LightGBM 4.7 on identical bins and targets.
final class LightGBMParityTests: XCTestCase {
    static let small = TestData.synthetic(eras: 40, rowsPerEra: 500, features: 30)

    func compareTrees(_ ours: Booster, _ theirs: LightGBMOracle.Result, features: [Int], count: Int,
                      file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(ours.trees.count, theirs.trees.count, "tree count", file: file, line: line)
        for t in 0..<min(count, ours.trees.count, theirs.trees.count) {
            let a = ours.trees[t], b = theirs.trees[t]
            XCTAssertEqual(a.splitFeature.map { Int($0) }, b.split_feature.map { features[$0] },
                           "tree \(t) split features", file: file, line: line)
            XCTAssertEqual(a.threshold, b.threshold, "tree \(t) thresholds", file: file, line: line)
            XCTAssertEqual(a.leafValue.count, b.leaf_value.count, file: file, line: line)
            for (x, y) in zip(a.leafValue, b.leaf_value) {
                XCTAssertEqual(x, y, accuracy: 1e-9 + 1e-6 * abs(y), "tree \(t) leaf values", file: file, line: line)
            }
        }
    }

    func testFirstTreesAndPredictionsMatchLightGBM() throws {
        let d = Self.small
        let train = d.rows(in: .train), valid = d.rows(in: .validation)
        let features = Array(0..<d.featureCount)
        let params: [String: Double] = ["learning_rate": 0.1, "n_estimators": 60, "num_leaves": 15, "max_depth": 5]
        let ours = try Trainer.train(dataset: d, rows: train, features: features, target: 0,
                                     parameters: BoostingParameters(params))
        let theirs = try LightGBMOracle.train(dataset: d, trainRows: train, predictRows: valid, features: features,
                                              target: 0, parameters: params)
        compareTrees(ours, theirs, features: features, count: 10)
        let p = ours.predict(dataset: d, rows: valid)
        XCTAssertGreaterThanOrEqual(TestData.pearson(p, theirs.predictions), 0.999)
    }
}
