import XCTest
import TestSupport
@testable import EraData

/// Files we write, read back by an independent reader (h5py; pandas for the CSV source).
final class OracleTests: XCTestCase {
    var directory: URL!
    override func setUp() { directory = TestSupport.temporaryDirectory("oracle") }
    override func tearDown() { try? FileManager.default.removeItem(at: directory) }

    /// Dumps every array of a dataset file as raw little-endian binaries / text lines.
    static let dumpScript = TestSupport.oracleScript("EraDataTests/OracleTests-dumpScript.py")

    func load<T>(_ name: String, as: T.Type) throws -> [T] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return data.withUnsafeBytes { Array($0.bindMemory(to: T.self)) }
    }

    func loadStrings(_ name: String) throws -> [String] {
        try JSONDecoder().decode([String].self, from: Data(contentsOf: directory.appendingPathComponent(name)))
    }

    func testSyntheticFileReadByH5py() throws {
        var config = SyntheticConfig(eras: 20, rowsPerEra: 200, features: 13, targets: 3, seed: 11)
        config.liveEra = true
        let d = SyntheticGenerator.generate(config)
        let file = directory.appendingPathComponent("synth.h5").path
        try DatasetFile.write(d, to: file)
        let result = try TestSupport.python(Self.dumpScript, [file, directory.path])
        XCTAssertEqual(result.status, 0, result.stderr)

        XCTAssertEqual(try load("features.bin", as: UInt8.self), Array(d.features.storage))
        XCTAssertEqual(try load("targets.bin", as: UInt32.self), d.targets.flatMap { $0.map(\.bitPattern) })
        XCTAssertEqual(try load("true_signal.bin", as: Float.self), d.trueSignal!)
        XCTAssertEqual(try load("era_of_row.bin", as: Int32.self), d.eraOfRow)
        XCTAssertEqual(try load("split_of_row.bin", as: UInt8.self), d.splitOfRow.map(\.code))
        XCTAssertEqual(try loadStrings("ids.json"), d.ids)
        XCTAssertEqual(try loadStrings("eras.json"), d.eras)
        XCTAssertEqual(try loadStrings("feature_names.json"), d.featureNames)
        XCTAssertEqual(try loadStrings("target_names.json"), d.targetNames)
        let attrs = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("attrs.json"))) as! [String: Any]
        XCTAssertEqual(attrs["format"] as? String, "workbench-dataset")
        XCTAssertEqual(attrs["format_version"] as? Int, 1)
        XCTAssertEqual(attrs["split_names"] as? String, "train,validation,live,test")
        XCTAssertEqual(attrs["metadata"] as? [String: String], d.metadata)
        // NaN survives: aux targets in early eras and the live era.
        XCTAssertTrue(d.targets[1].contains { $0.isNaN })
    }

    /// pandas writes Numerai-layout CSVs (int and float features, NaN targets, string eras in two files);
    /// we import and write HDF5; pandas + h5py compare every value independently.
    static let csvOracle = TestSupport.oracleScript("EraDataTests/OracleTests-csvOracle.py")

    func testImportedFileMatchesPandasAndH5py() throws {
        let written = try TestSupport.python(Self.csvOracle, ["write", directory.path])
        XCTAssertEqual(written.status, 0, written.stderr)
        let d = try CSVImporter.read(paths: ["train.csv", "validation.csv"].map { directory.appendingPathComponent($0).path })
        XCTAssertEqual(d.rowCount, (1...12).map { 40 + $0 }.reduce(0, +) + (17...20).map { 40 + $0 }.reduce(0, +))
        let file = directory.appendingPathComponent("imported.h5").path
        try DatasetFile.write(d, to: file)
        let checked = try TestSupport.python(Self.csvOracle, ["check", directory.path, file])
        XCTAssertEqual(checked.status, 0, checked.stderr)
        XCTAssertEqual(checked.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "OK")
    }
}
