import XCTest
import TestSupport

/// Runs the built `workbench` binary: data synth / import / info, exit codes and messages.
final class DataCommandTests: XCTestCase {
    var directory: URL!
    override func setUp() { directory = TestSupport.temporaryDirectory("e2e-data") }
    override func tearDown() { try? FileManager.default.removeItem(at: directory) }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func testSynthThenInfoJSON() throws {
        let out = path("s.h5")
        let synth = try TestSupport.workbench(["data", "synth", "--out", out, "--eras", "20", "--rows-per-era", "100",
                                               "--features", "7", "--targets", "2", "--seed", "3", "--noise", "4"])
        XCTAssertEqual(synth.status, 0, synth.stderr)
        XCTAssertTrue(synth.stdout.contains("2000 rows, 20 eras, 7 features, 2 targets"), synth.stdout)

        let info = try TestSupport.workbench(["data", "info", out, "--json"])
        XCTAssertEqual(info.status, 0, info.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(Set(json.keys), ["rows", "eras", "features", "targets", "splits", "nan_targets"])
        XCTAssertEqual(json["rows"] as? Int, 2000)
        XCTAssertEqual(json["eras"] as? Int, 20)
        XCTAssertEqual(json["features"] as? Int, 7)
        XCTAssertEqual(json["targets"] as? [String], ["target", "target_aux1"])
        XCTAssertEqual(json["splits"] as? [String: Int], ["train": 1500, "validation": 500])
        XCTAssertEqual(json["nan_targets"] as? [String: Int], ["target": 0, "target_aux1": 100])

        let text = try TestSupport.workbench(["data", "info", out])
        XCTAssertEqual(text.status, 0)
        XCTAssertTrue(text.stdout.contains("splits    train 1500, validation 500"), text.stdout)
        XCTAssertTrue(text.stdout.contains("eras      20 (0001 … 0024)"), text.stdout)

        let timed = try TestSupport.workbench(["data", "info", out, "--json", "--timing"])
        let timedJSON = try JSONSerialization.jsonObject(with: Data(timed.stdout.utf8)) as! [String: Any]
        XCTAssertNotNil(timedJSON["load_seconds"] as? Double)

        // Same seed, same bytes of data: a second synth gives an identical dataset (h5py compares).
        let again = path("again.h5")
        XCTAssertEqual(try TestSupport.workbench(["data", "synth", "--out", again, "--eras", "20", "--rows-per-era", "100",
                                                  "--features", "7", "--targets", "2", "--seed", "3", "--noise", "4"]).status, 0)
        let compare = try TestSupport.python(TestSupport.oracleScript("EndToEndTests/DataCommandTests-SynthThenInfoJSON.py"), [out, again])
        XCTAssertEqual(compare.stdout, "same\n", compare.stderr)
    }

    func testImportThenInfo() throws {
        let train = path("numerai_train.csv"), validation = path("numerai_validation.csv")
        try Data("id,era,feature_a,feature_b,target,target_x\na,0001,0,4,0.5,\nb,0001,1,3,0.25,1\nc,0002,2,2,1,0\n".utf8)
            .write(to: URL(fileURLWithPath: train))
        try Data("id,era,feature_a,feature_b,target,target_x\nd,0010,3,1,0,\n".utf8).write(to: URL(fileURLWithPath: validation))
        let out = path("imported.h5")
        let result = try TestSupport.workbench(["data", "import", "--out", out, train, validation])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("4 rows, 3 eras, 2 features, 2 targets (train 3, validation 1)"), result.stdout)
        let info = try TestSupport.workbench(["data", "info", out, "--json"])
        let json = try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(json["splits"] as? [String: Int], ["train": 3, "validation": 1])
        XCTAssertEqual(json["nan_targets"] as? [String: Int], ["target": 0, "target_x": 2])
        let check = try TestSupport.python(TestSupport.oracleScript("EndToEndTests/DataCommandTests-ImportThenInfo.py"), [out])
        XCTAssertEqual(check.stdout, "ok\n", check.stderr)
    }

    func testBadCSVFailsWithLocationAndWritesNothing() throws {
        let bad = path("bad_train.csv")
        try Data("id,era,feature_a,target\na,1,0,0.5\nb,1,zz,0.5\n".utf8).write(to: URL(fileURLWithPath: bad))
        let out = path("never.h5")
        let result = try TestSupport.workbench(["data", "import", "--out", out, bad])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "error: \(bad):3:3 (feature_a): expected a finite number, found 'zz'\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["bad_train.csv"])

        let noTarget = path("nt_train.csv")
        try Data("id,era,feature_a\na,1,0\n".utf8).write(to: URL(fileURLWithPath: noTarget))
        let missing = try TestSupport.workbench(["data", "import", "--out", out, noTarget])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("no target columns"), missing.stderr)
    }

    func testUsageAndDataErrorExitCodes() throws {
        let noOut = try TestSupport.workbench(["data", "synth"])
        XCTAssertEqual(noOut.status, 2, noOut.stderr)
        XCTAssertTrue(noOut.stderr.contains("--out"), noOut.stderr)
        let badEras = try TestSupport.workbench(["data", "synth", "--out", path("x.h5"), "--eras", "1"])
        XCTAssertEqual(badEras.status, 2, badEras.stderr)
        XCTAssertTrue(badEras.stderr.contains("no train era"), badEras.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("x.h5")))
        let noInputs = try TestSupport.workbench(["data", "import", "--out", path("x.h5")])
        XCTAssertEqual(noInputs.status, 2, noInputs.stderr)

        let missing = try TestSupport.workbench(["data", "info", path("missing.h5")])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.hasPrefix("error: "), missing.stderr)
        XCTAssertTrue(missing.stderr.contains("missing.h5: no such file"), missing.stderr)
        let notDataset = path("plain.txt")
        try Data("text".utf8).write(to: URL(fileURLWithPath: notDataset))
        let wrong = try TestSupport.workbench(["data", "info", notDataset])
        XCTAssertEqual(wrong.status, 1)
        XCTAssertTrue(wrong.stderr.contains("not an HDF5 file"), wrong.stderr)
        let noDir = try TestSupport.workbench(["data", "synth", "--out", path("no/dir/x.h5"), "--eras", "10"])
        XCTAssertEqual(noDir.status, 1, noDir.stderr)
        XCTAssertTrue(noDir.stderr.contains("does not exist"), noDir.stderr)
    }
}
