import Foundation
import TestSupport
import XCTest
@testable import Parquet

/// `ParquetWriter` against pyarrow (the oracle reads every value back) and against our own reader.
final class WriterTests: XCTestCase {
    var directory: URL!
    override func setUp() { directory = TestSupport.temporaryDirectory("parquet-writer") }
    override func tearDown() { try? FileManager.default.removeItem(at: directory) }

    /// Deterministic test values: every dtype with its edge cases, in three row groups.
    struct Table {
        var i8: [Int8] = [], i8req: [Int8] = [], f32: [Float] = [], f32req: [Float] = []
        var words: [String] = [], ids: [String] = []
        var count: Int { i8.count }

        init(rows: Int, seed: UInt64) {
            var state = seed
            func next() -> UInt64 {
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return z ^ (z >> 31)
            }
            let vocabulary = ["", "a", "era", "ünïcödé ✓", "🙂", "live", "validation", String(repeating: "x", count: 300)]
            for i in 0..<rows {
                i8.append(Int8(truncatingIfNeeded: next()))
                i8req.append(Int8(next() % 5))
                // Runs of equal values exercise the RLE side of the hybrid encoder.
                var f: Float = i % 50 < 20 ? 0.5 : Float(bitPattern: UInt32(truncatingIfNeeded: next()) & 0xBFFF_FFFF)
                if i % 97 == 0 { f = [Float.nan, .infinity, -.infinity, -0.0][Int(next() % 4)] }
                f32.append(f)
                f32req.append(i % 13 == 0 ? .nan : Float(next() % 5) / 4)
                words.append(vocabulary[Int(next() % UInt64(vocabulary.count))])
                ids.append("n" + String(next(), radix: 16))
            }
        }
    }

    static let columns = [ParquetWriteColumn("i8", .int8), ParquetWriteColumn("i8req", .int8, optional: false),
                          ParquetWriteColumn("f32", .float), ParquetWriteColumn("f32req", .float, optional: false),
                          ParquetWriteColumn("word", .string), ParquetWriteColumn("id", .string, optional: false)]

    /// Writes `table` in row groups of `groupRows` with pages of `pageRows` rows.
    func write(_ table: Table, to path: String, compression: ParquetCompression, groupRows: Int, pageRows: Int,
               metadata: [(key: String, value: String)] = []) throws {
        let writer = try ParquetWriter(path: path, columns: Self.columns, compression: compression, pageRows: pageRows)
        var start = 0
        while start < table.count {
            let range = start..<min(table.count, start + groupRows)
            try table.i8[range].withUnsafeBufferPointer { i8 in
                try table.i8req[range].withUnsafeBufferPointer { i8req in
                    try table.f32[range].withUnsafeBufferPointer { f32 in
                        try table.f32req[range].withUnsafeBufferPointer { f32req in
                            try writer.writeRowGroup([.int8(i8), .int8(i8req), .float(f32), .float(f32req),
                                                      .string(Array(table.words[range])), .string(Array(table.ids[range]))])
                        }
                    }
                }
            }
            start = range.upperBound
        }
        try writer.close(keyValueMetadata: metadata)
    }

    /// The expected values as pyarrow should read them: floats as bit patterns, NaN in an optional
    /// float column as null.
    func expectedJSON(_ t: Table) throws -> Data {
        func bits(_ v: Float) -> String { String(v.bitPattern, radix: 16) }
        let object: [String: Any] = [
            "i8": t.i8.map { Int($0) }, "i8req": t.i8req.map { Int($0) },
            "f32": t.f32.map { $0.isNaN ? NSNull() as Any : bits($0) as Any },
            "f32req": t.f32req.map(bits), "word": t.words, "id": t.ids,
        ]
        return try JSONSerialization.data(withJSONObject: object)
    }

    static let oracle = TestSupport.oracleScript("ParquetTests/WriterTests-oracle.py")

    func testPyarrowReadsBackEveryValueForEachCompression() throws {
        let table = Table(rows: 5_003, seed: 11)
        let expected = directory.appendingPathComponent("expected.json")
        try expectedJSON(table).write(to: expected)
        for (compression, codec) in [(ParquetCompression.none, "UNCOMPRESSED"), (.snappy, "SNAPPY"), (.zstd, "ZSTD")] {
            let path = directory.appendingPathComponent("t-\(compression).parquet").path
            // 2,000-row groups (3 groups, the last short) of 700-row pages (several pages per chunk).
            try write(table, to: path, compression: compression, groupRows: 2_000, pageRows: 700)
            let result = try TestSupport.python(Self.oracle, [path, expected.path, "3", codec])
            XCTAssertEqual(result.stdout, "ok 5003\n", "\(compression): \(result.stderr)")

            // Our own reader agrees.
            let file = try ParquetFile(path: path)
            XCTAssertEqual(file.rowCount, 5_003)
            XCTAssertEqual(file.rowGroupSizes, [2_000, 2_000, 1_003])
            XCTAssertEqual(try file.readInt8Bins("i8req", nullBin: 9, validBins: 0...4), table.i8req.map { UInt8($0) })
            guard case .int32(let i8, _) = try file.readColumn("i8") else { return XCTFail("i8 type") }
            XCTAssertEqual(i8, table.i8.map { Int32($0) })
            XCTAssertEqual(try file.readFloatColumn("f32").map(\.bitPattern),
                           table.f32.map { $0.isNaN ? Float.nan.bitPattern : $0.bitPattern })
            XCTAssertEqual(try file.readFloatColumn("f32req").map(\.bitPattern), table.f32req.map(\.bitPattern))
            XCTAssertEqual(try file.readStringColumn("word").values, table.words)
            XCTAssertEqual(try file.readStringColumn("id").values, table.ids)
        }
    }

