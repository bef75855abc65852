import Foundation
import TestSupport
import XCTest

/// `mine`, `sensitivity` and a study with replicates show the live "loading data" line on a
/// terminal, as `run` does (`PhaseProgress.loadingData`): `loading data: Ns (R rows, E eras)`;
/// nothing with -q, and nothing in logs (stderr a pipe).
final class LoadingProgressTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws { root = TestSupport.temporaryDirectory("loading-progress") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    func study(_ name: String, extra: String = "") throws -> String {
        let file = path("\(name).json")
        try """
        {"name": "\(name)", "models": 2, "seed": 3,
         "data": {"synthetic": {"eras": 40, "rowsPerEra": 30, "features": 6, "targets": 1}},
         "fixed": {"n_estimators": 4, "num_leaves": 3, "learning_rate": 0.2},
         "benchmark": {"n_estimators": 4}\(extra)}
        """.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// On a terminal: `count` completed "loading data" lines naming the synthetic data's shape;
    /// with -q and in a pipe: none.
    func assertLoadingProgress(_ arguments: (_ out: String) -> [String], count: Int, quietFlag: String = "-q",
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let terminal = try TestSupport.workbenchOnTerminal(arguments(path("terminal")))
        XCTAssertEqual(terminal.status, 0, terminal.stdout, file: file, line: line)
        XCTAssertEqual(terminal.stdout.components(separatedBy: "\u{1B}[Kloading data: ").count - 1, count,
                       terminal.stdout.debugDescription, file: file, line: line)
        XCTAssertTrue(terminal.stdout.contains("s (1200 rows, 40 eras)\r\n"), terminal.stdout.debugDescription, file: file, line: line)
        let quiet = try TestSupport.workbenchOnTerminal(arguments(path("quiet")) + [quietFlag])
        XCTAssertEqual(quiet.status, 0, quiet.stdout, file: file, line: line)
        XCTAssertFalse(quiet.stdout.contains("loading data"), quiet.stdout.debugDescription, file: file, line: line)
        let logged = try TestSupport.workbench(arguments(path("logged")))
        XCTAssertEqual(logged.status, 0, logged.stderr, file: file, line: line)
        XCTAssertFalse((logged.stdout + logged.stderr).contains("loading data"), logged.stderr, file: file, line: line)
    }

    func testMineShowsLoadingProgressOnATerminalOnly() throws {
        let s = try study("mine")
        try assertLoadingProgress({ ["mine", s, "--count", "2", "-o", $0, "-j", "2", "--min-corr=-1", "--min-bmc=-1"] }, count: 1)
    }

    func testSensitivityShowsLoadingProgressPerSettingOnATerminalOnly() throws {
        let s = try study("sens")
        // The baseline and the two settings: three datasets.
        try assertLoadingProgress({ ["sensitivity", s, "--vary", "noise=1,2", "-o", $0, "-j", "2"] }, count: 3)
    }

    func testReplicatesShowLoadingProgressPerReplicateOnATerminalOnly() throws {
        let s = try study("reps", extra: #", "replicates": {"studySeeds": [1, 2]}"#)
        try assertLoadingProgress({ ["run", s, "-o", $0, "-j", "2"] }, count: 2)
    }
}
