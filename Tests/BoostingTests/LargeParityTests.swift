import Foundation
import XCTest
@testable import Boosting
import EraData
import TestSupport
import Support

/// Numerai-sized checks against LightGBM: ≥ 200k training rows × 300 features.
final class LargeParityTests: XCTestCase {
    /// 105 train eras × 2000 rows = 210k rows, 35 validation eras, 300 features.
    static let data = SyntheticGenerator.generate(
        SyntheticConfig(eras: 140, rowsPerEra: 2_000, features: 300, targets: 2, seed: 20, noise: 4))

    func check(_ params: [String: Double], target: Int = 0, file: StaticString = #filePath, line: UInt = #line) throws {
        let d = Self.data
        let train = d.rows(in: .train), valid = d.rows(in: .validation)
        XCTAssertGreaterThanOrEqual(train.count, 200_000)
        let features = Array(0..<d.featureCount)
        let started = Date()
        let ours = try Trainer.train(dataset: d, rows: train, features: features, target: target,
                                     parameters: BoostingParameters(params))
        let ourSeconds = Date().timeIntervalSince(started)
        let theirs = try LightGBMOracle.train(dataset: d, trainRows: train, predictRows: valid, features: features,
                                              target: target, parameters: params)
        let p = ours.predict(dataset: d, rows: valid)
        let ourCorr = TestData.perEraCorrelation(d, rows: valid, predictions: p, target: 0)
        let theirCorr = TestData.perEraCorrelation(d, rows: valid, predictions: theirs.predictions, target: 0)
        let maxDiff = zip(p, theirs.predictions).map { abs($0 - $1) }.max() ?? 0
        print(String(format: "params %@: trees %d/%d, corr ours %.5f lightgbm %.5f, max |Δpred| %.2e, fit %.1fs vs %.1fs",
                     "\(params)", ours.trees.count, theirs.trees.count, ourCorr, theirCorr, maxDiff,
                     ourSeconds, theirs.seconds))
        XCTAssertEqual(ourCorr, theirCorr, accuracy: 0.003, "validation per-era corr", file: file, line: line)
        XCTAssertEqual(ours.trees.count, theirs.trees.count, file: file, line: line)
        XCTAssertGreaterThanOrEqual(TestData.pearson(p, theirs.predictions), 0.999, file: file, line: line)
    }

    /// Numerai's example model: 2000 trees, lr 0.01, depth 5, 31 leaves, colsample 0.1.
    func testExampleParametersMatchLightGBM() throws {
        try check(["n_estimators": 2000, "learning_rate": 0.01, "max_depth": 5, "num_leaves": 31,
                   "colsample_bytree": 0.1])
    }

    /// Five draws from the forum post's grid (n_estimators capped at 40 to bound the test's time).
    func testRandomGridDrawsMatchLightGBM() throws {
        func linspace(_ a: Double, _ b: Double, _ n: Int) -> [Double] {
            (0..<n).map { i in i == n - 1 ? b : a + Double(i) * ((b - a) / Double(n - 1)) }
        }
        let grid: [String: [Double]] = [
            "colsample_bytree": linspace(0.001, 1, 100),
            "reg_lambda": linspace(0, 100_000, 10_000),
            "learning_rate": linspace(0.00001, 1.0, 1000),
            "max_bin": [2, 3, 4, 5],
            "max_depth": Array(2...12).map(Double.init),
            "num_leaves": linspace(2, 24, 15).map { $0.rounded(.towardZero) },
            "min_child_samples": Array(1...250).map(Double.init),
            "n_estimators": linspace(100, 25_000, 24_000).map { $0.rounded(.towardZero) },
        ]
        var rng = SplitMix64(seed: 2024)
        for _ in 0..<5 {
            var params: [String: Double] = [:]
            for key in grid.keys.sorted() {
                let values = grid[key]!
                params[key] = values[Int(rng.next() % UInt64(values.count))]
            }
            params["n_estimators"] = min(params["n_estimators"]!, 40)
            try check(params, target: Int(rng.next() % 2))
        }
    }
}
