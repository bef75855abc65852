import XCTest
import Boosting
import EraData
@testable import Mining
@testable import Studies
import TestSupport

/// Studies and mining train through one `PlanTrainer`: the same plan gives the same model
/// whichever of them trains it.
final class SharedTrainerTests: XCTestCase {
    func testMinerAndStudyRunnerTrainThePlanToTheSameModel() throws {
        let spec = try StudySpec.parse(Data(MiningTests.gridJSON.utf8))
        let dataset = MiningTests.dataset
        let dir = TestSupport.temporaryDirectory("shared-trainer")
        defer { try? FileManager.default.removeItem(at: dir) }
        let runner = try StudyRunner(spec: spec, dataset: dataset, directory: dir.appendingPathComponent("study"), options: RunOptions())
        let miner = try Miner(spec: spec, dataset: dataset, directory: dir.appendingPathComponent("farm"), options: MiningOptions())
        // A grid model and a drop-eras model (its training rows leave eras out).
        let plans = [runner.plans[0], try XCTUnwrap(runner.plans.first { !$0.droppedEras.isEmpty })]
        for plan in plans {
            XCTAssertEqual(runner.trainRows(for: plan), miner.trainer.trainRows(for: plan))
            // Independent of PlanTrainer: the train-split rows of the kept train eras, in data order.
            let dropped = Set(plan.droppedEras)
            let expected = (0..<dataset.rowCount).filter {
                dataset.splitOfRow[$0] == .train && !dropped.contains(Int(dataset.eraOfRow[$0]))
            }.map { Int32($0) }
            XCTAssertEqual(Set(runner.trainRows(for: plan)), Set(expected))
            XCTAssertEqual(runner.trainRows(for: plan).count, expected.count)

            let (booster, predictions, _) = try runner.train(plan)
            let candidate = miner.train(plan, threads: 2)
            let minedBooster = try XCTUnwrap(candidate.booster, candidate.error ?? "")
            XCTAssertEqual(minedBooster.trees.count, booster.trees.count)
            // The miner predicts the evaluation split; the runner every non-train row: compare on
            // the runner's columns of the miner's rows, bit for bit.
            let column = Dictionary(uniqueKeysWithValues: runner.evalRows.enumerated().map { ($1, $0) })
            XCTAssertFalse(miner.evaluation.rows.isEmpty)
            for (i, row) in miner.evaluation.rows.enumerated() {
                let c = try XCTUnwrap(column[row])
                XCTAssertEqual(candidate.predictions[i].bitPattern, predictions[c].bitPattern, "plan \(plan.id), row \(row)")
            }
        }
    }
}
