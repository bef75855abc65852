import Foundation
import TestSupport
import XCTest
@testable import Parquet

/// A Numerai-shaped file as Numerai ships it (pandas → pyarrow, snappy, dictionary): every value
/// compared with what pyarrow reads.
final class NumeraiShapedTests: XCTestCase {
    static let script = TestSupport.oracleScript("ParquetTests/NumeraiShapedTests-script.py")

    func testNumeraiShapedFileMatchesPyarrow() throws {
        let dir = TestSupport.temporaryDirectory("parquet-numerai")
        defer { try? FileManager.default.removeItem(at: dir) }
        let rows = 100_000
        _ = try Fixtures.python(Self.script, [dir.path, String(rows)])
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("expected.json"))) as! [String: Any]
        XCTAssertEqual(expected["codec"] as? String, "SNAPPY")
        XCTAssertTrue((expected["encodings"] as! [String]).contains { $0.contains("DICTIONARY") }, "\(expected["encodings"]!)")

        let file = try ParquetFile(path: dir.appendingPathComponent("numerai.parquet").path)
        XCTAssertEqual(file.rowCount, rows)
        XCTAssertEqual(file.pandasIndexColumns, expected["index"] as! [String])
        XCTAssertEqual(file.pandasIndexColumns, ["id"])
        let featureNames = expected["features"] as! [String]
        XCTAssertEqual(featureNames.count, 300)
        XCTAssertEqual(file.column(named: featureNames[0])?.logicalType, .integer(bitWidth: 8, signed: true))

        let bins = try file.readInt8Bins(featureNames, validBins: 0...4)
        let wantFeatures = [UInt8](try Data(contentsOf: dir.appendingPathComponent("features.bin")))
        XCTAssertEqual(wantFeatures.count, 300 * rows)
        for (f, column) in bins.enumerated() where !column.elementsEqual(wantFeatures[(f * rows)..<((f + 1) * rows)]) {
            XCTFail("feature \(featureNames[f]) differs from pyarrow")
        }
        // The natural-type read of a feature agrees too.
        guard case .int32(let raw, _) = try file.readColumn(featureNames[7]) else { return XCTFail("int8 should read as int32") }
        XCTAssertEqual(raw.map { UInt8($0) }, bins[7])

        let targetNames = expected["targets"] as! [String]
        let targets = try file.readFloatColumns(targetNames)
        let wantTargets = try Data(contentsOf: dir.appendingPathComponent("targets.bin")).withUnsafeBytes { Array($0.bindMemory(to: UInt32.self)) }
        for (t, column) in targets.enumerated() {
            let got = column.map(\.bitPattern)
            if !got.elementsEqual(wantTargets[(t * rows)..<((t + 1) * rows)]) { XCTFail("target \(targetNames[t]) differs from pyarrow") }
        }
        XCTAssertEqual(try file.readStringColumn("id").values, expected["ids"] as! [String])
        XCTAssertEqual(try file.readStringColumn("era").values, expected["eras"] as! [String])
    }
}
