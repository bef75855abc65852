import XCTest
import Foundation
@testable import Boosting
import EraData
import Support
import TestSupport

/// LightGBM (PyPI, in the test venv) is the oracle: it trains models we import, and loads the
/// models we export.
struct OracleFailed: Error { let message: String }

final class LightGBMTextTests: XCTestCase {
    var directory: URL!
    override func setUp() { directory = TestSupport.temporaryDirectory("lgbtext") }
    override func tearDown() { try? FileManager.default.removeItem(at: directory) }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Trains a LightGBM model for a scenario; writes model.txt, X.bin (prediction rows, float64
    /// row-major) with shape.txt, and LightGBM's predictions of X as pred.bin.
    static let trainScript = TestSupport.oracleScript("BoostingTests/LightGBMTextTests-trainScript.py")

    /// Loads a model file with LightGBM and predicts X.bin; writes lgb_pred.bin.
    static let predictScript = TestSupport.oracleScript("BoostingTests/LightGBMTextTests-predictScript.py")

    func readDoubles(_ file: String) throws -> [Double] {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        return data.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
    }

    func writeDoubles(_ values: [Double], _ file: String) throws {
        try values.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: file))
    }

    func train(_ scenario: String) throws {
        let result = try TestSupport.python(Self.trainScript, [directory.path, scenario])
        XCTAssertEqual(result.status, 0, result.stderr)
        if result.status != 0 { throw OracleFailed(message: result.stderr) }
    }

    func rows() throws -> [[Double]] {
        let shape = try String(contentsOfFile: path("shape.txt"), encoding: .utf8).split(separator: " ").map { Int($0)! }
        let flat = try readDoubles(path("X.bin"))
        return (0..<shape[0]).map { Array(flat[($0 * shape[1])..<(($0 + 1) * shape[1])]) }
    }

    /// LightGBM's predictions of `rows` for a model file.
    func lightGBMPredict(modelFile: String, rows: [[Double]]) throws -> [Double] {
        let x = path("export_X.bin"), out = path("lgb_pred.bin")
        try writeDoubles(rows.flatMap { $0 }, x)
        let result = try TestSupport.python(Self.predictScript,
                                            [modelFile, x, String(rows.count), String(rows[0].count), out])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(result.stdout.contains("Warning"), "LightGBM warned: \(result.stdout)")
        return try readDoubles(out)
    }

    func assertClose(_ ours: [Double], _ theirs: [Double], relative: Double, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(ours.count, theirs.count, file: file, line: line)
        var worst = 0.0
        for (a, b) in zip(ours, theirs) { worst = max(worst, abs(a - b) / max(abs(b), 1e-300)) }
        XCTAssertLessThanOrEqual(worst, relative, "worst relative difference \(worst)", file: file, line: line)
    }

    // MARK: Import

    func testImportPredictsLikeLightGBM() throws {
        for scenario in ["integer", "nan", "zero", "stump"] {
            try train(scenario)
            let booster = try Booster.fromLightGBM(file: path("model.txt"))
            let x = try rows()
            let expected = try readDoubles(path("pred.bin"))
            let ours = try booster.predict(raw: x)
            assertClose(ours, expected, relative: 1e-12)
            // Summed in LightGBM's order, the match is in fact exact.
            XCTAssertEqual(ours.map(\.bitPattern), expected.map(\.bitPattern), scenario)
            // Column-major input and several threads give the same bits.
            let columns = (0..<x[0].count).map { c in x.map { $0[c] } }
            XCTAssertEqual(try booster.predict(rawColumns: columns, threads: 2).map(\.bitPattern),
                           ours.map(\.bitPattern))
            if scenario == "stump" {
                XCTAssertTrue(booster.trees.allSatisfy { $0.leafValue.count == 1 }, "expected single-leaf trees")
            }
            if scenario == "nan" {
                XCTAssertTrue(booster.trees.contains { $0.decisionType.contains { ($0 >> 2) & 3 == 2 } })
            }
            if scenario == "zero" {
                XCTAssertTrue(booster.trees.contains { $0.decisionType.contains { ($0 >> 2) & 3 == 1 } })
            }
            XCTAssertEqual(booster.parameters["learning_rate"], 0.05)
            XCTAssertEqual(booster.parameters["min_child_samples"], scenario == "stump" ? 5000 : 20)
            XCTAssertNil(booster.parameters["drop_rate"], "only parameters that mean something here")
            XCTAssertEqual(booster.featureNames.first, "Column_0")
        }
    }

    func testImportedModelReexportsToTheSamePredictions() throws {
        for scenario in ["nan", "zero", "stump"] {
            try train(scenario)
            let booster = try Booster.fromLightGBM(file: path("model.txt"))
            let exported = path("reexport.txt")
            try booster.saveLightGBM(to: exported)
            let x = try rows()
            let theirs = try lightGBMPredict(modelFile: exported, rows: x)
            XCTAssertEqual(theirs.map(\.bitPattern), try readDoubles(path("pred.bin")).map(\.bitPattern), scenario)
            // And the exported text imports back to the same trees.
            let again = try Booster.fromLightGBM(file: exported)
            XCTAssertEqual(again.trees.map(\.leafValue), booster.trees.map(\.leafValue))
            XCTAssertEqual(again.trees.map(\.threshold), booster.trees.map(\.threshold))
            XCTAssertEqual(again.trees.map(\.decisionType), booster.trees.map(\.decisionType))
        }
    }

    func testUnsupportedModelsAreClearErrors() throws {
        try train("categorical")
        XCTAssertThrowsError(try Booster.fromLightGBM(file: path("model.txt"))) { error in
            XCTAssertTrue("\(error)".contains("categorical splits are not supported"), "\(error)")
            XCTAssertTrue("\(error)".contains("model.txt"), "\(error)")
        }
        try train("multiclass")
        XCTAssertThrowsError(try Booster.fromLightGBM(file: path("model.txt"))) { error in
            XCTAssertTrue("\(error)".contains("multi-class"), "\(error)")
        }
    }

    func testMalformedTextNamesTheLine() throws {
        try train("integer")
        let text = try String(contentsOfFile: path("model.txt"), encoding: .utf8)
        // Truncated in the middle of the trees.
        let cut = String(text.prefix(text.count / 3))
        XCTAssertThrowsError(try Booster.fromLightGBM(text: cut, source: "cut.txt")) { error in
            XCTAssertTrue("\(error)".contains("cut.txt"), "\(error)")
        }
        // A bad number reports its line.
        var lines = text.components(separatedBy: "\n")
        let leafLine = lines.firstIndex { $0.hasPrefix("leaf_value=") }!
        lines[leafLine] = "leaf_value=0.1 abc"
        XCTAssertThrowsError(try Booster.fromLightGBM(text: lines.joined(separator: "\n"), source: "bad.txt")) { error in
            XCTAssertTrue("\(error)".contains("bad.txt, line \(leafLine + 1)"), "\(error)")
            // The error carries the facts (tree, key, counts); its text is composed once from them.
            guard case let .lightGBMModel("bad.txt", line?, .tree(0, .valueCount("leaf_value", 2, expected)))? = error as? BoostingError
            else { return XCTFail("\(error)") }
            XCTAssertEqual(line, leafLine + 1)
            XCTAssertEqual("\(error)", "LightGBM model bad.txt, line \(leafLine + 1): tree 0: `leaf_value` has 2 values, expected \(expected)")
        }
        XCTAssertThrowsError(try Booster.fromLightGBM(text: "hello\n", source: "junk.txt")) { error in
            XCTAssertEqual(error as? BoostingError, .lightGBMModel(source: "junk.txt", line: nil, .notLightGBMText))
            XCTAssertEqual("\(error)", "LightGBM model junk.txt: empty or not a LightGBM text model")
        }
        XCTAssertThrowsError(try Booster.fromLightGBM(text: text, featureNames: ["a"], source: "m.txt")) { error in
            XCTAssertEqual(error as? BoostingError, .lightGBMModel(source: "m.txt", line: nil, .givenFeatureNameCount(given: 1, features: 8)))
        }
    }

    // MARK: Export

    func testExportedModelPredictsIdenticallyInLightGBM() throws {
        var booster = RandomBoosters.booster(trees: 300, leaves: 31, featureCount: 20, seed: 5)
        booster.trees.insert(Tree(leafValue: [0.25], leafCount: [1000], shrinkage: 1), at: 0)  // single leaf
        booster.trees[9] = Tree(leafValue: [-0.003], shrinkage: 0.01)  // single leaf without counts
        booster.parameters["n_estimators"] = 300
        booster.parameters["min_child_samples"] = 20
        var rng = SplitMix64(seed: 99)
        var x = (0..<2000).map { _ in (0..<20).map { _ in Double(rng.int(5)) } }
        x[0] = [Double](repeating: .nan, count: 20)  // missing type none: NaN reads as 0
        let file = path("export.txt")
        try booster.saveLightGBM(to: file)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        XCTAssertFalse(text.contains("tree_sizes"))
        XCTAssertTrue(text.hasPrefix("tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\nlabel_index=0\nmax_feature_idx=19\n"))
        XCTAssertTrue(text.contains("threshold=1.0000000180025095e-35") || text.contains(" 1.0000000180025095e-35"))
        let ours = try booster.predict(raw: x)
        let theirs = try lightGBMPredict(modelFile: file, rows: x)
        assertClose(ours, theirs, relative: 1e-6)
        XCTAssertEqual(ours.map(\.bitPattern), theirs.map(\.bitPattern), "summed in the same order: exact")
        XCTAssertEqual(ours[0], try booster.predict(raw: [[Double](repeating: 0, count: 20)])[0])
        // Our importer reads our export back exactly.
        let back = try Booster.fromLightGBM(text: text)
        XCTAssertEqual(back.trees.map { $0.leafValue.map(\.bitPattern) }, booster.trees.map { $0.leafValue.map(\.bitPattern) })
        XCTAssertEqual(back.trees.map(\.threshold), booster.trees.map(\.threshold))
        XCTAssertEqual(back.trees.map(\.thresholdBin), booster.trees.map(\.thresholdBin))
        XCTAssertEqual(back.parameters["learning_rate"], 0.01)
        XCTAssertTrue(text.contains("[num_iterations: 300]\n"), "LightGBM's own parameter names")
        XCTAssertTrue(text.contains("[min_data_in_leaf: 20]\n"))
        XCTAssertEqual(back.parameters["n_estimators"], 300)
        XCTAssertEqual(back.parameters["colsample_bytree"], 0.1)
    }

    // MARK: Rebinning and bins

    func makeDataset(featureNames: [String], rows: [[Double]], binEdges: [[Double]] = []) -> Dataset {
        let columns = FeatureColumns(rowCount: rows.count, featureCount: featureNames.count)
        let n = rows.count
        return Dataset(features: columns, featureNames: featureNames, binEdges: binEdges, targetNames: ["target"],
                       targets: [[Float](repeating: 0.5, count: n)], eras: ["era1"],
                       eraOfRow: [Int32](repeating: 0, count: n), ids: (0..<n).map { "id\($0)" },
                       splitOfRow: [Split](repeating: .train, count: n))
    }

    func testRebinnedImportPredictsTheSameThroughBins() throws {
        try train("integer")
        let booster = try Booster.fromLightGBM(file: path("model.txt"))
        let x = try rows()
        let expected = try readDoubles(path("pred.bin"))
        // The dataset orders features differently and has an extra one.
        var names = booster.featureNames.reversed().map { $0 }
        names.insert("extra", at: 3)
        let dataset = makeDataset(featureNames: names, rows: x)
        let rebinned = try booster.rebinned(for: dataset)
        XCTAssertEqual(rebinned.featureNames, names)
        let columns = names.map { name in x.map { row in name == "extra" ? 7 : row[booster.featureNames.firstIndex(of: name)!] } }
        XCTAssertEqual(try rebinned.predict(rawColumns: columns), expected)
        XCTAssertEqual(try rebinned.predictThroughBins(rawColumns: columns), expected)
        // Named columns in any order.
        XCTAssertEqual(try booster.predict(raw: x.map { $0.reversed() }, columnNames: booster.featureNames.reversed()), expected)

        let lacking = makeDataset(featureNames: ["Column_0", "other"], rows: x)
        XCTAssertThrowsError(try booster.rebinned(for: lacking)) { error in
            XCTAssertTrue("\(error)".contains("Column_1"), "\(error)")
        }
        XCTAssertThrowsError(try booster.predict(raw: x, columnNames: ["Column_0"] + (1..<8).map { "x\($0)" })) { error in
            XCTAssertTrue("\(error)".contains("Column_1"), "\(error)")
        }
    }

    func testRebinningOntoEdgesAndPruningSplitsBelowEveryBin() throws {
        // Feature 0 is edge-binned (bin b holds x ≤ edges[b]); feature 1 is integer-binned.
        let edges: [[Double]] = [[-1, 0.5, 2, .infinity], []]
        // Root: f1 ≤ -0.5 (nothing goes left on integer bins), else f0 ≤ 0.7 (bins 0,1 left).
        let tree = Tree(splitFeature: [1, 0], threshold: [-0.5, 0.7], leftChild: [-1, -2], rightChild: [1, -3],
                        leafValue: [100, 1, 2], shrinkage: 1)
        let booster = Booster(trees: [tree, Tree(leafValue: [0.5])], featureNames: ["a", "b"])
        let values: [[Double]] = [[-3, 0], [-1, 4], [0.2, 1], [0.5, 2], [0.45, 3], [1.9, 0], [2, 1], [5, 2], [.nan, 0]]
        let dataset = makeDataset(featureNames: ["a", "b"], rows: values, binEdges: edges)
        let rebinned = try booster.rebinned(for: dataset)
        XCTAssertEqual(rebinned.trees[0].splitFeature, [0], "the always-right split is removed")
        XCTAssertEqual(rebinned.trees[0].thresholdBin, [1])
        XCTAssertEqual(rebinned.trees[0].leafValue, [1, 2])
        let columns = [values.map { $0[0] }, values.map { $0[1] }]
        let raw = try booster.predict(rawColumns: columns)
        XCTAssertEqual(raw, [1.5, 1.5, 1.5, 1.5, 1.5, 2.5, 2.5, 2.5, 1.5])
        XCTAssertEqual(try rebinned.predictThroughBins(rawColumns: columns), raw)
        XCTAssertEqual(try rebinned.predict(rawColumns: columns), raw)
        XCTAssertEqual(values.map { rebinned.bin(rawValue: $0[0], feature: 0) }, [0, 0, 1, 1, 1, 2, 2, 3, 1])
    }
}

