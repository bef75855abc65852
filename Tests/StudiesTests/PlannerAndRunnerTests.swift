import XCTest
import EraData
import PredictionStore
@testable import Studies
import TestSupport

final class PlannerAndRunnerTests: XCTestCase {
    static let dataset = SyntheticGenerator.generate(SyntheticConfig.default.sized(eras: 40, rowsPerEra: 120, features: 16))

    func spec(_ json: String) throws -> StudySpec { try StudySpec.parse(Data(json.utf8)) }

    func testPlansDependOnlyOnSeedArmAndIndex() throws {
        let small = try spec(#"{"name": "p", "seed": 5, "models": 3, "vary": {"max_depth": {"intRange": [2, 9]}, "learning_rate": {"logUniform": [0.01, 0.3]}}, "dropEras": {"fraction": 0.25}}"#)
        let large = try spec(#"{"name": "p", "seed": 5, "models": 9, "vary": {"max_depth": {"intRange": [2, 9]}, "learning_rate": {"logUniform": [0.01, 0.3]}}, "dropEras": {"fraction": 0.25}}"#)
        let other = try spec(#"{"name": "p", "seed": 6, "models": 3, "vary": {"max_depth": {"intRange": [2, 9]}, "learning_rate": {"logUniform": [0.01, 0.3]}}, "dropEras": {"fraction": 0.25}}"#)
        let a = try Planner(spec: small, dataset: Self.dataset).plans()
        let b = try Planner(spec: large, dataset: Self.dataset).plans()
        let c = try Planner(spec: other, dataset: Self.dataset).plans()
        XCTAssertEqual(a, Array(b.prefix(3)))
        XCTAssertEqual(a, try Planner(spec: small, dataset: Self.dataset).plans())
        XCTAssertNotEqual(a.map(\.parameters), c.map(\.parameters))
        XCTAssertEqual(Set(b.map(\.id)).count, 9)
    }

    func testDropErasFractionAndContiguousBlocks() throws {
        let s = try spec(#"{"name": "d", "models": 20, "dropEras": {"fraction": 0.3, "blocks": 2}}"#)
        let planner = try Planner(spec: s, dataset: Self.dataset)
        let trainEras = planner.trainEras
        let expected = Int((0.3 * Double(trainEras.count)).rounded())
        for plan in planner.plans() {
            XCTAssertEqual(plan.droppedEras.count, expected)
            XCTAssertTrue(Set(plan.droppedEras).isSubset(of: Set(trainEras)))
            // Positions within the train eras form exactly two runs.
            let positions = plan.droppedEras.map { trainEras.firstIndex(of: $0)! }.sorted()
            let runs = 1 + zip(positions, positions.dropFirst()).filter { $1 != $0 + 1 }.count
            XCTAssertEqual(runs, 2, "\(positions)")
        }
        let starts = Set(planner.plans().map { $0.droppedEras.first! })
        XCTAssertGreaterThan(starts.count, 3, "blocks should move between models")
    }

    func testDropFeaturesByFractionAndGroups() throws {
        let names = Self.dataset.featureNames
        let json = """
        {"name": "f", "models": 10, "dropFeatures": {"fraction": 0.25, "groups": {"g1": ["\(names[0])", "\(names[1])"], "g2": ["\(names[2])"], "g3": ["\(names[3])"]}, "groupsToDrop": 1}}
        """
        let planner = try Planner(spec: try spec(json), dataset: Self.dataset)
        for plan in planner.plans() {
            let dropped = Set(plan.droppedFeatures)
            let groupHits = [[0, 1], [2], [3]].filter { Set($0).isSubset(of: dropped) }.count
            XCTAssertGreaterThanOrEqual(groupHits, 1)
            XCTAssertEqual(plan.droppedFeatures.count, plan.droppedFeatures.count)
            XCTAssertLessThan(dropped.count, names.count)
        }
        XCTAssertThrowsError(try Planner(spec: try spec(#"{"name": "f", "models": 1, "dropFeatures": {"groups": {"a": ["nope"], "b": ["\#(names[0])"]}, "groupsToDrop": 1}}"#), dataset: Self.dataset)) { error in
            XCTAssertTrue("\(error)".contains("unknown feature 'nope'"), "\(error)")
        }
    }

    func testLeavesConstraintIsClampedAndReported() throws {
        let s = try spec(#"{"name": "l", "models": 30, "vary": {"max_depth": [2, 3], "num_leaves": [4, 24]}}"#)
        let plans = try Planner(spec: s, dataset: Self.dataset).plans()
        for p in plans {
            XCTAssertLessThanOrEqual(p.parameters.numLeaves, 1 << p.parameters.maxDepth)
        }
        XCTAssertTrue(plans.contains { !$0.notes.isEmpty })
        let summary = PlanSummary(spec: s, plans: plans).render()
        XCTAssertTrue(summary.contains("adjusted"), summary)
        XCTAssertTrue(summary.contains("distinct configurations in the grid: 4"), summary)
    }

    func testUnknownTargetIsAnErrorWithSuggestion() throws {
        let s = try spec(#"{"name": "t", "models": 1, "vary": {"target": ["target", "targte_aux1"]}}"#)
        XCTAssertThrowsError(try Planner(spec: s, dataset: Self.dataset)) { error in
            let e = (error as! StudiesError).studyFileProblem!
            XCTAssertEqual(e.path, "$.target")
            XCTAssertEqual(e.suggestion, "target_aux1")
        }
    }

    static let runStudy = #"""
    {"name": "r", "seed": 3, "models": 3, "fixed": {"n_estimators": 12, "learning_rate": 0.1, "num_leaves": 7},
     "benchmark": {"n_estimators": 12, "learning_rate": 0.1},
     "arms": [{"name": "grid", "vary": {"max_depth": {"intRange": [2, 4]}}}, {"name": "eras", "dropEras": {"fraction": 0.3}}]}
    """#

    func runToCompletion(_ dir: URL, jobs: Int, only: Set<Int>? = nil) throws -> RunSummary {
        var options = RunOptions()
        options.jobs = jobs
        options.only = only
        let runner = try StudyRunner(spec: try spec(Self.runStudy), dataset: Self.dataset, directory: dir,
                                     options: options, progress: ProgressReporter(quiet: true))
        return try runner.run()
    }

    func testRunIsDeterministicAcrossJobsAndResumes() throws {
        let one = TestSupport.temporaryDirectory("run1"), two = TestSupport.temporaryDirectory("run2"),
            resumed = TestSupport.temporaryDirectory("run3")
        defer { [one, two, resumed].forEach { try? FileManager.default.removeItem(at: $0) } }
        let s1 = try runToCompletion(one, jobs: 1)
        XCTAssertEqual(s1.trained, 7, "6 models and the benchmark")
        _ = try runToCompletion(two, jobs: 2)
        // First only models 0 and 4, then the rest: the resumed run trains only what is missing.
        let partial = try runToCompletion(resumed, jobs: 2, only: [0, 4])
        XCTAssertEqual(partial.trained, 3, "models 0 and 4, and the benchmark")
        let afterPartial = try StoredStudy.read(directory: resumed)
        XCTAssertEqual(afterPartial.records.filter { $0.status == .done }.count, 2)
        let rest = try runToCompletion(resumed, jobs: 2)
        XCTAssertEqual(rest.trained, 4)
        XCTAssertEqual(rest.resumed, 2)

        let a = try StoredStudy.read(directory: one), b = try StoredStudy.read(directory: two),
            c = try StoredStudy.read(directory: resumed)
        XCTAssertEqual(a.matrix.count, 6 * a.rows.count)
        XCTAssertFalse(a.matrix.contains { $0.isNaN })
        for other in [b, c] {
            XCTAssertEqual(a.matrix.map(\.bitPattern), other.matrix.map(\.bitPattern))
            XCTAssertEqual(a.benchmarkPredictions?.map(\.bitPattern), other.benchmarkPredictions?.map(\.bitPattern))
            XCTAssertEqual(a.records.map(\.parameters), other.records.map(\.parameters))
        }
        XCTAssertEqual(a.ids, a.rows.map { Self.dataset.ids[Int($0)] })
        // Everything stored: a third run trains nothing.
        XCTAssertEqual(try runToCompletion(one, jobs: 2).trained, 0)
    }

    /// Rows enough (root nodes ≥ 16 384) that the last model of a jobs-2 run histograms on both
    /// cores once the other worker is done: still the same bits as one model per core, or jobs 1.
    func testLastModelsTakingFreedCoresChangeNoBit() throws {
        let dataset = SyntheticGenerator.generate(SyntheticConfig.default.sized(eras: 48, rowsPerEra: 600, features: 12))
        let study = try spec(#"""
        {"name": "tail", "seed": 3, "models": 3, "benchmark": false,
         "fixed": {"n_estimators": 25, "num_leaves": 15, "colsample_bytree": 0.5}, "vary": {"max_depth": [3, 5, 7]}}
        """#)
        var stored: [StoredStudy] = []
        for jobs in [1, 2] {
            let dir = TestSupport.temporaryDirectory("tail\(jobs)")
            defer { try? FileManager.default.removeItem(at: dir) }
            var options = RunOptions()
            options.jobs = jobs
            let runner = try StudyRunner(spec: study, dataset: dataset, directory: dir, options: options,
                                         progress: ProgressReporter(quiet: true))
            XCTAssertEqual(try runner.run().trained, 3)
            stored.append(try StoredStudy.read(directory: dir))
        }
        XCTAssertGreaterThan(dataset.rows(in: .train).count, 16_384)
        XCTAssertEqual(stored[0].matrix.map(\.bitPattern), stored[1].matrix.map(\.bitPattern))
    }

    func testChangedStudyIntoSameDirectoryIsRefusedUnlessForced() throws {
        let dir = TestSupport.temporaryDirectory("changed")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try runToCompletion(dir, jobs: 2, only: [0])
        let changed = try spec(Self.runStudy.replacingOccurrences(of: #""seed": 3"#, with: #""seed": 4"#))
        XCTAssertThrowsError(try StudyRunner(spec: changed, dataset: Self.dataset, directory: dir, options: RunOptions())) { error in
            XCTAssertTrue("\(error)".contains("different study"), "\(error)")
        }
        var forced = RunOptions()
        forced.force = true
        XCTAssertNoThrow(try StudyRunner(spec: changed, dataset: Self.dataset, directory: dir, options: forced))
    }
}
