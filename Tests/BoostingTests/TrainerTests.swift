import XCTest
@testable import Boosting
import EraData
import Support

final class TrainerTests: XCTestCase {
    static let data = TestData.synthetic(eras: 60, rowsPerEra: 800, features: 40, seed: 5)

    /// Same data, parameters and seed: bit-identical models and predictions at any thread count.
    func testDeterministicAcrossThreadCounts() throws {
        let d = Self.data
        let train = d.rows(in: .train), valid = d.rows(in: .validation)
        let params = try BoostingParameters(["learning_rate": 0.05, "n_estimators": 30, "colsample_bytree": 0.5,
                                             "subsample": 0.8, "subsample_freq": 1, "seed": 4])
        let one = try Trainer.train(dataset: d, rows: train, features: Array(0..<40), target: 0, parameters: params)
        let reference = one.predict(dataset: d, rows: valid)
        for threads in [2, 3, 4] {
            let other = try Trainer.train(dataset: d, rows: train, features: Array(0..<40), target: 0,
                                          parameters: params, threads: threads)
            XCTAssertEqual(other, one, "model at \(threads) threads")
            let p = other.predict(dataset: d, rows: valid, threads: threads)
            XCTAssertEqual(p.map { $0.bitPattern }, reference.map { $0.bitPattern }, "predictions at \(threads) threads")
        }
        let again = try Trainer.train(dataset: d, rows: train, features: Array(0..<40), target: 0, parameters: params)
        XCTAssertEqual(again, one, "same run twice")
    }

    func testSeedChangesSampledModels() throws {
        let d = Self.data
        let train = d.rows(in: .train)
        var p = try BoostingParameters(["n_estimators": 5, "colsample_bytree": 0.3])
        p.seed = 1
        let a = try Trainer.train(dataset: d, rows: train, features: Array(0..<40), target: 0, parameters: p)
        p.seed = 2
        let b = try Trainer.train(dataset: d, rows: train, features: Array(0..<40), target: 0, parameters: p)
        XCTAssertNotEqual(a.trees.map { $0.splitFeature }, b.trees.map { $0.splitFeature })
    }

    func testModelStructureInvariants() throws {
        let d = Self.data
        let train = d.rows(in: .train)
        let p = try BoostingParameters(["n_estimators": 20, "num_leaves": 13, "max_depth": 4, "min_child_samples": 30])
        let model = try Trainer.train(dataset: d, rows: train, features: Array(0..<40), target: 0, parameters: p)
        XCTAssertEqual(model.trees.count, 20)
        XCTAssertEqual(model.featureNames, d.featureNames)
        XCTAssertEqual(model.parameters, p.resolved)
        let labels = train.map { Double(d.targets[0][Int($0)]) }
        XCTAssertEqual(model.initScore, labels.reduce(0, +) / Double(labels.count), accuracy: 1e-12)
        for (t, tree) in model.trees.enumerated() {
            let nodes = tree.splitFeature.count
            XCTAssertLessThanOrEqual(tree.leafValue.count, 13)
            XCTAssertEqual(tree.leafValue.count, nodes + 1)
            XCTAssertEqual(tree.leafCount.count, tree.leafValue.count)
            XCTAssertEqual([tree.thresholdBin.count, tree.threshold.count, tree.splitGain.count, tree.leftChild.count,
                            tree.rightChild.count, tree.internalCount.count, tree.internalValue.count],
                           [Int](repeating: nodes, count: 7))
            XCTAssertEqual(Int(tree.leafCount.reduce(0, +)), train.count, "every training row in one leaf")
            XCTAssertTrue(tree.leafCount.allSatisfy { $0 >= 30 }, "min_child_samples")
            if nodes > 0 { XCTAssertEqual(Int(tree.internalCount[0]), train.count) }
            XCTAssertTrue(tree.splitGain.allSatisfy { $0 > 0 })
            XCTAssertEqual(tree.shrinkage, t == 0 ? 1 : 0.1)
            // Depth ≤ 4: walk every path.
            func depth(_ node: Int32) -> Int { node < 0 ? 0 : 1 + max(depth(tree.leftChild[Int(node)]), depth(tree.rightChild[Int(node)])) }
            if nodes > 0 { XCTAssertLessThanOrEqual(depth(0), 4) }
            for (i, b) in tree.thresholdBin.enumerated() {
                XCTAssertEqual(tree.threshold[i], b == 0 ? 1.0000000180025095e-35 : (Double(b) + 0.5).nextUp)
            }
        }
    }

