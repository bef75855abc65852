import Foundation
import XCTest
@testable import Boosting
import EraData
import Support
import TestSupport

/// Our trainer against LightGBM 4.7 on identical bins and targets.
final class LightGBMParityTests: XCTestCase {
    static let small = TestData.synthetic(eras: 40, rowsPerEra: 500, features: 30)

    /// `context` leads every failure message (which case of a loop failed).
    func compareTrees(_ ours: Booster, _ theirs: LightGBMOracle.Result, features: [Int], count: Int,
                      context: String = "", file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(ours.trees.count, theirs.trees.count, "\(context)tree count", file: file, line: line)
        for t in 0..<min(count, ours.trees.count, theirs.trees.count) {
            let a = ours.trees[t], b = theirs.trees[t]
            XCTAssertEqual(a.splitFeature.map { Int($0) }, b.split_feature.map { features[$0] },
                           "\(context)tree \(t) split features", file: file, line: line)
            XCTAssertEqual(a.threshold, b.threshold, "\(context)tree \(t) thresholds", file: file, line: line)
            XCTAssertEqual(a.leafValue.count, b.leaf_value.count, "\(context)tree \(t) leaves", file: file, line: line)
            for (x, y) in zip(a.leafValue, b.leaf_value) {
                XCTAssertEqual(x, y, accuracy: 1e-9 + 1e-6 * abs(y), "\(context)tree \(t) leaf values",
                               file: file, line: line)
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

extension LightGBMParityTests {
    /// Column sampling, bagging, seeds, L1/L2, min_split_gain, max_bin < 5: LightGBM's random
    /// generator is reproduced, so every tree matches, not just the first.
    func testSampledConfigurationsMatchLightGBMTreeForTree() throws {
        let d = Self.small
        let train = d.rows(in: .train), valid = d.rows(in: .validation)
        let features = Array(stride(from: 0, to: d.featureCount, by: 1))
        let configurations: [[String: Double]] = [
            ["learning_rate": 0.05, "n_estimators": 40, "colsample_bytree": 0.3, "seed": 42],
            ["learning_rate": 0.2, "n_estimators": 30, "subsample": 0.7, "subsample_freq": 1, "seed": 7,
             "num_leaves": 8, "max_depth": 3],
            ["learning_rate": 0.1, "n_estimators": 30, "subsample": 0.5, "subsample_freq": 3,
             "colsample_bytree": 0.5, "reg_lambda": 50, "reg_alpha": 2, "min_child_samples": 100],
            ["learning_rate": 0.3, "n_estimators": 25, "max_bin": 3, "min_split_gain": 0.01, "num_leaves": 24],
            ["learning_rate": 0.3, "n_estimators": 25, "max_bin": 2, "colsample_bytree": 0.2, "seed": 3],
            ["learning_rate": 0.3, "n_estimators": 25, "max_bin": 4, "min_child_samples": 1, "num_leaves": 31],
        ]
        for params in configurations {
            let ours = try Trainer.train(dataset: d, rows: train, features: features, target: 0,
                                         parameters: BoostingParameters(params))
            let theirs = try LightGBMOracle.train(dataset: d, trainRows: train, predictRows: valid,
                                                  features: features, target: 0, parameters: params)
            compareTrees(ours, theirs, features: features, count: ours.trees.count)
            let p = ours.predict(dataset: d, rows: valid)
            let maxDiff = zip(p, theirs.predictions).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThan(maxDiff, 1e-9, "predictions for \(params)")
        }
    }

    /// A feature subset in a non-trivial order, and an era subset with NaN targets (aux target).
    func testFeatureAndEraSubsetsMatchLightGBM() throws {
        let d = Self.small
        let eras = Set(d.eraIndices(in: .train).filter { $0 % 3 != 0 })
        let train = d.rows(inEras: eras), valid = d.rows(in: .validation)
        let features = [3, 17, 5, 22, 9, 11, 28, 0]
        let params: [String: Double] = ["learning_rate": 0.1, "n_estimators": 40, "num_leaves": 12,
                                        "colsample_bytree": 0.6, "seed": 11]
        let ours = try Trainer.train(dataset: d, rows: train, features: features, target: 1,
                                     parameters: BoostingParameters(params))
        let theirs = try LightGBMOracle.train(dataset: d, trainRows: train, predictRows: valid, features: features,
                                              target: 1, parameters: params)
        compareTrees(ours, theirs, features: features, count: ours.trees.count)
    }
}

extension LightGBMParityTests {
    /// A dataset whose features have skewed, data-dependent value counts (rare values, empty
    /// values, nearly constant features) to exercise LightGBM's greedy bin merging: `levels`
    /// values, or 16 for the features `wide` picks.
    static func skewed(rows: Int, features: Int, seed: UInt64, levels: Int = 5,
                       wide: (Int) -> Bool = { _ in false }) -> Dataset {
        var rng = SplitMix64(seed: seed)
        let columns = FeatureColumns(rowCount: rows, featureCount: features)
        var signal = [Double](repeating: 0, count: rows)
        let levelsOf = (0..<features).map { wide($0) ? 16 : levels }
        for f in 0..<features {
            let levels = levelsOf[f]
            var weights = (0..<levels).map { _ in pow(rng.nextUnit(), 3) + (f % 7 == 0 ? 0 : 0.001) }
            if f % 5 == 1 { weights[0] = 50 }              // mostly zeros
            if f % 9 == 2 { weights[2] = 0 }               // a value that never occurs
            if f % 11 == 3 { weights = [Double](repeating: 1e-4, count: levels); weights[1] = 1 }  // nearly constant
            let total = weights.reduce(0, +)
            let effect = rng.nextGaussian()
            for r in 0..<rows {
                var u = rng.nextUnit() * total, b = 0
                while b < levels - 1 && u >= weights[b] { u -= weights[b]; b += 1 }
                columns.storage[f * rows + r] = UInt8(b)
                signal[r] += effect * sin(Double(b))
            }
        }
        let target = (0..<rows).map { Float(signal[$0] * 0.1 + rng.nextGaussian()) }
        return Dataset(features: columns, featureNames: (0..<features).map { "f\($0)" },
                       binCounts: levelsOf, targetNames: ["target"],
                       targets: [target], eras: ["era1"], eraOfRow: [Int32](repeating: 0, count: rows),
                       ids: (0..<rows).map { "r\($0)" }, splitOfRow: [Split](repeating: .train, count: rows))
    }

    static let binDumpScript = TestSupport.oracleScript("BoostingTests/LightGBMParityTests-binDumpScript.py")

    /// LightGBM's grouping of the values 0..4 per feature (nil: feature dropped as trivial).
    func lightGBMGroups(_ d: Dataset, maxBin: Int, seed: Int?) throws -> [[[Int]]?] {
        let dir = TestSupport.temporaryDirectory("bins")
        defer { try? FileManager.default.removeItem(at: dir) }
        let rows = Array(0..<Int32(d.rowCount)), features = Array(0..<d.featureCount)
        try LightGBMOracle.writeMatrix(d, rows: rows, features: features, target: 0,
                                       to: dir.appendingPathComponent("train"))
        let r = try TestSupport.python(Self.binDumpScript,
                                       [dir.path, String(d.featureCount), String(maxBin), seed.map(String.init) ?? "none"])
        XCTAssertEqual(r.status, 0, r.stderr)
        return try JSONDecoder().decode([[[Int]]?].self, from: Data(contentsOf: dir.appendingPathComponent("groups.json")))
    }

    /// Our grouping of the values present in the data (what LightGBM's dump can show).
    func ourGroups(_ d: Dataset, maxBin: Int, seed: Int?) throws -> [[[Int]]?] {
        var p = BoostingParameters(); p.maxBin = maxBin; p.seed = seed
        let rows = Array(0..<Int32(d.rowCount)), features = Array(0..<d.featureCount)
        let binning = ModelBinning.build(dataset: d, rows: rows, features: features, parameters: p,
                                         seeds: LightGBMSeeds(seed: seed))
        return features.map { f in
            let b = binning.features[f]
            if b.isTrivial { return nil }
            let present = Set(rows.map { Int(d.features[Int($0), f]) })
            var groups: [Int: [Int]] = [:]
            for v in present.sorted() { groups[Int(b.binOfDatasetBin[v]), default: []].append(v) }
            return groups.values.sorted { $0[0] < $1[0] }
        }
    }

    func testBinBoundariesMatchLightGBMForSmallMaxBin() throws {
        let d = Self.skewed(rows: 6_000, features: 40, seed: 1)
        for maxBin in [2, 3, 4, 5] {
            let theirs = try lightGBMGroups(d, maxBin: maxBin, seed: nil)
            let ours = try ourGroups(d, maxBin: maxBin, seed: nil)
            for f in 0..<d.featureCount {
                XCTAssertEqual(ours[f], theirs[f], "max_bin \(maxBin) feature \(f)")
            }
        }
    }

    /// Above 200 000 rows LightGBM bins from a sample drawn with its own generator and `seed`.
    func testBinBoundariesFromLightGBMsSampleOnLargeData() throws {
        let d = Self.skewed(rows: 230_000, features: 12, seed: 2)
        for (maxBin, seed) in [(3, 5), (4, nil)] as [(Int, Int?)] {
            let theirs = try lightGBMGroups(d, maxBin: maxBin, seed: seed)
            let ours = try ourGroups(d, maxBin: maxBin, seed: seed)
            XCTAssertEqual(ours.count, theirs.count)
            for f in 0..<d.featureCount {
                XCTAssertEqual(ours[f], theirs[f], "max_bin \(maxBin) feature \(f)")
            }
        }
    }
}

extension LightGBMParityTests {
    /// Features with 16 values use the general histogram kernel; max_bin 6 merges them greedily.
    func testManyBinFeaturesMatchLightGBM() throws {
        let d = Self.skewed(rows: 8_000, features: 20, seed: 3, levels: 16)
        let rows = Array(0..<Int32(6_000)), valid = Array(Int32(6_000)..<Int32(8_000))
        let features = Array(0..<d.featureCount)
        for maxBin in [255, 6] {
            let params: [String: Double] = ["learning_rate": 0.1, "n_estimators": 30, "num_leaves": 20,
                                            "max_bin": Double(maxBin), "min_child_samples": 10]
            let ours = try Trainer.train(dataset: d, rows: rows, features: features, target: 0,
                                         parameters: BoostingParameters(params))
            let theirs = try LightGBMOracle.train(dataset: d, trainRows: rows, predictRows: valid,
                                                  features: features, target: 0, parameters: params)
            compareTrees(ours, theirs, features: features, count: ours.trees.count)
            XCTAssertGreaterThan(Set(ours.trees.flatMap { $0.thresholdBin }).count, 5, "uses many thresholds")
        }
    }

    /// The trainer packs a tree's sampled 0–4 features two to a byte (`TreeGrower.leafColumns`):
    /// 0–4 features between 16-value ones, an odd number of them (one left unpaired), every
    /// feature or a sample of them, with the rows consecutive (the root's unpaired columns read
    /// from the dataset, its pairs packed from it) or bagged (every slot gathered), at 1 and 2
    /// threads (at the root, 60,000 rows × 20 slots: the partition's threaded chain, where dataset
    /// columns and packed ones mix): every tree as LightGBM's, and splits on both nibbles of a byte.
    /// Both histogram paths: at 60,000 rows they sum 64-bit gradients, at 150,000 the 32-bit parts
    /// (`FixedPoint.block32 > 0`: the byte-plane kernels, what a Numerai-sized model runs).
    func testPackedFeaturePairsMatchLightGBM() throws {
        for (trainRows, gradientParts) in [(60_000, 64), (150_000, 32)] {
            try checkPackedFeaturePairs(trainRows: trainRows, gradientParts: gradientParts)
        }
    }

    private func checkPackedFeaturePairs(trainRows: Int, gradientParts: Int) throws {
        let d = Self.skewed(rows: trainRows + 10_000, features: 31, seed: 5, wide: { $0 % 4 == 1 })
        let rows = Array(0..<Int32(trainRows)), valid = Array(Int32(trainRows)..<Int32(trainRows + 10_000))
        // The first tree's gradients (L2 from the mean) decide which histogram path it takes.
        let y = d.targets[0][0..<trainRows].map(Double.init), mean = y.reduce(0, +) / Double(trainRows)
        let fixed = FixedPoint(rows: trainRows, maxAbsGradient: y.map { abs($0 - mean) }.max()!)
        XCTAssertEqual(fixed.block32 > 0 ? 32 : 64, gradientParts, "the histograms' gradient parts")
        let features = Array(0..<d.featureCount)
        let fives = features.filter { d.binCounts[$0] == 5 }
        XCTAssertEqual(fives.count, 23, "an odd number of 0–4 features: 11 pairs and one alone, 8 others")
        let pairs = stride(from: 0, to: fives.count - 1, by: 2).map { (Int32(fives[$0]), Int32(fives[$0 + 1])) }
        let configurations: [[String: Double]] = [
            ["learning_rate": 0.1, "n_estimators": 25, "num_leaves": 20, "min_child_samples": 10],
            ["learning_rate": 0.1, "n_estimators": 25, "num_leaves": 16, "colsample_bytree": 0.6, "seed": 4,
             "subsample": 0.7, "subsample_freq": 1],
            ["learning_rate": 0.2, "n_estimators": 25, "num_leaves": 31, "colsample_bytree": 0.5, "seed": 9],
        ]
        for params in configurations {
            let theirs = try LightGBMOracle.train(dataset: d, trainRows: rows, predictRows: valid,
                                                  features: features, target: 0, parameters: params)
            for threads in [1, 2] {
                let ours = try Trainer.train(dataset: d, rows: rows, features: features, target: 0,
                                             parameters: BoostingParameters(params), threads: threads)
                let context = "\(trainRows) rows, \(threads) threads, \(params): "
                compareTrees(ours, theirs, features: features, count: ours.trees.count, context: context)
                // With every feature sampled, the pairs are fixed: some pair has splits on both nibbles.
                let split = Set(ours.trees.flatMap { $0.splitFeature })
                if params["colsample_bytree"] == nil {
                    XCTAssertTrue(pairs.contains { split.contains($0.0) && split.contains($0.1) }, context)
                }
            }
        }
    }
}
