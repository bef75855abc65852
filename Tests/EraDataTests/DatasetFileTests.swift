import XCTest
import HDF5
import TestSupport
@testable import EraData
import Support

/// `a` and `b` hold the same data: bins, names, target bit patterns, eras, ids, splits and, unless
/// `numeraiLayout` (Numerai's files carry none of them), bin edges, the true signal and metadata.
func assertSameDataset(_ a: Dataset, _ b: Dataset, numeraiLayout: Bool = false,
                       file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertTrue(Array(a.features.storage) == Array(b.features.storage), "feature bins differ", file: file, line: line)
    XCTAssertEqual(a.featureNames, b.featureNames, file: file, line: line)
    XCTAssertEqual(a.binCounts, b.binCounts, file: file, line: line)
    XCTAssertEqual(a.targetNames, b.targetNames, file: file, line: line)
    XCTAssertEqual(a.targets.map { $0.map(\.bitPattern) }, b.targets.map { $0.map(\.bitPattern) }, file: file, line: line)
    XCTAssertEqual(a.eras, b.eras, file: file, line: line)
    XCTAssertEqual(a.eraOfRow, b.eraOfRow, file: file, line: line)
    XCTAssertEqual(a.ids, b.ids, file: file, line: line)
    XCTAssertEqual(a.splitOfRow, b.splitOfRow, file: file, line: line)
    if numeraiLayout { return }
    XCTAssertEqual(a.binEdges, b.binEdges, file: file, line: line)
    XCTAssertEqual(a.trueSignal, b.trueSignal, file: file, line: line)
    XCTAssertEqual(a.metadata, b.metadata, file: file, line: line)
}

final class DatasetFileTests: XCTestCase {
    var directory: URL!
    override func setUp() { directory = TestSupport.temporaryDirectory("eradata") }
    override func tearDown() { try? FileManager.default.removeItem(at: directory) }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func testRoundTripSynthetic() throws {
        var config = SyntheticConfig(eras: 12, rowsPerEra: 100, features: 9, targets: 3, seed: 3)
        config.liveEra = true
        let d = SyntheticGenerator.generate(config)
        try DatasetFile.write(d, to: path("s.h5"))
        assertSameDataset(d, try DatasetFile.read(path("s.h5")))

        let info = try DatasetFile.info(path("s.h5"))
        XCTAssertEqual(info.rows, 1200)
        XCTAssertEqual(info.eras, 12)
        XCTAssertEqual(info.features, 9)
        XCTAssertEqual(info.targets, ["target", "target_aux1", "target_aux2"])
        XCTAssertEqual(info.splits, ["train": 800, "validation": 300, "live": 100])
        XCTAssertEqual(info.nanTargets, ["target": 100, "target_aux1": 200, "target_aux2": 200])
        XCTAssertTrue(info.hasTrueSignal)
        XCTAssertEqual(info.formatVersion, 1)
    }

    func testRoundTripWithBinEdgesAndSubsets() throws {
        let columns = FeatureColumns(rowCount: 4, featureCount: 3)
        for i in 0..<12 { columns.storage[i] = UInt8(i % 4) }
        let d = Dataset(features: columns, featureNames: ["feature_a", "feature_b", "feature_c"],
                        binEdges: [[], [0.5, 1.5, 9, 10], [-1, 2, 3, 4]], binCounts: [5, 4, 4],
                        targetNames: ["target", "target_x"], targets: [[0, 0.25, .nan, 1], [1, .nan, .nan, 0]],
                        eras: ["era1", "era2"], eraOfRow: [0, 0, 1, 1], ids: ["a", "b", "c", "d"],
                        splitOfRow: [.train, .train, .validation, .test], metadata: ["k": "v", "source": "x"])
        try DatasetFile.write(d, to: path("e.h5"))
        assertSameDataset(d, try DatasetFile.read(path("e.h5")))

        let subset = try DatasetFile.read(path("e.h5"), features: ["feature_c", "feature_a"], targets: ["target_x"])
        XCTAssertEqual(subset.featureNames, ["feature_c", "feature_a"])
        XCTAssertEqual(Array(subset.features.column(0)), Array(columns.column(2)))
        XCTAssertEqual(Array(subset.features.column(1)), Array(columns.column(0)))
        XCTAssertEqual(subset.binEdges, [[-1, 2, 3, 4], []])
        XCTAssertEqual(subset.binCounts, [4, 5])
        XCTAssertEqual(subset.targetNames, ["target_x"])
        XCTAssertEqual(subset.targets[0].map(\.bitPattern), d.targets[1].map(\.bitPattern))

        XCTAssertThrowsError(try DatasetFile.read(path("e.h5"), features: ["feature_z"])) {
            XCTAssertTrue("\($0)".contains("no feature named 'feature_z'"), "\($0)")
        }
        XCTAssertThrowsError(try DatasetFile.read(path("e.h5"), targets: ["target_y"])) {
            XCTAssertTrue("\($0)".contains("no target named 'target_y'"), "\($0)")
        }
    }

    func testRejectsOtherFiles() throws {
        do {
            let file = try H5File.create(path("other.h5"))
            try file.write("x", [1, 2, 3] as [Int32])
        }
        XCTAssertThrowsError(try DatasetFile.info(path("other.h5"))) {
            XCTAssertTrue("\($0)".contains("not a workbench dataset file"), "\($0)")
        }
        try Data("hello".utf8).write(to: directory.appendingPathComponent("text.h5"))
        XCTAssertThrowsError(try DatasetFile.read(path("text.h5"))) {
            XCTAssertTrue("\($0)".contains("not an HDF5 file"), "\($0)")
        }
        XCTAssertThrowsError(try DatasetFile.info(path("missing.h5"))) {
            XCTAssertTrue("\($0)".contains("no such file"), "\($0)")
        }
    }

    func testAtomicWriteLeavesNothingOnFailure() throws {
        let target = path("keep.txt")
        try Data("old".utf8).write(to: URL(fileURLWithPath: target))
        struct Boom: Error {}
        XCTAssertThrowsError(try writeAtomically(to: target) { temporary in
            try Data("half".utf8).write(to: URL(fileURLWithPath: temporary))
            throw Boom()
        })
        XCTAssertEqual(try String(contentsOfFile: target, encoding: .utf8), "old")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["keep.txt"])

        try writeAtomically(to: target) { try Data("new".utf8).write(to: URL(fileURLWithPath: $0)) }
        XCTAssertEqual(try String(contentsOfFile: target, encoding: .utf8), "new")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["keep.txt"])

        XCTAssertThrowsError(try DatasetFile.write(SyntheticGenerator.generate(
            SyntheticConfig(eras: 4, rowsPerEra: 10, features: 2, targets: 1)), to: path("no/such/dir/x.h5"))) {
            XCTAssertTrue("\($0)".contains("does not exist"), "\($0)")
        }
    }
}
