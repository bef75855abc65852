import XCTest
import Diversity
import EraData
@testable import Mining
import Pipeline
import Studies
import TestSupport

/// `FarmReport`: the mining report's input, moved out of the CLI (`workbench mine`).
final class FarmReportTests: XCTestCase {
    static let json = #"""
    {"name": "farm-report-test", "seed": 4, "models": 4,
     "data": {"synthetic": {"generator": "v1", "eras": 60, "rowsPerEra": 120, "features": 12}},
     "fixed": {"n_estimators": 12},
     "benchmark": {"n_estimators": 12, "learning_rate": 0.1},
     "vary": {"learning_rate": {"linspace": [0.05, 0.3, 6]}, "max_depth": {"intRange": [2, 4]}}}
    """#

    static let dataset = SyntheticGenerator.generate(SyntheticConfig.v1Default.sized(eras: 60, rowsPerEra: 120, features: 12))

    func spec() throws -> StudySpec { try StudySpec.parse(Data(Self.json.utf8)) }

    /// Planted similarity: model 1 is model 0 plus a little noise, model 2 is independent, model 3
    /// is constant. The pairwise correlations equal numpy/scipy's on the same predictions, find
    /// the planted pair, find nothing between independent models, and are undefined (NaN) for
    /// the constant one.
    func testPairwiseCorrelationsMatchNumpyAndFindThePlantedPair() throws {
        let dataset = Self.dataset
        let evaluation = try MiningEvaluation(spec: try spec(), dataset: dataset)
        let plan = try Planner(spec: try spec(), dataset: dataset).plans()[0]
        var rng = SystemRandomNumberGenerator()
        func normal() -> Double {
            // Box–Muller: the values only need to be continuous and fixed for the oracle.
            let u = Double.random(in: Double.ulpOfOne..<1, using: &rng), v = Double.random(in: 0..<1, using: &rng)
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }
        let n = evaluation.rows.count
        let base = (0..<n).map { _ in normal() }
        let predictions: [[Float]] = [
            base.map { Float($0) },
            base.map { Float($0 + 0.3 * normal()) },
            (0..<n).map { _ in Float(normal()) },
            [Float](repeating: 0.5, count: n),
        ]
        let models = predictions.enumerated().map { i, p in
            FarmModel(staker: "m\(i)", plan: plan, scored: evaluation.score(p))
        }
        let pairs = FarmReport.pairwiseCorrelations(models, evaluation: evaluation)
        XCTAssertEqual(pairs.selection.count, 6)
        XCTAssertEqual(pairs.test.count, 6)

        let target = dataset.targets[evaluation.targetIndex]
        let input: [String: Any] = [
            "eras": evaluation.rows.map { dataset.eras[Int(dataset.eraOfRow[Int($0)])] },
            "target": evaluation.rows.map { r -> Any in target[Int(r)].isNaN ? NSNull() : Double(target[Int(r)]) },
            "predictions": predictions.map { $0.map(Double.init) },
            "spans": ["selection": evaluation.selectionEraNames, "test": evaluation.testEraNames],
        ]
        let dir = TestSupport.temporaryDirectory("farm-report")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("input.json")
        try JSONSerialization.data(withJSONObject: input).write(to: file)
        let result = try TestSupport.pythonOracle("pairwise_gaussianized_corr.py", [file.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let oracle = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: [Any]])
        for (name, ours) in [("selection", pairs.selection), ("test", pairs.test)] {
            let theirs = try XCTUnwrap(oracle[name])
            XCTAssertEqual(theirs.count, ours.count)
            for (k, (a, b)) in zip(ours, theirs).enumerated() {
                if let b = b as? Double {
                    XCTAssertEqual(a, b, accuracy: 1e-9, "\(name) pair \(k)")
                } else {
                    XCTAssertTrue(a.isNaN, "\(name) pair \(k): numpy finds no correlation, we find \(a)")
                }
            }
            // Pairs row by row: (0,1), (0,2), (0,3), (1,2), (1,3), (2,3).
            XCTAssertGreaterThan(ours[0], 0.9, "\(name): the planted pair")
            XCTAssertLessThan(abs(ours[1]), 0.2, "\(name): independent models")
            XCTAssertLessThan(abs(ours[3]), 0.2, "\(name): independent models")
            XCTAssertTrue(ours[2].isNaN && ours[4].isNaN && ours[5].isNaN, "\(name): the constant model")
        }
    }

    /// The report input of a real (tiny) farm restates the manifest: one row per staker with its
    /// decision, rejection counts that add up to the recorded rejections, the pairs of the
    /// accepted models, distinct recipes (mining accepts no recipe twice).
    func testReportInputRestatesTheFarm() throws {
        let dir = TestSupport.temporaryDirectory("farm-report")
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = MiningOptions()
        options.jobs = 2
        options.maxAttempts = 3
        let miner = try Miner(spec: try spec(), dataset: Self.dataset, directory: dir, options: options)
        let result = try miner.mine(stakers: ["a", "b", "c", "d"])
        let schemes = FarmSimulation.run(evaluation: result.evaluation, models: result.models.map(\.scored),
                                         benchmark: result.benchmark)
        let input = FarmReport.input(spec: try spec(), result: result, schemes: schemes, jobs: 2, maxAttempts: 3)
        let m = result.manifest
        XCTAssertEqual(input.stakers.map(\.id), ["a", "b", "c", "d"])
        XCTAssertEqual(input.stakers.map(\.accepted), m.stakers.map { $0.status == .accepted })
        XCTAssertEqual(input.stakers.map(\.candidates), m.stakers.map(\.candidates))
        let accepted = result.models.count
        XCTAssertEqual(accepted, m.accepted.count)
        XCTAssertGreaterThan(accepted, 1, "the tiny grid should accept at least two stakers")
        XCTAssertEqual(input.pairwiseSelection.count, accepted * (accepted - 1) / 2)
        XCTAssertEqual(input.pairwiseSelection, FarmReport.pairwiseCorrelations(result.models, evaluation: result.evaluation).selection)
        XCTAssertEqual(input.distinctRecipes, accepted)
        XCTAssertEqual(input.rejectionCounts.reduce(0) { $0 + $1.1 },
                       m.stakers.reduce(0) { $0 + $1.rejections.reduce(0) { $0 + $1.reasons.count } })
        XCTAssertEqual(input.candidatesTrained, m.runs.reduce(0) { $0 + $1.candidatesTrained })
        XCTAssertEqual(input.schemes.count, schemes.count)
        XCTAssertEqual(input.maxAttempts, 3)

        // write: schemes.json and the report, as `workbench mine` leaves them.
        let report = try FarmReport.write(spec: try spec(), result: result, jobs: 2, maxAttempts: 3, to: dir)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("schemes.json").path))
        XCTAssertTrue(try String(contentsOf: report, encoding: .utf8).contains("farm-report-test"))
    }
}