    /// Predictions are the sum of leaf values reached by walking each tree.
    func testPredictionEqualsTreeWalk() throws {
        let d = Self.data
        let model = try Trainer.train(dataset: d, rows: d.rows(in: .train), features: [1, 5, 9, 30], target: 1,
                                      parameters: BoostingParameters(["n_estimators": 25, "num_leaves": 7]))
        let rows = Array(d.rows(in: .validation).prefix(1001))
        let fast = model.predict(dataset: d, rows: rows, threads: 2)
        for (i, r) in rows.enumerated() {
            var s = 0.0
            for tree in model.trees { s += tree.leafValue[tree.leafIndex { d.features[Int(r), $0] }] }
            XCTAssertEqual(fast[i], s, "row \(r)")
        }
        XCTAssertTrue(model.trees.allSatisfy { $0.splitFeature.allSatisfy { [1, 5, 9, 30].contains($0) } })
    }

    /// Rows whose target is NaN are left out (aux targets are NaN in early eras).
    func testNaNTargetsAreSkipped() throws {
        let d = Self.data
        let train = d.rows(in: .train)
        let known = train.filter { !d.targets[1][Int($0)].isNaN }
        XCTAssertLessThan(known.count, train.count)
        let a = try Trainer.train(dataset: d, rows: train, features: Array(0..<40), target: 1,
                                  parameters: BoostingParameters(["n_estimators": 5]))
        let b = try Trainer.train(dataset: d, rows: known, features: Array(0..<40), target: 1,
                                  parameters: BoostingParameters(["n_estimators": 5]))
        XCTAssertEqual(a, b)
        XCTAssertEqual(Int(a.trees[0].leafCount.reduce(0, +)), known.count)
    }

    /// When no split is possible LightGBM keeps one constant tree holding the label mean.
    func testUnsplittableDataGivesOneConstantTree() throws {
        let d = Self.data
        let train = Array(d.rows(in: .train).prefix(100))
        let model = try Trainer.train(dataset: d, rows: train, features: Array(0..<40), target: 0,
                                      parameters: BoostingParameters(["min_child_samples": 80]))
        XCTAssertEqual(model.trees.count, 1)
        XCTAssertEqual(model.trees[0].leafValue.count, 1)
        let mean = train.map { Double(d.targets[0][Int($0)]) }.reduce(0, +) / 100
        XCTAssertEqual(model.trees[0].leafValue[0], mean, accuracy: 1e-12)
        XCTAssertEqual(model.predict(dataset: d, rows: [0, 1])[1], mean, accuracy: 1e-12)
    }

    func testBadInputsAreClearErrors() {
        let d = Self.data
        let rows = d.rows(in: .train)
        let p = BoostingParameters()
        func message(_ body: () throws -> Booster) -> String {
            do { _ = try body(); return "" } catch { return "\(error)" }
        }
        XCTAssertEqual(message { try Trainer.train(dataset: d, rows: rows, features: [0], target: 9, parameters: p) },
                       "target index 9 is out of range (dataset has 2 targets)")
        XCTAssertEqual(message { try Trainer.train(dataset: d, rows: rows, features: [], target: 0, parameters: p) },
                       "no features to train on")
        XCTAssertEqual(message { try Trainer.train(dataset: d, rows: rows, features: [0, 99], target: 0, parameters: p) },
                       "feature index 99 is out of range (dataset has 40 features)")
        XCTAssertEqual(message { try Trainer.train(dataset: d, rows: [-1], features: [0], target: 0, parameters: p) },
                       "row index -1 is out of range (dataset has 48000 rows)")
        XCTAssertEqual(message { try Trainer.train(dataset: d, rows: [], features: [0], target: 0, parameters: p) },
                       "no training rows with a known 'target' target")
        var bad = BoostingParameters()
        bad.learningRate = -1
        XCTAssertEqual(message { try Trainer.train(dataset: d, rows: rows, features: [0], target: 0, parameters: bad) },
                       "parameter 'learning_rate' = -1 is out of range (0, ∞)")
    }

    func testProgressReportsEveryTree() throws {
        let d = Self.data
        var seen: [Int] = []
        _ = try Trainer.train(dataset: d, rows: d.rows(in: .train), features: Array(0..<10), target: 0,
                              parameters: BoostingParameters(["n_estimators": 6]), progress: { seen.append($0) })
        XCTAssertEqual(seen, [1, 2, 3, 4, 5, 6])
    }
}

