import Foundation
import TestSupport
import XCTest
@testable import Parquet

/// Every value of every pyarrow-written fixture (type × encoding × compression × page version, with
/// nulls, several row groups and many small pages) must equal what pyarrow reads back.
final class MatrixTests: XCTestCase {
    nonisolated(unsafe) static var directory: URL!
    nonisolated(unsafe) static var names: [String] = []

    override class func setUp() {
        super.setUp()
        directory = TestSupport.temporaryDirectory("parquet-matrix")
        let result = try? TestSupport.python(Fixtures.matrixScript, [directory.path])
        if let result, result.status == 0 {
            names = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String]) ?? []
        } else {
            print("fixture script failed: \(result?.stderr ?? "no python at \(TestSupport.python)")")
        }
    }

    override class func tearDown() {
        try? FileManager.default.removeItem(at: directory)
        super.tearDown()
    }

    func testFixturesWereWritten() {
        XCTAssertEqual(Self.names.count, 18, "pyarrow fixture script failed (see output)")
    }

    func testEveryValueMatchesPyarrow() throws {
        XCTAssertFalse(Self.names.isEmpty)
        for name in Self.names {
            let file = try ParquetFile(path: Self.directory.appendingPathComponent(name + ".parquet").path)
            let expected = try Fixtures.expected(Self.directory.appendingPathComponent(name + ".json"))
            XCTAssertEqual(file.rowCount, 2500, name)
            XCTAssertEqual(file.rowGroupSizes, [600, 600, 600, 600, 100], name)
            XCTAssertEqual(Set(file.columnNames), Set(expected.keys), name)
            let columns = try file.readColumns(file.columnNames)
            for (info, column) in zip(file.schema, columns) {
                let want = expected[info.name]!
                let got = Fixtures.text(column)
                XCTAssertEqual(got.count, want.count, "\(name) \(info.name)")
                if let row = got.indices.first(where: { got[$0] != want[$0] }) {
                    XCTFail("\(name) column \(info.name) row \(row): got \(got[row] ?? "null"), pyarrow \(want[row] ?? "null")")
                }
            }
        }
    }

    func testSchemaTypes() throws {
        for name in ["plain-none-v1.0", "dict-snappy-v2.0"] {
            let file = try ParquetFile(path: Self.directory.appendingPathComponent(name + ".parquet").path)
            let info = Dictionary(uniqueKeysWithValues: file.schema.map { ($0.name, $0) })
            XCTAssertEqual(info["i8"]?.physicalType, .int32)
            XCTAssertEqual(info["i8"]?.logicalType, .integer(bitWidth: 8, signed: true), name)
            XCTAssertEqual(info["i16"]?.logicalType, .integer(bitWidth: 16, signed: true), name)
            XCTAssertEqual(info["s"]?.physicalType, .byteArray)
            XCTAssertEqual(info["s"]?.logicalType, .string, name)
            XCTAssertEqual(info["f64"]?.physicalType, .double)
            XCTAssertEqual(info["b"]?.physicalType, .boolean)
            XCTAssertEqual(info["i8"]?.isOptional, true)
            XCTAssertEqual(info["i8req"]?.isOptional, false, name)
        }
    }

    func testTypedReadsMatchPyarrow() throws {
        for name in Self.names {
            let file = try ParquetFile(path: Self.directory.appendingPathComponent(name + ".parquet").path)
            let expected = try Fixtures.expected(Self.directory.appendingPathComponent(name + ".json"))
            // Bins: int8 0..4, required.
            let bins = try file.readInt8Bins("i8req", validBins: 0...4)
            XCTAssertEqual(bins.map { String($0) }, expected["i8req"]!.map { $0! }, name)
            // Floats: nulls → NaN, others converted.
            let target = try file.readFloatColumn("target")
            for (i, e) in expected["target"]!.enumerated() {
                if let e { XCTAssertEqual(Fixtures.hex(UInt64(target[i].bitPattern), 8), e, "\(name) target \(i)") } else {
                    XCTAssertTrue(target[i].isNaN, "\(name) target \(i) should be NaN")
                }
            }
            let ints = try file.readFloatColumns(["i16", "i64small", "allnull"])
            for (i, e) in expected["i16"]!.enumerated() {
                if let e { XCTAssertEqual(ints[0][i], Float(Int(e)!)) } else { XCTAssertTrue(ints[0][i].isNaN) }
            }
            for (i, e) in expected["i64small"]!.enumerated() {
                if let e { XCTAssertEqual(ints[1][i], Float(Int(e)!)) } else { XCTAssertTrue(ints[1][i].isNaN) }
            }
            XCTAssertTrue(ints[2].allSatisfy(\.isNaN))
            let doubles = try file.readDoubleColumn("f64")
            for (i, e) in expected["f64"]!.enumerated() {
                if let e { XCTAssertEqual(Fixtures.hex(doubles[i].bitPattern, 16), e) } else { XCTAssertTrue(doubles[i].isNaN) }
            }
            // Nulls in a bins column take the null bin.
            let i64bins = try file.readInt8Bins("i64small", nullBin: 9)
            XCTAssertEqual(i64bins.map { String($0) }, expected["i64small"]!.map { $0 ?? "9" }, name)
        }
    }

    func testTypedReadErrorsNameColumn() throws {
        let file = try ParquetFile(path: Self.directory.appendingPathComponent("dict-snappy-v1.0.parquet").path)
        XCTAssertThrowsError(try file.readInt8Bins("i8", validBins: 0...4)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("dict-snappy-v1.0.parquet") && text.contains("'i8'") && text.contains("not a bin"), text)
        }
        XCTAssertThrowsError(try file.readFloatColumn("s")) { XCTAssertTrue("\($0)".contains("'s' is BYTE_ARRAY, not numeric"), "\($0)") }
        XCTAssertThrowsError(try file.readColumn("targte")) { XCTAssertTrue("\($0)".contains("did you mean 'target'"), "\($0)") }
    }

    func testInMemoryOpenMatchesFile() throws {
        let path = Self.directory.appendingPathComponent("dict-gzip-v2.0.parquet").path
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let a = try ParquetFile(path: path), b = try ParquetFile(bytes: bytes, name: "memory")
        for name in a.columnNames {
            XCTAssertEqual(Fixtures.text(try a.readColumn(name)), Fixtures.text(try b.readColumn(name)), name)
        }
    }
}
