import XCTest
import Boosting
import Diversity
import EraData
import Foundation
import Pipeline
import PredictionStore
@testable import Studies
import Support
import TestSupport

/// Pruned studies whose survivors continue from the trees they have (`TrainingSession` kept
/// between passes): the same stored predictions, records and decisions as retraining every model
/// from tree 0 in each pass (the runner before sessions; a session budget of 0 forces it), each
/// model equal to one uninterrupted training to its stored tree count, with fewer trees trained;
/// and an interrupted run resumes to the same results.
final class PrunedContinuationTests: XCTestCase {
    /// 8 models of 100 trees judged at 20 and 60 trees, keep 0.5; bagging every 3rd tree (the bag
    /// drawn at tree 18 is still in use when the first pass stops at 20) and column sampling.
    static let study = #"""
    {"name": "prune-continue", "seed": 5, "models": 8,
     "fixed": {"n_estimators": 100, "learning_rate": 0.1, "max_depth": 3, "num_leaves": 8, "colsample_bytree": 0.5,
               "subsample": 0.7, "subsample_freq": 3},
     "vary": {"target": ["target", "target_noise"], "seed": {"intRange": [0, 1000]}},
     "benchmark": {"n_estimators": 20, "learning_rate": 0.1},
     "pruning": {"rungs": [20, 60], "keep": 0.5}}
    """#

    func runner(_ dataset: Dataset, jobs: Int, into dir: URL) throws -> StudyRunner {
        var options = RunOptions()
        options.jobs = jobs
        let runner = try StudyRunner(spec: try StudySpec.parse(Data(Self.study.utf8)), dataset: dataset, directory: dir,
                                     options: options, progress: ProgressReporter(quiet: true))
        runner.selectionScore = try StudyPipeline.selectionScore(spec: runner.spec, dataset: dataset, evaluationRows: runner.evalRows)
        return runner
    }

    func testContinuedSurvivorsEqualRetrainedOnesWithFewerTrees() throws {
        let continued = TestSupport.temporaryDirectory("prune-cont"), retrained = TestSupport.temporaryDirectory("prune-retrain")
        defer { [continued, retrained].forEach { try? FileManager.default.removeItem(at: $0) } }
        let dataset = PruningTests.planted()
        let a = try runner(dataset, jobs: 2, into: continued), tallyA = PruningTally()
        let summaryA = try a.runPruned(try XCTUnwrap(a.spec.pruning), tally: tallyA)
        let b = try runner(dataset, jobs: 1, into: retrained), tallyB = PruningTally()
        let summaryB = try b.runPruned(try XCTUnwrap(b.spec.pruning), sessionBudget: 0, tally: tallyB)
        XCTAssertFalse(summaryA.interrupted || summaryB.interrupted)

        let storedA = try StoredStudy.read(directory: continued), storedB = try StoredStudy.read(directory: retrained)
        XCTAssertEqual(storedA.matrix.map(\.bitPattern), storedB.matrix.map(\.bitPattern), "same stored predictions, bit for bit")
        XCTAssertEqual(storedA.records.map(\.status), storedB.records.map(\.status))
        XCTAssertEqual(storedA.records.map(\.trees), storedB.records.map(\.trees))
        XCTAssertEqual(try Data(contentsOf: continued.appendingPathComponent("pruning.json")),
                       try Data(contentsOf: retrained.appendingPathComponent("pruning.json")))
        // 8 → 4 at 20 trees → 2 at 60 trees → 2 survivors of 100 trees (the benchmark: 20 trees).
        XCTAssertEqual(storedA.records.map(\.status).filter { $0 == .done }.count, 2)
        XCTAssertEqual(storedA.records.filter { $0.status == .pruned }.map(\.trees).sorted(), [20, 20, 20, 20, 60, 60])
        XCTAssertTrue(storedA.records.filter { $0.status == .done }.allSatisfy { $0.trees == 100 })
        // Trees trained: retraining from 0 costs 20 + 8·20 + 4·60 + 2·100 = 620; continuing,
        // 20 + 8·20 + 4·40 + 2·40 = 420.
        XCTAssertEqual(tallyB.trained, 620)
        XCTAssertEqual(tallyB.retrainingFromZero, 620)
        XCTAssertEqual(tallyA.trained, 420)
        XCTAssertEqual(tallyA.retrainingFromZero, 620)

        // Oracle: every stored model (survivor or pruned) is one uninterrupted training to its
        // stored tree count (`Trainer.train` with that n_estimators, as the runner trained before).
        for record in storedA.records {
            let plan = a.plans[record.index]
            let (_, predictions, _) = try a.train(a.capped(plan, trees: record.trees))
            XCTAssertEqual(storedA.predictions(ofModel: record.index).map(\.bitPattern), predictions.map(\.bitPattern), record.id)
        }
    }

    /// A budget that holds some sessions but not all: whichever are kept, the results are the same.
    func testASmallSessionBudgetChangesOnlyTheTreesTrained() throws {
        let full = TestSupport.temporaryDirectory("prune-budget-full"), small = TestSupport.temporaryDirectory("prune-budget-small")
        defer { [full, small].forEach { try? FileManager.default.removeItem(at: $0) } }
        let dataset = PruningTests.planted()
        let a = try runner(dataset, jobs: 2, into: full), tallyA = PruningTally()
        _ = try a.runPruned(try XCTUnwrap(a.spec.pruning), tally: tallyA)
        let b = try runner(dataset, jobs: 2, into: small), tallyB = PruningTally()
        // One session's bytes (12 per training row, the bag's bits and generators, 20 trees of at
        // most 15 nodes) fit, two do not.
        let rows = dataset.rows(in: .train).count
        _ = try b.runPruned(try XCTUnwrap(b.spec.pruning), sessionBudget: 12 * rows + rows / 8 + 8 + 64 + 20 * 400, tally: tallyB)
        XCTAssertEqual(try StoredStudy.read(directory: full).matrix.map(\.bitPattern),
                       try StoredStudy.read(directory: small).matrix.map(\.bitPattern))
        // One kept session at a time cannot carry all 4 survivors of the first rung.
        XCTAssertGreaterThan(tallyB.trained, tallyA.trained)
        XCTAssertLessThanOrEqual(tallyB.trained, tallyB.retrainingFromZero)
    }

    /// Interrupted (the flag Ctrl-C sets) right after the `after`-th stored model — in the first
    /// pass, after the first rung's decisions, after the last rung's — the same command resumes and
    /// ends with the results of an uninterrupted run.
    func testAnInterruptedPrunedRunResumesToTheSameResults() throws {
        let dataset = PruningTests.planted()
        let straight = TestSupport.temporaryDirectory("prune-straight")
        defer { try? FileManager.default.removeItem(at: straight) }
        let reference = try runner(dataset, jobs: 2, into: straight)
        XCTAssertFalse(try reference.run().interrupted)
        let expected = try StoredStudy.read(directory: straight)
        for after in [1, 3, 6] {
            let dir = TestSupport.temporaryDirectory("prune-interrupted")
            defer { try? FileManager.default.removeItem(at: dir) }
            let first = try runner(dataset, jobs: 2, into: dir)
            let stores = Counter(), flag = CancellationFlag()
            first.score = { _ in
                if stores.increment() == after { flag.set() }
                return 0
            }
            let summary = try first.runPruned(try XCTUnwrap(first.spec.pruning), cancelled: flag)
            XCTAssertTrue(summary.interrupted, "after \(after)")
            let partial = try StoredStudy.read(directory: dir)
            XCTAssertTrue(partial.records.contains { $0.status == .pending }, "after \(after): the run stopped early")
            let resumed = try runner(dataset, jobs: 2, into: dir).run()
            XCTAssertFalse(resumed.interrupted)
            XCTAssertGreaterThan(resumed.resumed + resumed.trained, 0)
            let final = try StoredStudy.read(directory: dir)
            XCTAssertEqual(final.matrix.map(\.bitPattern), expected.matrix.map(\.bitPattern), "after \(after)")
            XCTAssertEqual(final.records.map(\.status), expected.records.map(\.status), "after \(after)")
            XCTAssertEqual(final.records.map(\.trees), expected.records.map(\.trees), "after \(after)")
            XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("pruning.json")),
                           try Data(contentsOf: straight.appendingPathComponent("pruning.json")))
        }
    }
}

/// A thread-safe count.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int { lock.withLock { value += 1; return value } }
}
