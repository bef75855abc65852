import XCTest
@testable import HDF5
import TestSupport

final class HDF5Tests: XCTestCase {
    var dir: URL!
    override func setUp() { dir = TestSupport.temporaryDirectory("h5") }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func testRoundTripNumericStringsAttributesAndGroups() throws {
        let path = dir.appendingPathComponent("a.h5").path
        do {
            let f = try H5File.create(path)
            let g = try f.createGroup("grp")
            try g.write("floats", [Float(1.5), -2, .nan], chunks: [2], compression: 4)
            try f.write("matrix", (0..<6).map { Int32($0) }, shape: [2, 3])
            try f.writeStrings("names", ["era1", "ünïcode", ""])
            try f.setAttribute("title", "hello")
            try f.setAttribute("count", Int64(42))
            try g.setAttribute("ratio", 0.25)
        }
        let f = try H5File.open(path)
        XCTAssertTrue(f.exists("grp/floats"))
        XCTAssertFalse(f.exists("grp/missing"))
        let floats: [Float] = try f.read("grp/floats")
        XCTAssertEqual(floats[0], 1.5)
        XCTAssertEqual(floats[1], -2)
        XCTAssertTrue(floats[2].isNaN)
        let m = try f.openDataset("matrix")
        XCTAssertEqual(m.shape, [2, 3])
        XCTAssertEqual(try m.read(as: Int32.self), [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(try m.read(start: [1, 1], count: [1, 2], as: Int32.self), [4, 5])
        XCTAssertEqual(try f.read("matrix", as: Double.self), [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(try f.readStrings("names"), ["era1", "ünïcode", ""])
        XCTAssertEqual(try f.stringAttribute("title"), "hello")
        XCTAssertEqual(try f.attribute("count", as: Int64.self), 42)
        XCTAssertEqual(try f.openGroup("grp").attribute("ratio", as: Double.self), 0.25)
        XCTAssertEqual(try f.children(), ["grp", "matrix", "names"])
    }

    func testUnlimitedDatasetGrowsByRows() throws {
        let path = dir.appendingPathComponent("grow.h5").path
        let f = try H5File.create(path)
        let ds = try f.createDataset("p", of: Float.self, shape: [0, 4], maxShape: [nil, 4],
                                     chunks: [1, 4], compression: 1)
        for r in 0..<3 {
            try ds.resize(to: [r + 1, 4])
            try ds.write((0..<4).map { Float(r * 10 + $0) }, start: [r, 0], count: [1, 4])
        }
        XCTAssertEqual(ds.shape, [3, 4])
        XCTAssertEqual(try ds.read(start: [2, 0], count: [1, 4], as: Float.self), [20, 21, 22, 23])
    }

    func testErrorsAreThrownNotPrinted() throws {
        XCTAssertThrowsError(try H5File.open(dir.appendingPathComponent("nope.h5").path)) { error in
            XCTAssertTrue("\(error)".contains("no such file"), "\(error)")
        }
        let notH5 = dir.appendingPathComponent("text.h5")
        try "hello".write(to: notH5, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try H5File.open(notH5.path)) { error in
            XCTAssertTrue("\(error)".contains("not an HDF5 file"), "\(error)")
        }
        let f = try H5File.create(dir.appendingPathComponent("b.h5").path)
        try f.write("x", [Float(1)])
        XCTAssertThrowsError(try f.write("x", [Float(2)])) { error in
            XCTAssertTrue("\(error)".contains("create dataset x"), "\(error)")
        }
        XCTAssertThrowsError(try f.read("missing", as: Float.self))
        XCTAssertThrowsError(try f.write("bad", [Float(1), 2], shape: [3]))
    }
}
