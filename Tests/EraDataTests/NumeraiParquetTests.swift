import Foundation
import TestSupport
import XCTest
@testable import EraData

/// Numerai's v5 files (written by pandas + pyarrow) → Dataset, checked against pandas doing the same
/// concatenation, era sort and null handling.
final class NumeraiParquetTests: XCTestCase {
    var directory: URL!
    override func setUp() { directory = TestSupport.temporaryDirectory("numerai-parquet") }
    override func tearDown() { try? FileManager.default.removeItem(at: directory) }

    /// Writes train/validation/live parquet files and features.json; then the expected dataset for the
    /// `small` feature set: rows stable-sorted by era (numeric), null features → 2.
    static let script = TestSupport.oracleScript("EraDataTests/NumeraiParquetTests-script.py")

    func write() throws -> [String: Any] {
        let result = try TestSupport.python(Self.script, [directory.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        return try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("expected.json"))) as! [String: Any]
    }

    func testDirectoryWithFeatureSetMatchesPandas() throws {
        let expected = try write()
        let d = try NumeraiParquet.readDirectory(directory.path, featureSet: "small")
        XCTAssertEqual(d.featureNames, expected["features"] as! [String])
        XCTAssertEqual(d.ids, expected["ids"] as! [String])
        XCTAssertEqual(d.eras, expected["eras"] as! [String])
        XCTAssertEqual(d.eras.last, "X")
        XCTAssertEqual(d.eraOfRow.map(Int.init), expected["era_of_row"] as! [Int])
        XCTAssertEqual(d.splitOfRow.map(\.rawValue), expected["split"] as! [String])
        XCTAssertEqual(d.binCounts, [5, 5, 5])
        for (f, bins) in (expected["bins"] as! [[Int]]).enumerated() {
            XCTAssertEqual(Array(d.features.column(f)).map(Int.init), bins, d.featureNames[f])
        }
        XCTAssertEqual(d.targetNames, expected["targets"] as! [String])
        for (t, values) in (expected["target_values"] as! [[Any]]).enumerated() {
            for (r, v) in values.enumerated() {
                if let v = v as? Double { XCTAssertEqual(d.targets[t][r], Float(v), "\(d.targetNames[t]) row \(r)") } else {
                    XCTAssertTrue(d.targets[t][r].isNaN, "\(d.targetNames[t]) row \(r)")
                }
            }
        }
        XCTAssertEqual(d.metadata["feature_set"], "small")
        XCTAssertEqual(d.splitCounts, [.train: 900, .validation: 500, .live: 50])
        // A single-era file is already in era order: decoded straight into place, same values.
        let live = try NumeraiParquet.read(paths: [directory.appendingPathComponent("live.parquet").path], featureSet: "small")
        XCTAssertEqual(live.ids, Array(d.ids.suffix(50)))
        XCTAssertEqual(live.targetNames, ["target"])
        XCTAssertTrue(live.targets[0].allSatisfy(\.isNaN))
        for f in 0..<3 { XCTAssertEqual(Array(live.features.column(f)), Array(d.features.column(f).suffix(50))) }
    }

    func testAllFeaturesAndExplicitTargets() throws {
        _ = try write()
        let paths = ["train", "validation"].map { directory.appendingPathComponent("\($0).parquet").path }
        let d = try NumeraiParquet.read(paths: paths, targets: ["target_x_60"])
        XCTAssertEqual(d.featureCount, 7)
        XCTAssertEqual(d.targetNames, ["target_x_60"])
        XCTAssertEqual(d.rowCount, 1400)
        let medium = try NumeraiParquet.read(paths: paths, featureSet: "medium",
                                             featuresJSON: directory.appendingPathComponent("features.json").path)
        XCTAssertEqual(medium.featureNames, Array(d.featureNames.prefix(5)))
        for f in 0..<5 { XCTAssertEqual(Array(medium.features.column(f)), Array(d.features.column(f))) }
    }

    func testEraOrder() {
        let names = ["0010", "X", "0002", "1", "era10", "era9", "live"]
        XCTAssertEqual(EraOrder.indices(names).map { names[$0] }, ["1", "0002", "0010", "era9", "era10", "X", "live"])
    }

    func testErrors() throws {
        _ = try write()
        let train = directory.appendingPathComponent("train.parquet").path
        XCTAssertThrowsError(try NumeraiParquet.readDirectory(directory.path, featureSet: "smal")) { error in
            XCTAssertTrue("\(error)".contains("no feature set 'smal' (did you mean 'small'?)"), "\(error)")
        }
        let elsewhere = TestSupport.temporaryDirectory("numerai-elsewhere")
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        let copy = elsewhere.appendingPathComponent("train.parquet").path
        try FileManager.default.copyItem(atPath: train, toPath: copy)
        XCTAssertThrowsError(try NumeraiParquet.read(paths: [copy], featureSet: "small")) { error in
            XCTAssertTrue("\(error)".contains("needs features.json"), "\(error)")
        }
        XCTAssertThrowsError(try NumeraiParquet.readDirectory(elsewhere.appendingPathComponent("none").path, featureSet: nil)) { error in
            XCTAssertTrue("\(error)".contains("no train.parquet"), "\(error)")
        }
        // Mismatched feature columns name the columns.
        let script = TestSupport.oracleScript("EraDataTests/NumeraiParquetTests-Errors.py")
        let other = elsewhere.appendingPathComponent("validation.parquet").path
        let badValues = elsewhere.appendingPathComponent("bad_train.parquet").path
        let unknownSplit = elsewhere.appendingPathComponent("odd_train.parquet").path
        let nullEra = elsewhere.appendingPathComponent("gap_train.parquet").path
        let result = try TestSupport.python(script, [train, other, badValues, unknownSplit, nullEra])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertThrowsError(try NumeraiParquet.read(paths: [train, other])) { error in
            XCTAssertEqual("\(error)", "\(other): feature columns differ from \(train): missing 'feature_beta'; extra 'feature_omega'")
        }
        XCTAssertThrowsError(try NumeraiParquet.read(paths: [badValues])) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(badValues): column 'feature_gamma', row group 0"), "\(error)")
            XCTAssertTrue("\(error)".contains("value 7 is not a bin in 0...4"), "\(error)")
        }
        // Rows are named 1-based, with their column.
        XCTAssertThrowsError(try NumeraiParquet.read(paths: [unknownSplit])) { error in
            XCTAssertEqual("\(error)", "\(unknownSplit), column 'data_type', row 5: unknown data_type 'tournament' "
                           + "(expected train, validation, live or test)")
        }
        XCTAssertThrowsError(try NumeraiParquet.read(paths: [nullEra])) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(nullEra), column 'era', row 3: null value"), "\(error)")
        }
        XCTAssertThrowsError(try NumeraiParquet.read(paths: [train, train])) { error in
            XCTAssertEqual("\(error)", "duplicate id 't00000' at \(train), row 1 and \(train), row 1")
        }
    }
}