extension TrainerTests {
    /// The last searched level's deferred split (`DeferredSplit`: the children's histograms from the
    /// parent's columns with the split's masks, no column partition) gives bit for bit the model of
    /// the plain partition, which the LightGBM parity tests check: at depths where the deferred
    /// split is the root's (2) or deeper, with bagging and column sampling, at 1 and 2 threads (a
    /// deferred root's rows, ≥ 16,384, take the threaded histogram path).
    func testDeferredLastLevelGivesTheSameModel() throws {
        let d = TestData.synthetic(eras: 60, rowsPerEra: 400, features: 16, seed: 8)
        let rows = d.rows(in: .train), features = Array(0..<d.featureCount), predictRows = Array(0..<Int32(d.rowCount))
        let saved = TreeGrower.deferralMinimumBytes
        defer { TreeGrower.deferralMinimumBytes = saved }
        for (depth, subsample, colsample) in [(2, 1.0, 1.0), (3, 0.7, 0.5), (5, 1.0, 0.4), (4, 0.8, 1.0)] {
            var p = BoostingParameters()
            p.maxDepth = depth
            p.numLeaves = 31
            p.subsample = subsample
            p.subsampleFreq = subsample < 1 ? 1 : 0
            p.colsampleBytree = colsample
            p.learningRate = 0.1
            p.nEstimators = 25
            for threads in [1, 2] {
                TreeGrower.deferralMinimumBytes = Int.max
                let plain = try Trainer.train(dataset: d, rows: rows, features: features, target: 0, parameters: p, threads: threads)
                TreeGrower.deferralMinimumBytes = 0
                let deferred = try Trainer.train(dataset: d, rows: rows, features: features, target: 0, parameters: p, threads: threads)
                let label = "max_depth \(depth), subsample \(subsample), colsample \(colsample), threads \(threads)"
                XCTAssertGreaterThan(plain.trees.count, 1, label)
                if depth == 2 { XCTAssertGreaterThanOrEqual(rows.count, 16_384, "threaded deferred root") }
                XCTAssertEqual(deferred, plain, label)
                XCTAssertEqual(deferred.predict(dataset: d, rows: predictRows).map(\.bitPattern),
                               plain.predict(dataset: d, rows: predictRows).map(\.bitPattern), label)
            }
        }
    }

    /// The per-tree gradients and their largest magnitude, on the consecutive-rows path (no gather,
    /// vectorised) and the gathering one (rows not consecutive; a bagged order), against a plain
    /// `float(score − label)` per position: the same bits in `scratch`, the same maximum.
    func testMaxAbsGradientOnEveryRowLayout() {
        let d = TestData.synthetic(eras: 20, rowsPerEra: 300, features: 4, seed: 11)
        let all = Array(0..<Int32(d.rowCount))
        let layouts: [(String, [Int32], Bool)] = [
            ("consecutive rows, in order", Array(all[7..<(d.rowCount - 5)]), true),
            ("every other row, in order", all.filter { $0 % 2 == 0 }, true),
            ("consecutive rows, bagged", Array(all[3..<(d.rowCount - 2)]), false),
        ]
        for (label, rows, inOrder) in layouts {
            let labels = d.targets[0]
            let binning = ModelBinning.build(dataset: d, rows: rows, features: Array(0..<4),
                                             parameters: BoostingParameters(), seeds: LightGBMSeeds(seed: nil))
            let state = TrainingState(dataset: d, rows: rows, features: Array(0..<4), labels: labels, binning: binning)
            var g = SplitMix64(seed: 3)
            for p in 0..<rows.count { state.score[p] = (Double(g.next() % 20_001) - 10_000) / 4_096 }
            // The largest |gradient| sits at a different place in each layout (not only at the start).
            state.score[rows.count / 3] = 40 + Double(labels[Int(rows[rows.count / 3])])
            let count = inOrder ? rows.count : rows.count / 2
            for i in 0..<rows.count { state.order[i] = Int32(inOrder ? i : (7 * i) % rows.count) }
            var expected: Float = 0, bits: [UInt32] = []
            for i in 0..<count {
                let p = Int(state.order[i])
                let gradient = Float(state.score[p] - Double(labels[Int(rows[p])]))
                bits.append(gradient.bitPattern)
                expected = max(expected, abs(gradient))
            }
            XCTAssertEqual(state.maxAbsGradient(count: count, inOrder: inOrder), expected, label)
            XCTAssertEqual((0..<count).map { UInt32(bitPattern: state.scratch[$0]) }, bits, label)
            if inOrder { XCTAssertEqual(expected, 40, label) }
        }
    }
}
