import Foundation
import XCTest
import TestSupport
@testable import Boosting

final class ParameterTests: XCTestCase {
    /// Every field read straight off the struct by its canonical name (not through the table's
    /// accessor, which these tests check), so that the checks below are tables of expected values.
    private static let fields: [String: @Sendable (BoostingParameters) -> Double?] = [
        "learning_rate": { $0.learningRate }, "n_estimators": { Double($0.nEstimators) },
        "num_leaves": { Double($0.numLeaves) }, "max_depth": { Double($0.maxDepth) },
        "min_child_samples": { Double($0.minChildSamples) }, "min_sum_hessian_in_leaf": { $0.minSumHessianInLeaf },
        "reg_lambda": { $0.regLambda }, "reg_alpha": { $0.regAlpha }, "colsample_bytree": { $0.colsampleBytree },
        "subsample": { $0.subsample }, "subsample_freq": { Double($0.subsampleFreq) },
        "max_bin": { Double($0.maxBin) }, "min_split_gain": { $0.minSplitGain }, "seed": { $0.seed.map(Double.init) },
    ]

    /// Asserts each named field's value (nil: an unset `seed`).
    private func assertFields(_ p: BoostingParameters, _ expected: [String: Double?],
                              file: StaticString = #filePath, line: UInt = #line) {
        for (name, value) in expected.sorted(by: { $0.key < $1.key }) {
            guard let field = Self.fields[name] else {
                return XCTFail("no field '\(name)'", file: file, line: line)
            }
            XCTAssertEqual(field(p), value, name, file: file, line: line)
        }
    }

    func testDefaultsAreLightGBMs() throws {
        let p = try BoostingParameters([:])
        XCTAssertEqual(p, BoostingParameters())
        assertFields(p, ["learning_rate": 0.1, "n_estimators": 100, "num_leaves": 31, "max_depth": -1,
                         "min_child_samples": 20, "min_sum_hessian_in_leaf": 1e-3, "reg_lambda": 0, "reg_alpha": 0,
                         "colsample_bytree": 1, "subsample": 1, "subsample_freq": 0, "max_bin": 255,
                         "min_split_gain": 0, "seed": nil])
        XCTAssertEqual(Set(Self.fields.keys), Set(ParameterTable.all.map(\.name)), "one field a table row")
        // The table's defaults are the struct's defaults.
        for spec in ParameterTable.all where spec.name != "seed" {
            XCTAssertEqual(p.resolved[spec.name], spec.defaultValue, spec.name)
        }
    }

    func testAliasesResolveToCanonicalNames() throws {
        let cases: [(String, String)] = [
            ("eta", "learning_rate"), ("shrinkage_rate", "learning_rate"),
            ("num_iterations", "n_estimators"), ("num_trees", "n_estimators"), ("num_boost_round", "n_estimators"),
            ("n_iter", "n_estimators"), ("num_leaf", "num_leaves"), ("max_leaves", "num_leaves"),
            ("min_data_in_leaf", "min_child_samples"), ("min_data_per_leaf", "min_child_samples"),
            ("min_child_weight", "min_sum_hessian_in_leaf"), ("lambda_l2", "reg_lambda"), ("lambda", "reg_lambda"),
            ("lambda_l1", "reg_alpha"), ("feature_fraction", "colsample_bytree"), ("sub_feature", "colsample_bytree"),
            ("bagging_fraction", "subsample"), ("sub_row", "subsample"), ("bagging_freq", "subsample_freq"),
            ("min_gain_to_split", "min_split_gain"), ("random_state", "seed"), ("random_seed", "seed"),
        ]
        for (alias, canonical) in cases {
            XCTAssertEqual(ParameterTable.spec(named: alias)?.name, canonical, alias)
        }
        let p = try BoostingParameters(["eta": 0.05, "num_iterations": 7, "lambda_l2": 3, "feature_fraction": 0.5,
                                        "bagging_fraction": 0.8, "bagging_freq": 2, "random_state": 9,
                                        "min_data_in_leaf": 5, "max_leaves": 10])
        assertFields(p, ["learning_rate": 0.05, "n_estimators": 7, "reg_lambda": 3, "colsample_bytree": 0.5,
                         "subsample": 0.8, "subsample_freq": 2, "seed": 9, "min_child_samples": 5, "num_leaves": 10])
        XCTAssertEqual(p.resolved["learning_rate"], 0.05)
        XCTAssertEqual(p.resolved["seed"], 9)
        XCTAssertEqual(try BoostingParameters(p.resolved), p, "resolved round-trips")
    }

