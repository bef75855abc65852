import XCTest
import TestSupport

/// `data import` / `data info` on Numerai's parquet files (written by pandas + pyarrow).
final class ParquetDataCommandTests: XCTestCase {
    var directory: URL!
    override func setUp() { directory = TestSupport.temporaryDirectory("e2e-parquet") }
    override func tearDown() { try? FileManager.default.removeItem(at: directory) }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static let writer = TestSupport.oracleScript("EndToEndTests/ParquetDataCommandTests-writer.py")

    func testImportDirectoryWithFeatureSetAndInfo() throws {
        let data = path("numerai")
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let written = try TestSupport.python(Self.writer, [data])
        XCTAssertEqual(written.status, 0, written.stderr)

        let out = path("small.h5")
        let result = try TestSupport.workbench(["data", "import", "--out", out, data, "--feature-set", "small"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("420 rows, 6 eras, 2 features, 2 targets (train 300, validation 100, live 20)"), result.stdout)
        // h5py reads what we wrote; pandas re-derives it from the parquet files.
        let check = try TestSupport.python(TestSupport.oracleScript("EndToEndTests/ParquetDataCommandTests-ImportDirectoryWithFeatureSetAndInfo.py"), [out, data])
        XCTAssertEqual(check.stdout, "ok\n", check.stderr)

        let info = try TestSupport.workbench(["data", "info", data, "--json"])
        XCTAssertEqual(info.status, 0, info.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(json["rows"] as? Int, 420)
        XCTAssertEqual(json["features"] as? Int, 6)
        XCTAssertEqual(json["splits"] as? [String: Int], ["train": 300, "validation": 100, "live": 20])
        XCTAssertEqual((json["nan_targets"] as? [String: Int])?["target"], 20)
        let text = try TestSupport.workbench(["data", "info", data + "/train.parquet", "--feature-set", "small"])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("features  2"), text.stdout)
        XCTAssertTrue(text.stdout.contains("eras      3 (0001 … 0003)"), text.stdout)

        let files = try TestSupport.workbench(["data", "import", "--out", path("tv.h5"), data + "/train.parquet", data + "/validation.parquet"])
        XCTAssertEqual(files.status, 0, files.stderr)
        XCTAssertTrue(files.stdout.contains("400 rows, 5 eras, 6 features, 2 targets"), files.stdout)
    }

    func testBadParquetFailsNamingTheFileAndWritesNothing() throws {
        let data = path("numerai")
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        XCTAssertEqual(try TestSupport.python(Self.writer, [data]).status, 0)
        let train = data + "/train.parquet"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: train))
        let cut = path("cut_train.parquet")
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))
        let out = path("never.h5")
        let result = try TestSupport.workbench(["data", "import", "--out", out, cut])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "error: \(cut): no PAR1 magic at the end: the file is truncated or not parquet\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))

        let unknownSet = try TestSupport.workbench(["data", "import", "--out", out, data, "--feature-set", "Small"])
        XCTAssertEqual(unknownSet.status, 1)
        XCTAssertTrue(unknownSet.stderr.contains("no feature set 'Small' (did you mean 'small'?)"), unknownSet.stderr)
        let mixed = try TestSupport.workbench(["data", "import", "--out", out, train, path("x.csv")])
        XCTAssertEqual(mixed.status, 2, mixed.stderr)
        XCTAssertTrue(mixed.stderr.contains("mix of parquet and other inputs"), mixed.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }
}