final class LightGBMTextSpeedTests: XCTestCase {
    /// A 2000-tree model exported as LightGBM text and imported back keeps its trees.
    func testLargeModelTextRoundTrip() throws {
        let booster = RandomBoosters.booster(trees: 2000, leaves: 31, featureCount: 2376, seed: 3)
        let text = booster.lightGBMText()
        let back = try Booster.fromLightGBM(text: text)
        XCTAssertEqual(back.trees.map(\.leafValue), booster.trees.map(\.leafValue))
        XCTAssertEqual(back.trees.map(\.splitFeature), booster.trees.map(\.splitFeature))
        XCTAssertEqual(back.featureNames, booster.featureNames)
    }

    /// Raw-column prediction (16k rows × 2000 trees) gives the same bits on one and two threads
    /// (its speed is bench/gbdt's `predict_seconds`).
    func testRawPredictionIsTheSameOnTwoThreads() throws {
        let booster = RandomBoosters.booster(trees: 2000, leaves: 31, featureCount: 300, seed: 4)
        var rng = SplitMix64(seed: 8)
        let columns = (0..<300).map { _ in (0..<16_384).map { _ in Double(rng.int(5)) } }
        let one = try booster.predict(rawColumns: columns)
        let two = try booster.predict(rawColumns: columns, threads: 2)
        XCTAssertEqual(one.map(\.bitPattern), two.map(\.bitPattern))
    }
}