    func testPandasMetadataMakesTheIdColumnTheIndex() throws {
        let table = Table(rows: 40, seed: 3)
        let path = directory.appendingPathComponent("indexed.parquet").path
        let entries = [("i8", "int8", "int8"), ("i8req", "int8", "int8"), ("f32", "float32", "float32"),
                       ("f32req", "float32", "float32"), ("word", "unicode", "object"), ("id", "unicode", "object")]
            .map { #"{"name": "\#($0.0)", "field_name": "\#($0.0)", "pandas_type": "\#($0.1)", "numpy_type": "\#($0.2)", "metadata": null}"# }
        let pandas = #"{"index_columns": ["id"], "column_indexes": [], "columns": ["# + entries.joined(separator: ", ")
            + #"], "pandas_version": "2.2.0"}"#
        try write(table, to: path, compression: .snappy, groupRows: 40, pageRows: 1 << 16, metadata: [("pandas", pandas)])
        let result = try TestSupport.python(TestSupport.oracleScript("ParquetTests/WriterTests-PandasMetadataMakesTheIdColumnTheIndex.py"), [path])
        XCTAssertEqual(result.stdout, "40 \(table.ids[0])\n", result.stderr)
        XCTAssertEqual(try ParquetFile(path: path).pandasIndexColumns, ["id"])
    }

    /// The hybrid encoder's output decodes to its input for every width, run pattern and length.
    func testHybridEncoderRoundTripsThroughTheDecoder() throws {
        var state: UInt64 = 5
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        for width in [1, 2, 3, 5, 8, 9, 13, 16, 20, 31] {
            for count in [0, 1, 7, 8, 9, 15, 16, 17, 100, 1_000] {
                var values: [UInt32] = []
                while values.count < count {
                    let v = UInt32(next() & ((1 << UInt64(width)) - 1))
                    let run = next() % 3 == 0 ? Int(next() % 40) + 1 : 1
                    values += Array(repeating: v, count: min(run, count - values.count))
                }
                var bytes: [UInt8] = []
                HybridEncoder.encode(values, count: count, width: width, into: &bytes)
                let padded = PaddedBuffer(count: bytes.count)
                padded.pointer.update(from: bytes, count: bytes.count)
                var decoder = try HybridDecoder(padded.buffer, width: width)
                var out = [UInt32](repeating: 0, count: count)
                try out.withUnsafeMutableBufferPointer { try decoder.decode(count, into: $0.baseAddress!) }
                XCTAssertEqual(out, values, "width \(width), count \(count)")
            }
        }
        // A constant column is one RLE run: header varint(2n) and one value byte.
        var constant: [UInt8] = []
        HybridEncoder.encode([UInt32](repeating: 3, count: 5_000), count: 5_000, width: 3, into: &constant)
        XCTAssertEqual(constant, [0x90, 0x4E, 3])
    }

    func testBadWritesAreRefusedWithTheirReason() throws {
        let path = directory.appendingPathComponent("bad.parquet").path
        XCTAssertThrowsError(try ParquetWriter(path: path, columns: [])) { XCTAssertTrue("\($0)".contains("no columns"), "\($0)") }
        XCTAssertThrowsError(try ParquetWriter(path: path, columns: [ParquetWriteColumn("a", .int8), ParquetWriteColumn("a", .float)])) {
            XCTAssertTrue("\($0)".contains("column 'a' is listed twice"), "\($0)")
        }
        XCTAssertThrowsError(try ParquetWriter(path: directory.appendingPathComponent("no/such/dir.parquet").path,
                                               columns: [ParquetWriteColumn("a", .int8)])) {
            XCTAssertTrue("\($0)".contains("cannot create"), "\($0)")
        }
        let writer = try ParquetWriter(path: path, columns: [ParquetWriteColumn("a", .int8), ParquetWriteColumn("s", .string)])
        let values: [Int8] = [1, 2, 3]
        try values.withUnsafeBufferPointer { v in
            XCTAssertThrowsError(try writer.writeRowGroup([.int8(v)])) { XCTAssertTrue("\($0)".contains("1 columns, the schema 2"), "\($0)") }
            XCTAssertThrowsError(try writer.writeRowGroup([.int8(v), .string(["x"])])) {
                XCTAssertTrue("\($0)".contains("column 's' has 1 values, the row group 3"), "\($0)")
            }
            XCTAssertThrowsError(try writer.writeRowGroup([.string(["x", "y", "z"]), .string(["x", "y", "z"])])) {
                XCTAssertTrue("\($0)".contains("column 'a': values do not match its type"), "\($0)")
            }
            try writer.writeRowGroup([.int8(v), .string(["x", "y", "z"])])
        }
        try writer.close()
        XCTAssertThrowsError(try writer.close()) { XCTAssertTrue("\($0)".contains("already closed"), "\($0)") }
        let file = try ParquetFile(path: path)
        XCTAssertEqual(file.rowCount, 3)
        XCTAssertEqual(try file.readStringColumn("s").values, ["x", "y", "z"])
    }
}