    func testUnknownNamesSuggestTheClosest() {
        XCTAssertThrowsError(try BoostingParameters(["learning_rat": 0.1])) { error in
            XCTAssertEqual("\(error)", "unknown parameter 'learning_rat' (did you mean 'learning_rate'?)")
        }
        XCTAssertThrowsError(try BoostingParameters(["colsample_by_tree": 0.1])) { error in
            XCTAssertTrue("\(error)".contains("did you mean 'colsample_bytree'"), "\(error)")
        }
        XCTAssertThrowsError(try BoostingParameters(["Num-Leaves": 3])) { error in
            XCTAssertTrue("\(error)".contains("did you mean 'num_leaves'"), "\(error)")
        }
        XCTAssertThrowsError(try BoostingParameters(["zzzzzzzzzzzz": 1])) { error in
            XCTAssertEqual("\(error)", "unknown parameter 'zzzzzzzzzzzz'")
        }
    }

    func testOutOfRangeValuesNameTheParameterAndRange() {
        let cases: [(String, Double, String)] = [
            ("learning_rate", 0, "parameter 'learning_rate' = 0 is out of range (0, ∞)"),
            ("colsample_bytree", 1.5, "parameter 'colsample_bytree' = 1.5 is out of range (0, 1]"),
            ("colsample_bytree", 0, "parameter 'colsample_bytree' = 0 is out of range (0, 1]"),
            ("num_leaves", 1, "parameter 'num_leaves' = 1 is out of range (1, 131072]"),
            ("max_bin", 1, "parameter 'max_bin' = 1 is out of range (1, ∞)"),
            ("reg_lambda", -1, "parameter 'reg_lambda' = -1 is out of range [0, ∞)"),
            ("lambda_l1", -0.5, "parameter 'lambda_l1' = -0.5 is out of range [0, ∞)"),
            ("min_child_samples", -1, "parameter 'min_child_samples' = -1 is out of range [0, ∞)"),
            ("subsample", 0, "parameter 'subsample' = 0 is out of range (0, 1]"),
        ]
        for (name, value, message) in cases {
            XCTAssertThrowsError(try BoostingParameters([name: value])) { error in
                XCTAssertEqual("\(error)", message)
                guard case .parameter(let named, _, _)? = error as? BoostingError else { return XCTFail("\(error)") }
                XCTAssertEqual(named, name)
            }
        }
    }

    func testIntegersMustBeIntegralAndNumbersFinite() {
        XCTAssertThrowsError(try BoostingParameters(["num_leaves": 7.5])) { error in
            XCTAssertEqual("\(error)", "parameter 'num_leaves' = 7.5 must be an integer")
        }
        XCTAssertThrowsError(try BoostingParameters(["max_depth": 2.0000001]))
        XCTAssertNoThrow(try BoostingParameters(["max_depth": 3.0]))
        XCTAssertThrowsError(try BoostingParameters(["learning_rate": .nan])) { error in
            XCTAssertTrue("\(error)".contains("finite"))
        }
    }

    func testTheSameParameterTwiceIsAnError() {
        XCTAssertThrowsError(try BoostingParameters(["reg_lambda": 1, "lambda_l2": 2])) { error in
            XCTAssertTrue("\(error)".contains("given twice"), "\(error)")
        }
    }

