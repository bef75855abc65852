import XCTest
import Boosting
import EraData
import EvaluationRules
import Pipeline
@testable import Studies
import Support
import TestSupport

/// The memory estimate's paused pruning sessions are counted per arm, as the pruning decisions
/// round (⌈keep·n⌉ per arm, `PruningRecord.keepCount`): with several arms, rounding ⌈keepᵏ·M⌉
/// over all M models undercounts by up to one session per arm.
final class PrunedSessionsEstimateTests: XCTestCase {
    /// Three arms of three models, keep 0.5: 9 candidates at the first rung, then ⌈1.5⌉ = 2 per
    /// arm (6, where ⌈0.5·9⌉ = 5), then 1 per arm (3).
    static func study(rungs: [Int], trees: Int) -> String {
        """
        {"name": "arms", "seed": 3, "models": 3,
         "fixed": {"n_estimators": \(trees), "learning_rate": 0.1, "max_depth": 3, "num_leaves": 8, "colsample_bytree": 0.5},
         "arms": [{"name": "a", "vary": {"seed": {"intRange": [0, 1000]}}},
                  {"name": "b", "vary": {"seed": {"intRange": [0, 1000]}}},
                  {"name": "c", "vary": {"seed": {"intRange": [0, 1000]}}}],
         "benchmark": {"n_estimators": 10, "learning_rate": 0.1},
         "pruning": {"rungs": \(rungs), "keep": 0.5}}
        """
    }

    /// The candidates a real pruned run ranks at each rung (its pruning.json decisions) are the
    /// sessions `MemoryEstimate.pausedSessions` counts; the all-model rounding says fewer.
    func testPausedSessionsAreTheRunsCandidatesPerRung() throws {
        let dataset = PruningTests.planted()
        let spec = try StudySpec.parse(Data(Self.study(rungs: [2, 4, 6], trees: 12).utf8))
        let pruning = try XCTUnwrap(spec.pruning)
        let dir = TestSupport.temporaryDirectory("pruned-sessions")
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = RunOptions()
        options.jobs = 2
        let runner = try StudyRunner(spec: spec, dataset: dataset, directory: dir, options: options, progress: ProgressReporter(quiet: true))
        runner.selectionScore = try StudyPipeline.selectionScore(spec: spec, dataset: dataset, evaluationRows: runner.evalRows)
        XCTAssertFalse(try runner.run().interrupted)
        let record = try XCTUnwrap(try PruningRecord.read(directory: dir))
        let ranked = pruning.rungs.map { rung in record.decisions.filter { $0.rung == rung }.map(\.candidates.count).reduce(0, +) }
        XCTAssertEqual(ranked, [9, 6, 3], "pruning.json: candidates per rung over the three arms")
        XCTAssertEqual(MemoryEstimate.pausedSessions(plans: runner.plans, pruning: pruning), ranked)
        let allModels = pruning.rungs.indices.map { k in Int((pow(pruning.keep, Double(k)) * 9).rounded(.up)) }
        XCTAssertEqual(allModels, [9, 5, 3], "rounded over all models, rung 2 loses one session")
    }

    /// The training phase adds max_k sessions_k·(pausedStateBytes + r_k·48·leaves): at rungs
    /// [1, 2000, 3000] of 4000-tree models the second rung dominates with 6 sessions (5 rounded
    /// over all models). Models whose `n_estimators` end by a rung are not its candidates.
    func testTrainingPhaseCountsTheLargestRungsSessions() throws {
        let dataset = PruningTests.planted()
        let spec = try StudySpec.parse(Data(Self.study(rungs: [1, 2000, 3000], trees: 4000).utf8))
        let pruning = try XCTUnwrap(spec.pruning)
        let plans = try Planner(spec: spec, dataset: dataset).plans()
        XCTAssertEqual(MemoryEstimate.pausedSessions(plans: plans, pruning: pruning), [9, 6, 3])
        let rows = evaluationRows(dataset).count
        let huge = 1 << 50   // no session budget cap
        let pruned = MemoryEstimate(dataset: dataset, plans: plans, evaluationRows: rows, jobs: 2, pruning: pruning, physicalMemory: huge)
        let plain = MemoryEstimate(dataset: dataset, plans: plans, evaluationRows: rows, jobs: 2, physicalMemory: huge)
        let trainingRows = dataset.splitOfRow.filter { $0 == .train }.count
        let state = TrainingSession.pausedStateBytes(trainingRows: trainingRows, bagging: false)
        XCTAssertEqual(pruned.training - plain.training, 6 * (state + 2000 * 48 * 8))
        XCTAssertGreaterThan(6 * (state + 2000 * 48 * 8), max(9 * (state + 48 * 8), 3 * (state + 3000 * 48 * 8)))

        // Arms whose models end before a rung have no candidates there.
        let short = plans.map { p -> ModelPlan in
            guard p.arm == "c" else { return p }
            var parameters = p.parameters
            parameters.nEstimators = 1500
            return ModelPlan(index: p.index, id: p.id, arm: p.arm, indexInArm: p.indexInArm, parameters: parameters,
                             target: p.target, droppedEras: p.droppedEras, droppedFeatures: p.droppedFeatures, notes: p.notes)
        }
        XCTAssertEqual(MemoryEstimate.pausedSessions(plans: short, pruning: pruning), [9, 4, 2])
        // One arm: ⌈keep·n⌉ at each rung, at least 1.
        XCTAssertEqual(MemoryEstimate.pausedSessions(plans: plans.filter { $0.arm == "a" }, pruning: pruning), [3, 2, 1])
    }
}
