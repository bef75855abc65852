import XCTest
import TestSupport
@testable import EraData

final class CSVImportTests: XCTestCase {
    var directory: URL!
    override func setUp() { directory = TestSupport.temporaryDirectory("csv") }
    override func tearDown() { try? FileManager.default.removeItem(at: directory) }

    @discardableResult
    func file(_ name: String, _ text: String) -> String { TestSupport.write(text, to: name, in: directory) }

    func assertError(_ paths: [String], _ kind: EraDataError.Kind, _ message: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try CSVImporter.read(paths: paths), file: file, line: line) { error in
            guard let e = error as? EraDataError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(e.kind, kind, e.description, file: file, line: line)
            XCTAssertTrue(e.description.contains(message), "\(e.description) lacks \(message)", file: file, line: line)
        }
    }

    func testGoodFileSortedByEraNumerically() throws {
        let p = file("data.csv", """
            id,era,data_type,feature_a,feature_b,target,target_b
            x1,era10,validation,0,4,0.5,
            x2,era2,train,1,3,0.25,NaN
            x3,era10,validation,2,2,1.0,0.75
            x4,era2,train,3,1,0,0\r
            x5,era9,live,4,0,,

            """)
        let d = try CSVImporter.read(paths: [p])
        XCTAssertEqual(d.eras, ["era2", "era9", "era10"])
        XCTAssertEqual(d.ids, ["x2", "x4", "x5", "x1", "x3"])
        XCTAssertEqual(d.eraOfRow, [0, 0, 1, 2, 2])
        XCTAssertEqual(d.splitOfRow, [.train, .train, .live, .validation, .validation])
        XCTAssertEqual(d.featureNames, ["feature_a", "feature_b"])
        XCTAssertEqual(Array(d.features.column(0)), [1, 3, 4, 0, 2])
        XCTAssertEqual(Array(d.features.column(1)), [3, 1, 0, 4, 2])
        XCTAssertEqual(d.binCounts, [5, 5])
        XCTAssertEqual(d.binEdges, [])
        XCTAssertEqual(d.targetNames, ["target", "target_b"])
        XCTAssertEqual(d.targets[0].map(\.bitPattern), ([0.25, 0, .nan, 0.5, 1] as [Float]).map(\.bitPattern))
        XCTAssertEqual(d.targets[1].map(\.bitPattern), ([.nan, 0, .nan, .nan, 0.75] as [Float]).map(\.bitPattern))
    }

    func testStringErasKeepFirstAppearanceAndSplitFromFileName() throws {
        let train = file("numerai_training_data.csv", """
            id,feature_x,era,target
            a,"1",zeta,0.5
            b,2,alpha,0.25
            c,3,zeta,0.75
            """)
        let valid = file("my_validation.csv", "era,id,target,feature_x\nbeta,d,1,4\n")
        let d = try CSVImporter.read(paths: [train, valid])
        XCTAssertEqual(d.eras, ["zeta", "alpha", "beta"])
        XCTAssertEqual(d.ids, ["a", "c", "b", "d"])
        XCTAssertEqual(d.splitOfRow, [.train, .train, .train, .validation])
        XCTAssertEqual(Array(d.features.column(0)), [1, 3, 2, 4])
        XCTAssertEqual(d.targets[0], [0.5, 0.75, 0.25, 1])
    }

    func testFloatFeaturesAreQuantileBinned() throws {
        // 1000 distinct values over 4 eras: 255 quantile bins; a column with 3 distinct floats: one bin each.
        var text = "id,era,data_type,feature_f,feature_g,feature_i,target\n"
        for i in 0..<1000 {
            let x = Double((i * 7919) % 1000) / 8.0 - 30
            text += "r\(i),\(i % 4),train,\(x),\([0.5, -1.25, 3e2][i % 3]),\(i % 5),0.5\n"
        }
        let d = try CSVImporter.read(paths: [file("train.csv", text)])
        XCTAssertEqual(d.binEdges[1], [-1.25, 0.5, 300])
        XCTAssertEqual(d.binEdges[2], [])
        XCTAssertEqual(d.binCounts[1], 3)
        XCTAssertEqual(d.binCounts[2], 5)
        let edges = d.binEdges[0]
        XCTAssertEqual(edges.count, 255)
        XCTAssertEqual(edges.last, Double(999) / 8 - 30)
        XCTAssertEqual(edges, edges.sorted())
        // Every bin holds 3 or 4 of the 1000 values; each value sits in the first bin whose edge is ≥ it.
        var counts = [Int](repeating: 0, count: 255)
        for row in 0..<d.rowCount {
            let id = Int(d.ids[row].dropFirst())!
            let x = Double((id * 7919) % 1000) / 8.0 - 30
            let b = Int(d.features[row, 0])
            counts[b] += 1
            XCTAssertLessThanOrEqual(x, edges[b])
            if b > 0 { XCTAssertGreaterThan(x, edges[b - 1]) }
        }
        XCTAssertTrue(counts.allSatisfy { (3...5).contains($0) }, "\(counts)")
    }

    func testQuantileEdgesAndBinning() {
        XCTAssertEqual(CSVImporter.quantileEdges([3, 1, 2, 2, 1], maxBins: 5), [1, 2, 3])
        XCTAssertEqual(CSVImporter.quantileEdges((1...8).map(Double.init), maxBins: 4), [2, 4, 6, 8])
        XCTAssertEqual(CSVImporter.bin(0, edges: [1, 2, 3]), 0)
        XCTAssertEqual(CSVImporter.bin(2, edges: [1, 2, 3]), 1)
        XCTAssertEqual(CSVImporter.bin(2.5, edges: [1, 2, 3]), 2)
    }

    func testNumberParsingIsCorrectlyRounded() {
        let samples = ["0.1", "-0.3", "1e-7", "123456789012345678901", "2.2250738585072014e-308",
                       "0.30000000000000004", "+5", "7.", ".5", "1E+2", "9007199254740993"]
        for s in samples {
            let value = s.utf8CString.withUnsafeBufferPointer { b in
                b.withMemoryRebound(to: UInt8.self) { CSVImporter.parseNumber(.init(start: $0.baseAddress!, count: s.utf8.count)) }
            }
            XCTAssertEqual(value, strtod(s, nil), s)
        }
        for bad in ["1.2.3", "abc", "-", "1e", "--1", "1,5"] {
            let value = bad.utf8CString.withUnsafeBufferPointer { b in
                b.withMemoryRebound(to: UInt8.self) { CSVImporter.parseNumber(.init(start: $0.baseAddress!, count: bad.utf8.count)) }
            }
            XCTAssertNil(value, bad)
        }
    }

    func testMalformedValueNamesFileLineAndColumn() {
        let p = file("train.csv", "id,era,feature_a,feature_b,target\na,1,0,1,0.5\nb,1,2,x7,0.5\n")
        assertError([p], .malformed, "train.csv:3:4 (feature_b): expected a finite number, found 'x7'")
        let q = file("t2_train.csv", "id,era,feature_a,target\na,1,0,0.5\nb,1,,0.5\n")
        assertError([q], .malformed, "t2_train.csv:3:3 (feature_a): expected a finite number, found an empty field")
        let r = file("t3_train.csv", "id,era,feature_a,target\na,1,0,0.5\nb,1,1,high\n")
        assertError([r], .malformed, "t3_train.csv:3:4 (target): expected a number or an empty field, found 'high'")
    }

    func testWrongFieldCountNamesLine() {
        let p = file("train.csv", "id,era,feature_a,target\na,1,0,0.5\n\nb,1,2\n")
        assertError([p], .malformed, "train.csv:4: expected 4 fields, found 3")
        let q = file("more_train.csv", "id,era,feature_a,target\na,1,0,0.5,9\n")
        assertError([q], .malformed, "more_train.csv:2: more than 4 fields")
        let u = file("quote_train.csv", "id,era,feature_a,target\n\"a,1,0,0.5\n")
        assertError([u], .malformed, "quote_train.csv:2:1 (id): unterminated quoted field")
    }

    func testMissingColumns() {
        assertError([file("a_train.csv", "id,feature_a,target\na,1,0.5\n")], .missingColumn, "a_train.csv: missing column 'era'")
        assertError([file("b_train.csv", "feature_a,target\n1,0.5\n")], .missingColumn, "missing columns 'id', 'era'")
        assertError([file("c_train.csv", "id,era,target\na,1,0.5\n")], .noFeatureColumns,
                    "c_train.csv: no feature columns (names starting with 'feature_')")
        assertError([file("d_train.csv", "id,era,feature_a\na,1,0\n")], .noTargetColumns,
                    "d_train.csv: no target columns (names starting with 'target')")
    }

    func testSchemaMismatchNamesColumns() {
        let a = file("a_train.csv", "id,era,feature_a,feature_b,target\na,1,0,1,0.5\n")
        let b = file("b_validation.csv", "id,era,feature_a,feature_c,target,target_x\nb,2,0,1,0.5,0.5\n")
        assertError([a, b], .schemaMismatch,
                    "b_validation.csv: columns differ from \(a): missing 'feature_b'; extra 'feature_c', 'target_x'")
    }

    func testSplitErrors() {
        let p = file("data.csv", "id,era,feature_a,target\na,1,0,0.5\n")
        assertError([p], .noSplit, "data.csv: no data_type column and the file name contains none of")
        let q = file("typed.csv", "id,era,data_type,feature_a,target\na,1,train,0,0.5\nb,1,tournament,0,0.5\n")
        assertError([q], .unknownSplit, "typed.csv:3:3 (data_type): unknown data_type 'tournament'")
    }

    func testDuplicateIdsAndEmptyFiles() {
        let a = file("a_train.csv", "id,era,feature_a,target\nx,1,0,0.5\ny,1,0,0.5\n")
        let b = file("b_train.csv", "id,era,feature_a,target\nz,2,0,0.5\nx,2,1,0.5\n")
        assertError([a, b], .duplicateId, "duplicate id 'x' at \(a):2 and \(b):3")
        assertError([file("e_train.csv", "")], .empty, "empty file")
        assertError([file("h_train.csv", "id,era,feature_a,target\n")], .empty, "no data rows")
        assertError([directory.appendingPathComponent("nope.csv").path], .unreadable, "nope.csv: no such file")
    }
}
