import Foundation
import TestSupport
import XCTest

/// `workbench mine` as a user runs it: outputs, extension, refusals, and LightGBM / pandas oracles
/// on the files a staker would upload.
final class MineCommandTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws { root = TestSupport.temporaryDirectory("mine-e2e") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    func writeStudy() throws -> String {
        let data = path("data.h5")
        let synth = try TestSupport.workbench(["data", "synth", "--out", data, "--eras", "60", "--rows-per-era", "300",
                                               "--features", "20", "--live"])
        XCTAssertEqual(synth.status, 0, synth.stderr)
        let study = path("study.json")
        try Data(#"""
        {"name": "mine-e2e", "seed": 4, "models": 4, "data": "data.h5",
         "evaluation": {"selectionFraction": 0.5, "embargoEras": 2},
         "vary": {"learning_rate": {"linspace": [0.03, 0.3, 10]}, "max_depth": {"intRange": [2, 5]},
                  "colsample_bytree": {"linspace": [0.2, 1, 5]}, "n_estimators": {"intRange": [10, 30]}},
         "benchmark": {"n_estimators": 30, "learning_rate": 0.1}}
        """#.utf8).write(to: URL(fileURLWithPath: study))
        return study
    }

    func testMineWritesAFarmThatExtendsAndSubmissionsLightGBMReproduces() throws {
        let study = try writeStudy()
        let stakers = path("stakers.txt")
        try Data("# our stakers\nalice\n\nbob\n".utf8).write(to: URL(fileURLWithPath: stakers))
        let out = path("farm")
        let first = try TestSupport.workbench(["mine", study, "--stakers", stakers, "--out", out, "--jobs", "2", "--quiet"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("of 2 stakers hold an accepted model"), first.stdout)
        for file in ["farm.json", "schemes.json", "report.md", "charts/mining-acceptance.svg", "charts/mining-candidates.svg",
                     "charts/mining-uniqueness.svg", "charts/mining-schemes.svg", "benchmark/model.wbm"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(out)/\(file)"), file)
        }
        let report = try String(contentsOfFile: "\(out)/report.md", encoding: .utf8)
        for heading in ["## Summary", "## Acceptance criteria", "## Uniqueness", "## Rotation and pooling (test eras)", "## Stakers"] {
            XCTAssertTrue(report.contains(heading), heading)
        }
        let aliceModel = try Data(contentsOf: URL(fileURLWithPath: "\(out)/stakers/alice/model.wbm"))

        // Extend with two more stakers: alice and bob are loaded, not retrained.
        try Data("alice\nbob\ncarol\ndave\n".utf8).write(to: URL(fileURLWithPath: stakers))
        let second = try TestSupport.workbench(["mine", study, "--stakers", stakers, "--out", out, "--jobs", "1"])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stderr.contains("farm: 2 staker(s) loaded"), second.stderr)
        XCTAssertFalse(second.stderr.contains("alice #"), second.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: "\(out)/stakers/alice/model.wbm")), aliceModel)
        let farm = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/farm.json"))) as! [String: Any]
        let ids = (farm["stakers"] as! [[String: Any]]).map { $0["id"] as! String }
        XCTAssertEqual(ids, ["alice", "bob", "carol", "dave"])

        // Oracles: LightGBM loads each staker's text model and, ranked as Numerai wants, its
        // predictions on the live rows equal the submission; pandas reads the CSV.
        let accepted = (farm["stakers"] as! [[String: Any]]).filter { $0["status"] as? String == "accepted" }.map { $0["id"] as! String }
        XCTAssertFalse(accepted.isEmpty)
        let check = try TestSupport.python(TestSupport.oracleScript("EndToEndTests/MineCommandTests-MineWritesAFarmThatExtendsAndSubmissionsLightGBMReproduces.py"), [path("data.h5"), out] + accepted)
        XCTAssertEqual(check.status, 0, check.stderr)
        // LightGBM prints its warnings on stdout: look for our line.
        XCTAssertTrue(check.stdout.split(separator: "\n").contains("ok 300"), check.stdout + "\n" + check.stderr)
    }

    /// Two `mine` into one farm: the second is refused at once with the shared output lock's
    /// message (exit 1) and leaves the first's farm intact; the first finishes normally.
    func testConcurrentMinesIntoOneFarmAreRefused() throws {
        let study = try writeStudy()
        let out = path("farm")
        let first = try TestSupport.startWorkbench(["mine", study, "--count", "6", "--out", out, "--jobs", "1", "--quiet"])
        // Wait until the first holds the lock (a probe lock on the file then fails).
        let lockPath = "\(out)/.workbench.lock"
        var held = false
        for _ in 0..<600 where !held {
            let fd = open(lockPath, O_RDWR)
            if fd >= 0 {
                if flock(fd, LOCK_EX | LOCK_NB) == 0 { flock(fd, LOCK_UN) } else { held = true }
                close(fd)
            }
            if !held { usleep(20_000) }
        }
        XCTAssertTrue(held, "the first mine took the farm's lock")
        let second = try TestSupport.workbench(["mine", study, "--count", "6", "--out", out, "--jobs", "1", "--quiet"])
        XCTAssertEqual(second.status, 1, second.stderr)
        XCTAssertTrue(second.stderr.contains("another workbench command is writing into \(out)"), second.stderr)
        XCTAssertTrue(second.stderr.contains("mine refused"), second.stderr)
        first.waitUntilExit()
        XCTAssertEqual(first.terminationStatus, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(out)/farm.json"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(out)/.mine.lock"), "one lock file, the shared one")
        // A run into the farm is refused while a mine holds it, and a mine while a run holds it:
        // the lock is the same file.
        let fd = open(lockPath, O_RDWR)
        XCTAssertEqual(flock(fd, LOCK_EX | LOCK_NB), 0)
        let third = try TestSupport.workbench(["mine", study, "--count", "6", "--out", out, "--quiet"])
        XCTAssertEqual(third.status, 1, third.stderr)
        XCTAssertTrue(third.stderr.contains("another workbench command is writing into"), third.stderr)
        close(fd)
    }

    func testBadInputIsRefusedClearly() throws {
        let study = try writeStudy()
        let stakers = path("dup.txt")
        try Data("alice\nbob\nalice\n".utf8).write(to: URL(fileURLWithPath: stakers))
        let dup = try TestSupport.workbench(["mine", study, "--stakers", stakers, "--out", path("f")])
        XCTAssertEqual(dup.status, 1)
        XCTAssertTrue(dup.stderr.contains("dup.txt:3: duplicate staker id 'alice' (first on line 1)"), dup.stderr)
        let both = try TestSupport.workbench(["mine", study, "--count", "2", "--stakers", stakers, "--out", path("f")])
        XCTAssertEqual(both.status, 2, both.stderr)
        XCTAssertTrue(both.stderr.contains("exactly one of --stakers FILE or --count N"), both.stderr)

        let out = path("farm")
        XCTAssertEqual(try TestSupport.workbench(["mine", study, "--count", "1", "--out", out, "--quiet"]).status, 0)
        let changed = path("changed.json")
        let text = try String(contentsOfFile: study, encoding: .utf8).replacingOccurrences(of: "\"seed\": 4", with: "\"seed\": 5")
        try Data(text.utf8).write(to: URL(fileURLWithPath: changed))
        let refused = try TestSupport.workbench(["mine", changed, "--count", "1", "--out", out, "--quiet"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("different study") && refused.stderr.contains("--force"), refused.stderr)
        XCTAssertEqual(try TestSupport.workbench(["mine", changed, "--count", "1", "--out", out, "--quiet", "--force"]).status, 0)
    }
}
