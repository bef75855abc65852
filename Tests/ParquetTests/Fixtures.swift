import Foundation
import TestSupport
import XCTest
@testable import Parquet

/// Parquet files written by pyarrow inside the tests, with the values pyarrow reads back.
enum Fixtures {
    /// Writes one file per (encoding × compression × page version) plus special cases into `dir`;
    /// each `NAME.parquet` has `NAME.json`: {column: [value-as-text or null]} as pyarrow reads it.
    /// Text forms: integers in decimal, floats as hex bit patterns, booleans true/false.
    static let matrixScript = TestSupport.oracleScript("ParquetTests/Fixtures-matrixScript.py")

    /// Runs a script with the oracle venv; fails the test on a non-zero exit.
    static func python(_ script: String, _ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try TestSupport.python(script, arguments)
        XCTAssertEqual(result.status, 0, "python failed: \(result.stderr)", file: file, line: line)
        if result.status != 0 { throw PythonFailed(stderr: result.stderr) }
        return result.stdout
    }

    struct PythonFailed: Error { let stderr: String }

    /// Expected values of a fixture: column → per-row text or nil for null.
    static func expected(_ json: URL) throws -> [String: [String?]] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as! [String: [Any]]
        return object.mapValues { $0.map { $0 as? String } }
    }

    /// The text form the Python side writes, for one of our values.
    static func text(_ column: ParquetColumn) -> [String?] {
        func masked<T>(_ values: [T], _ nulls: [Bool]?, _ f: (T) -> String) -> [String?] {
            values.indices.map { nulls?[$0] == true ? nil : f(values[$0]) }
        }
        switch column {
        case .int32(let v, let n): return masked(v, n) { String($0) }
        case .int64(let v, let n): return masked(v, n) { String($0) }
        case .float(let v, let n): return masked(v, n) { hex(UInt64($0.bitPattern), 8) }
        case .double(let v, let n): return masked(v, n) { hex($0.bitPattern, 16) }
        case .string(let v, let n): return masked(v, n) { $0 }
        case .bool(let v, let n): return masked(v, n) { $0 ? "true" : "false" }
        }
    }

    static func hex(_ v: UInt64, _ digits: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }
}
