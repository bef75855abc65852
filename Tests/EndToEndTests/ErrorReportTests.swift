import Foundation
import TestSupport
import XCTest

/// The CLI's one error mapping (`ErrorReport`): the documented exit codes (0 success, 1 failure,
/// 2 usage) and messages that name what failed, with a JSON path only for study-file errors.
final class ErrorReportTests: XCTestCase {
    var dir: URL!
    override func setUp() { dir = TestSupport.temporaryDirectory("e2e-errors") }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func testSuccessPrintsToStandardOutputWithExitZero() throws {
        let version = try TestSupport.workbench(["--version"])
        XCTAssertEqual(version.status, 0, version.stderr)
        XCTAssertFalse(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        let help = try TestSupport.workbench(["merge", "--help"])
        XCTAssertEqual(help.status, 0, help.stderr)
        XCTAssertTrue(help.stdout.contains("USAGE"), help.stdout)
        XCTAssertEqual(help.stderr, "")
    }

    func testUsageErrorsExitTwo() throws {
        let missing = try TestSupport.workbench(["merge"])
        XCTAssertEqual(missing.status, 2, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("Usage"), missing.stderr)
        let unknown = try TestSupport.workbench(["merge", dir.path, "--no-such-flag"])
        XCTAssertEqual(unknown.status, 2, unknown.stderr)
        // Inputs that do not fit together (an EraDataError of kind `inputs`).
        let mixed = try TestSupport.workbench(["data", "import", path("a.h5"), path("b.csv"), "--out", path("c.h5")])
        XCTAssertEqual(mixed.status, 2, mixed.stderr)
        XCTAssertEqual(mixed.stderr, "error: our HDF5 dataset (\(path("a.h5"))) must be the only input\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("c.h5")))
    }

    /// A failure that has nothing to do with the study's JSON reads `error: <what failed>`, no `$:`.
    func testNonJSONFailureExitsOneWithoutJSONPath() throws {
        let r = try TestSupport.workbench(["merge", dir.path])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertEqual(r.stderr, "error: \(dir.appendingPathComponent("shards").path): no shards here "
                       + "(run `workbench run STUDY --shard I/N --out \(dir.path)` first)\n")
        XCTAssertFalse(r.stderr.contains("$"), r.stderr)
    }

    /// A study-file error keeps its file and JSON path, exit 1.
    func testStudyFileErrorKeepsItsJSONPath() throws {
        let study = path("s.json")
        try #"{"name": "s", "fixed": {"learning_rat": 0.1}}"#.write(toFile: study, atomically: true, encoding: .utf8)
        let r = try TestSupport.workbench(["run", study, "--check"])
        XCTAssertEqual(r.status, 1, r.stderr)
        // The study has more than one problem (every one is reported, see CLIStyleTests); this one
        // keeps its file and JSON path.
        XCTAssertTrue(r.stderr.hasPrefix("error: \(study): "), r.stderr)
        XCTAssertTrue(r.stderr.contains("$.fixed.learning_rat: unknown parameter 'learning_rat'"), r.stderr)
    }

    /// `merge` with a shard missing: exit 1, which shard and why, and the command that runs it
    /// (quoted for the shell: the directory has a space), all from the error's data; no JSON path.
    func testIncompleteShardsNameTheShardAndItsCommand() throws {
        let study = path("s.json")
        try """
        {"name": "s", "seed": 3, "models": 2,
         "data": {"synthetic": {"eras": 30, "rowsPerEra": 60, "features": 8}},
         "fixed": {"n_estimators": 4, "learning_rate": 0.1, "max_depth": 3, "num_leaves": 7},
         "benchmark": false}
        """.write(toFile: study, atomically: true, encoding: .utf8)
        let out = path("out dir")
        let shard = try TestSupport.workbench(["run", study, "--shard", "0/2", "--out", out, "--quiet"])
        XCTAssertEqual(shard.status, 0, shard.stderr)
        let r = try TestSupport.workbench(["merge", out])
        XCTAssertEqual(r.status, 1, r.stderr)
        let standardized = URL(fileURLWithPath: study).standardized.path
        XCTAssertEqual(r.stderr, """
            error: 1 of 2 shard(s) missing or incomplete:
              shard 1: not started (no shard-001-of-002)
            re-run them (each resumes what it stored):
              workbench run \(standardized) --shard 1/2 --out '\(out)'

            """)
        XCTAssertFalse(r.stderr.contains("$"), r.stderr)
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
}
