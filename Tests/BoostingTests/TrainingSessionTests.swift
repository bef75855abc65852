import XCTest
@testable import Boosting
import EraData
import TestSupport

/// `TrainingSession`: a training paused and continued is, bit for bit, the training run in one go
/// to the same tree count (`Trainer.train` with that `n_estimators` is the oracle): same trees,
/// same predictions, for parameter sets that use every random stream of the loop (bagging with a
/// bag that outlives the pause, column sampling, LightGBM's default and derived seeds), at 1 and
/// 2 threads, with the working memory released between grows or not.
final class TrainingSessionTests: XCTestCase {
    static func parameters(seed: Int?, subsample: Double, freq: Int, colsample: Double, leaves: Int = 15) -> BoostingParameters {
        var p = BoostingParameters()
        p.seed = seed
        p.subsample = subsample
        p.subsampleFreq = freq
        p.colsampleBytree = colsample
        p.numLeaves = leaves
        p.learningRate = 0.1
        p.minChildSamples = 10
        p.nEstimators = 50
        return p
    }

    /// Parameter sets: bagging every 3rd tree (the bag drawn at tree 6 is still in use at the
    /// pause after tree 7) with column sampling and a derived seed; bagging every tree with
    /// LightGBM's fixed default seeds; no sampling at all; another seed with both samplers.
    static let parameterSets: [BoostingParameters] = [
        parameters(seed: 11, subsample: 0.7, freq: 3, colsample: 0.5),
        parameters(seed: nil, subsample: 0.5, freq: 1, colsample: 0.3),
        parameters(seed: 5, subsample: 1, freq: 0, colsample: 1, leaves: 7),
        parameters(seed: 123_456, subsample: 0.8, freq: 2, colsample: 0.6),
    ]

    /// Asserts that growing a session through `stops` (pausing where `pause` says, threads per
    /// grow from `threads`) gives at each stop the model `Trainer.train` gives in one go.
    func assertContinuedEqualsUninterrupted(_ d: Dataset, _ p: BoostingParameters, stops: [Int], pause: [Bool],
                                            threads: [Int], referenceThreads: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let rows = d.rows(in: .train), features = Array(0..<d.featureCount), predictRows = Array(0..<Int32(d.rowCount))
        let session = try TrainingSession(dataset: d, rows: rows, features: features, target: 0, parameters: p)
        for (i, stop) in stops.enumerated() {
            let continued = try session.grow(to: stop, threads: threads[i % threads.count])
            var q = p
            q.nEstimators = stop
            let reference = try Trainer.train(dataset: d, rows: rows, features: features, target: 0, parameters: q,
                                              threads: referenceThreads)
            let label = "seed \(p.seed.map(String.init) ?? "nil"), subsample \(p.subsample)/\(p.subsampleFreq), stop \(stop)"
            XCTAssertEqual(continued.trees.count, stop, label, file: file, line: line)
            XCTAssertEqual(session.treeCount, stop, label, file: file, line: line)
            XCTAssertEqual(continued, reference, "same trees, init score and parameters: \(label)", file: file, line: line)
            XCTAssertEqual(continued.predict(dataset: d, rows: predictRows).map(\.bitPattern),
                           reference.predict(dataset: d, rows: predictRows).map(\.bitPattern), label, file: file, line: line)
            if pause[i % pause.count] { session.pause() }
        }
    }

    func testContinuedTrainingIsBitIdenticalToUninterruptedTraining() throws {
        let d = TestData.synthetic(eras: 30, rowsPerEra: 100, features: 12, seed: 21)
        for p in Self.parameterSets {
            // One thread throughout, paused after every grow.
            try assertContinuedEqualsUninterrupted(d, p, stops: [7, 20, 33, 50], pause: [true], threads: [1], referenceThreads: 1)
            // Two threads, alternating with one, paused after some grows only; the reference at two threads.
            try assertContinuedEqualsUninterrupted(d, p, stops: [1, 7, 8, 26, 50], pause: [true, false], threads: [2, 1],
                                                   referenceThreads: 2)
        }
    }