    func testMarkdownTableListsEveryParameter() {
        let table = ParameterTable.markdownTable()
        XCTAssertTrue(table.hasPrefix("| name | LightGBM | aliases | type | range | default | meaning |"))
        for spec in ParameterTable.all {
            XCTAssertTrue(table.contains("| `\(spec.name)` | `\(spec.lightGBMName)` |"), spec.name)
            for alias in spec.aliases { XCTAssertTrue(table.contains("`\(alias)`"), alias) }
        }
        XCTAssertEqual(table.split(separator: "\n").count, ParameterTable.all.count + 2)
    }

    /// LightGBM's own alias table (`_ConfigAliases`, from `LGBM_DumpParamAliases`) resolves our
    /// name, every alias and the LightGBM column to the LightGBM column.
    func testLightGBMNamesAreLightGBMsCanonicalNames() throws {
        let r = try TestSupport.pythonOracle("BoostingTests/ParameterTests-LightGBMNames.py")
        XCTAssertEqual(r.status, 0, r.stderr)
        let canonical = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: String])
        for spec in ParameterTable.all {
            for name in [spec.name, spec.lightGBMName] + spec.aliases {
                XCTAssertEqual(canonical[name], spec.lightGBMName, "\(spec.name): \(name)")
            }
            XCTAssertEqual(ParameterTable.spec(lightGBMName: spec.lightGBMName), spec)
            XCTAssertEqual(ParameterTable.spec(canonical: spec.name), spec)
        }
        XCTAssertNil(ParameterTable.spec(canonical: "eta"), "aliases are not canonical names")
    }

    /// The typed accessor reaches every field: a value set through a row reads back through the
    /// struct, `resolved` and `lightGBM`; nil restores the default (and unsets `seed`).
    func testRowAccessorMatchesTheFields() throws {
        var p = BoostingParameters()
        for (i, spec) in ParameterTable.all.enumerated() {
            let value = spec.kind == .integer ? Double(i + 2) : 0.5
            p[spec] = value
            assertFields(p, [spec.name: value])
            XCTAssertEqual(p.resolved[spec.name], value, spec.name)
            XCTAssertEqual(p.lightGBM[spec.lightGBMName], value, spec.name)
        }
        XCTAssertEqual(try BoostingParameters(p.resolved), p)
        assertFields(p, ["learning_rate": 0.5, "n_estimators": 3, "seed": Double(ParameterTable.all.count + 1)])
        for spec in ParameterTable.all { p[spec] = nil }
        XCTAssertEqual(p, BoostingParameters())
    }

    func testCodableRoundTrip() throws {
        let p = try BoostingParameters(["learning_rate": 0.01, "seed": 3, "max_depth": 5])
        let data = try JSONEncoder().encode(p)
        XCTAssertEqual(try JSONDecoder().decode(BoostingParameters.self, from: data), p)
    }

    /// LightGBM's `Config::Set`: seed 0 → data 38 (first draw of its generator).
    func testSeedDerivationFollowsLightGBM() {
        let s = LightGBMSeeds(seed: 0)
        var r = LightGBMRandom(seed: 0)
        XCTAssertEqual(Int(s.data), r.nextShort(0, 32767))
        XCTAssertEqual(s.data, 38)
        let unset = LightGBMSeeds(seed: nil)
        XCTAssertEqual([unset.data, unset.featureFraction, unset.bagging], [1, 2, 3])
    }
}

extension ParameterTests {
    /// The README's parameter list is the table's output (regenerate with `ParameterTable.markdownTable()`).
    func testReadmeParameterListIsGeneratedFromTheTable() throws {
        let readme = try String(contentsOf: TestSupport.repoRoot.appendingPathComponent("Sources/Boosting/README.md"),
                                encoding: .utf8)
        if ProcessInfo.processInfo.environment["WORKBENCH_PRINT_PARAMETER_TABLE"] != nil {
            print(ParameterTable.markdownTable())
        }
        XCTAssertTrue(readme.contains(ParameterTable.markdownTable()),
                      "Sources/Boosting/README.md parameter list is out of date")
    }
}
