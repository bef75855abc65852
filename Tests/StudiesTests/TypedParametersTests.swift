import Boosting
import EraData
import Foundation
@testable import Studies
import TestSupport
import XCTest

/// Parameters are typed from the study file on: checked once when the study is parsed, planned
/// as `BoostingParameters`, stored in the same canonical-name form as before.
final class TypedParametersTests: XCTestCase {
    static let dataset = SyntheticGenerator.generate(SyntheticConfig.default.sized(eras: 30, rowsPerEra: 60, features: 8))

    func spec(_ json: String) throws -> StudySpec { try StudySpec.parse(Data(json.utf8)) }

    func testAliasesInTheStudyBecomeTypedFieldsOnce() throws {
        let s = try spec(#"""
        {"name": "t", "seed": 1, "models": 4,
         "fixed": {"eta": 0.05, "num_iterations": 7, "feature_fraction": 0.5, "lambda_l2": 2},
         "vary": {"max_depth": [2, 3], "num_leaves": {"intRange": [2, 64]}},
         "benchmark": {"n_estimators": 9}}
        """#)
        XCTAssertEqual(s.arms[0].fixed, ["learning_rate": 0.05, "n_estimators": 7, "colsample_bytree": 0.5, "reg_lambda": 2])
        XCTAssertEqual(s.arms[0].base.learningRate, 0.05)
        XCTAssertEqual(s.arms[0].base.nEstimators, 7)
        XCTAssertEqual(s.arms[0].base.colsampleBytree, 0.5)
        XCTAssertEqual(s.arms[0].base.regLambda, 2)
        XCTAssertEqual(s.benchmarkParameters?.nEstimators, 9)
        XCTAssertEqual(s.benchmarkParameters?.learningRate, 0.01, "the example model's other parameters stay")
        let planner = try Planner(spec: s, dataset: Self.dataset)
        for plan in planner.plans() {
            XCTAssertEqual(plan.parameters.learningRate, 0.05)
            XCTAssertEqual(plan.parameters.nEstimators, 7)
            XCTAssertTrue([2, 3].contains(plan.parameters.maxDepth))
            XCTAssertLessThanOrEqual(plan.parameters.numLeaves, 1 << plan.parameters.maxDepth, "clamped")
            XCTAssertNotNil(plan.parameters.seed)
            XCTAssertNoThrow(try plan.parameters.validate())
        }
        XCTAssertEqual(planner.benchmarkPlan()?.parameters.seed, 0)
    }

    /// A plan is stored as before: `parameters` is the canonical name → value object (every
    /// parameter, `seed` included), and it reads back to the same typed plan.
    func testPlanJSONKeepsTheCanonicalNameObject() throws {
        let s = try spec(#"{"name": "t", "seed": 2, "models": 2, "vary": {"learning_rate": {"logUniform": [0.01, 0.3]}}}"#)
        let plan = try Planner(spec: s, dataset: Self.dataset).plans()[1]
        let data = try JSONEncoder().encode(plan)
        struct Stored: Decodable { let parameters: [String: Double] }
        let parameters = try JSONDecoder().decode(Stored.self, from: data).parameters
        XCTAssertEqual(Set(parameters.keys), Set(ParameterTable.all.map(\.name)))
        XCTAssertEqual(parameters["learning_rate"], plan.parameters.learningRate)
        XCTAssertEqual(parameters["seed"], Double(plan.parameters.seed!))
        XCTAssertEqual(try JSONDecoder().decode(ModelPlan.self, from: data), plan)
        // A stored plan with a value outside the table is refused, naming the parameter.
        var bad = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var values = parameters
        values["num_leaves"] = 1
        bad["parameters"] = values
        XCTAssertThrowsError(try JSONDecoder().decode(ModelPlan.self, from: JSONSerialization.data(withJSONObject: bad))) {
            XCTAssertTrue("\($0)".contains("num_leaves"), "\($0)")
        }
    }

    /// Failures outside the study file are `StudiesError`s: no JSON path (`$:`) in the message.
    func testNonJSONFailuresCarryNoJSONPath() throws {
        let dir = TestSupport.temporaryDirectory("typed-merge")
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertThrowsError(try ShardMerger.shardDirectories(in: dir)) { error in
            guard case StudiesError.noShards? = error as? StudiesError else { return XCTFail("\(error)") }
            XCTAssertFalse("\(error)".contains("$"), "\(error)")
            XCTAssertTrue("\(error)".hasPrefix(dir.appendingPathComponent("shards").path + ": no shards here"), "\(error)")
        }
        XCTAssertThrowsError(try StudyRunner.StudyRecordFile.read(dir)) { error in
            XCTAssertEqual(error as? StudiesError, .noStudyRecord(file: dir.appendingPathComponent("study.json").path))
            XCTAssertEqual("\(error)", dir.appendingPathComponent("study.json").path + ": no such file (not a study directory)")
        }
    }
}
