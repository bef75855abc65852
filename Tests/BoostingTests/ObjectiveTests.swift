import Foundation
import XCTest
@testable import Boosting
import EraData
import TestSupport

/// Imported LightGBM objectives: predictions are LightGBM's `predict` (the objective's transform
/// of the raw score), the objective survives .wbm and text round trips, others are refused by name.
final class ObjectiveTests: XCTestCase {
    static let model = """
    tree
    version=v4
    num_class=1
    num_tree_per_iteration=1
    label_index=0
    max_feature_idx=0
    objective=OBJECTIVE
    feature_names=x
    feature_infos=[0:4]

    Tree=0
    num_leaves=2
    num_cat=0
    split_feature=0
    split_gain=1
    threshold=1.5
    decision_type=2
    left_child=-1
    right_child=-2
    leaf_value=-0.75 0.5
    leaf_count=10 10
    internal_value=0
    internal_count=20
    is_linear=0
    shrinkage=1


    end of trees
    """

    func booster(_ objective: String, crlf: Bool = false) throws -> Booster {
        var text = Self.model.replacingOccurrences(of: "OBJECTIVE", with: objective)
        if crlf { text = text.replacingOccurrences(of: "\n", with: "\r\n") }
        return try Booster.fromLightGBM(text: text)
    }

    func testTransformsMatchLightGBMsFormulas() throws {
        let raw: [Double] = [-0.75, 0.5]
        let cases: [(String, (Double) -> Double)] = [
            ("regression", { $0 }), ("regression_l1", { $0 }), ("huber", { $0 }), ("quantile", { $0 }),
            ("binary sigmoid:1", { 1 / (1 + exp(-$0)) }), ("binary sigmoid:2.5", { 1 / (1 + exp(-2.5 * $0)) }),
            ("cross_entropy", { 1 / (1 + exp(-$0)) }), ("cross_entropy_lambda", { log1p(exp($0)) }),
            ("poisson", { exp($0) }), ("gamma", { exp($0) }), ("tweedie tweedie_variance_power:1.5", { exp($0) }),
            ("regression sqrt", { $0 * abs($0) }),
        ]
        for (objective, f) in cases {
            for crlf in [false, true] {
                let b = try booster(objective, crlf: crlf)
                let p = try b.predict(rawColumns: [[0, 3]])
                XCTAssertEqual(p[0], f(raw[0]), accuracy: 1e-15, objective)
                XCTAssertEqual(p[1], f(raw[1]), accuracy: 1e-15, objective)
                // Through bins, our model file, and LightGBM text again: the same predictions.
                let again = try ModelFile.decode(b.modelFileBytes(), path: "m.wbm")
                XCTAssertEqual(try again.predict(rawColumns: [[0, 3]]), p, objective)
                XCTAssertEqual(try Booster.fromLightGBM(text: b.lightGBMText()).predict(rawColumns: [[0, 3]]), p, objective)
            }
        }
    }

    func testRegressionModelFilesAreUnchanged() throws {
        // No objective key in the header of L2 models: files written before stay byte-identical.
        let b = try booster("regression")
        XCTAssertNil(b.objective)
        XCTAssertFalse(String(decoding: b.modelFileBytes(), as: UTF8.self).contains("objective"))
    }

    func testOtherObjectivesAreRefusedByName() {
        for objective in ["lambdarank", "rank_xendcg", "multiclassova", "custom"] {
            XCTAssertThrowsError(try booster(objective)) { error in
                XCTAssertTrue("\(error)".contains("objective '\(objective)' is not supported"), "\(error)")
                XCTAssertTrue("\(error)".contains("line 7"), "\(error)")
            }
        }
    }

    func testNaNThresholdsAndLeafValuesAreRefused() {
        let nanThreshold = Self.model.replacingOccurrences(of: "OBJECTIVE", with: "regression")
            .replacingOccurrences(of: "threshold=1.5", with: "threshold=nan")
        XCTAssertThrowsError(try Booster.fromLightGBM(text: nanThreshold)) { XCTAssertTrue("\($0)".contains("threshold nan"), "\($0)") }
        let nanLeaf = Self.model.replacingOccurrences(of: "OBJECTIVE", with: "regression")
            .replacingOccurrences(of: "leaf_value=-0.75 0.5", with: "leaf_value=-0.75 nan")
        XCTAssertThrowsError(try Booster.fromLightGBM(text: nanLeaf)) { XCTAssertTrue("\($0)".contains("not a finite"), "\($0)") }
    }
}