    /// Edge-binned float features take the exact (double) histogram path of the grower.
    func testContinuedTrainingIsBitIdenticalOnFloatFeatures() throws {
        let d = try FloatFeatureParityTests.dataset(rows: 3000, normal: 6, extras: true, seed: 3)
        let p = Self.parameters(seed: 9, subsample: 0.7, freq: 4, colsample: 0.7)
        try assertContinuedEqualsUninterrupted(d, p, stops: [6, 13, 30], pause: [true], threads: [2, 1], referenceThreads: 1)
    }

    /// A grow stopped by its progress callback (cancellation) leaves the session at the trees it
    /// has; growing on gives the uninterrupted model.
    func testAGrowStoppedByProgressContinuesExactly() throws {
        let d = TestData.synthetic(eras: 20, rowsPerEra: 100, features: 10, seed: 4)
        let p = Self.parameterSets[0]
        let rows = d.rows(in: .train), features = Array(0..<d.featureCount)
        let session = try TrainingSession(dataset: d, rows: rows, features: features, target: 0, parameters: p)
        struct Stop: Error {}
        XCTAssertThrowsError(try session.grow(to: 40, progress: { trees in if trees == 12 { throw Stop() } }))
        XCTAssertEqual(session.treeCount, 12)
        session.pause()
        let continued = try session.grow(to: 40, threads: 2)
        var q = p
        q.nEstimators = 40
        XCTAssertEqual(continued, try Trainer.train(dataset: d, rows: rows, features: features, target: 0, parameters: q))
        XCTAssertFalse(session.isFinished)
        XCTAssertEqual(try session.grow(to: 1000).trees.count, 50, "growth stops at n_estimators")
        XCTAssertTrue(session.isFinished)
    }

    /// A target no split can fit: the first tree becomes the constant init score and the session
    /// is finished, as `Trainer.train` stops.
    func testASessionThatCannotSplitIsFinished() throws {
        let base = TestData.synthetic(eras: 10, rowsPerEra: 50, features: 4, seed: 2)
        let constant = [Float](repeating: 0.5, count: base.rowCount)
        let d = Dataset(features: base.features, featureNames: base.featureNames, targetNames: ["flat"], targets: [constant],
                        eras: base.eras, eraOfRow: base.eraOfRow, ids: base.ids, splitOfRow: base.splitOfRow)
        let p = Self.parameterSets[1]
        let rows = d.rows(in: .train)
        let session = try TrainingSession(dataset: d, rows: rows, features: [0, 1, 2, 3], target: 0, parameters: p)
        let model = try session.grow(to: 5)
        XCTAssertEqual(model.trees.count, 1)
        XCTAssertTrue(session.isFinished)
        session.pause()
        XCTAssertEqual(try session.grow(to: 20).trees, model.trees)
        var q = p
        q.nEstimators = 20
        XCTAssertEqual(try session.grow(to: 20), try Trainer.train(dataset: d, rows: rows, features: [0, 1, 2, 3], target: 0, parameters: q))
    }

    /// The paused session's bytes follow the documented formula: 12 per training row, the bag's
    /// bits and generators, and the trees' arrays.
    func testPausedBytesFollowTheFormula() throws {
        let d = TestData.synthetic(eras: 20, rowsPerEra: 100, features: 10, seed: 4)
        let p = Self.parameterSets[0]
        let rows = d.rows(in: .train)
        let n = rows.filter { !d.targets[0][Int($0)].isNaN }.count
        let session = try TrainingSession(dataset: d, rows: rows, features: Array(0..<10), target: 0, parameters: p)
        let model = try session.grow(to: 10)
        session.pause()
        let trees = model.trees.reduce(0) { total, t in
            total + t.splitFeature.count * (4 + 1 + 8 + 4 + 4 + 4 + 4 + 8) + t.leafValue.count * (8 + 4)
        }
        XCTAssertEqual(session.pausedBytes, 12 * n + (n + 63) / 64 * 8 + 4 * ((n + 1023) / 1024) + trees)
        XCTAssertThrowsError(try TrainingSession(dataset: d, rows: rows, features: [], target: 0, parameters: p)) { error in
            XCTAssertEqual("\(error)", "no features to train on")
        }
    }
}
