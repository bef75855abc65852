import Foundation
import TestSupport
import XCTest

/// Hostile command lines against the built binary: `compare -o` never replaces a file of an input
/// study and refuses a missing, non-directory or unwritable directory before any work, leaving no
/// file behind; out-of-range numeric options (`-j 0`, `-j 100000`, `--count 2000000000`, …) are
/// usage errors naming the option — never a crash.
final class HostileOptionTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws { root = TestSupport.temporaryDirectory("hostile-options") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    /// A study directory as `run` leaves it (metrics.json, report.md, study.json, a chart), with
    /// its name in every file so each is distinguishable.
    func study(_ name: String) throws -> String {
        let dir = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("charts"), withIntermediateDirectories: true)
        try CompareCommandTests.metrics.write(to: dir.appendingPathComponent("metrics.json"), atomically: true, encoding: .utf8)
        for file in ["report.md", "study.json", "charts/scaling.svg"] {
            try "\(name)/\(file)".write(to: dir.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        return dir.path
    }

    /// Every file under `dir` (relative path → bytes).
    func snapshot(_ dir: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let walker = try XCTUnwrap(FileManager.default.enumerator(atPath: dir))
        for case let name as String in walker {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir + "/" + name, isDirectory: &isDir), !isDir.boolValue {
                files[name] = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))
            }
        }
        return files
    }

    func assertNoCrash(_ r: TestSupport.ProcessResult, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        for sign in ["Fatal error", "Program crashed", "Backtrac", "Signal "] {
            XCTAssertFalse(r.stderr.contains(sign), "\(label): \(r.stderr)", file: file, line: line)
        }
    }

    /// A usage error: exit 2, `message` on stderr, nothing on stdout, no crash.
    @discardableResult
    func assertUsageError(_ args: [String], _ message: String, file: StaticString = #filePath,
                          line: UInt = #line) throws -> TestSupport.ProcessResult {
        let label = args.joined(separator: " ")
        let r = try TestSupport.workbench(args)
        XCTAssertEqual(r.status, 2, "\(label): \(r.stdout)\(r.stderr)", file: file, line: line)
        XCTAssertTrue(r.stderr.contains(message), "\(label): \(r.stderr)", file: file, line: line)
        XCTAssertEqual(r.stdout, "", label, file: file, line: line)
        assertNoCrash(r, label, file: file, line: line)
        return r
    }

    /// A two-model study on small generated data (`s.json`), for command lines refused before it is read.
    func tinyStudy() throws -> String {
        let s = path("s.json")
        try #"{"name": "s", "models": 2, "data": {"synthetic": {"eras": 40, "rowsPerEra": 30, "features": 6}}, "fixed": {"n_estimators": 5}}"#
            .write(toFile: s, atomically: true, encoding: .utf8)
        return s
    }

    func testCompareOutputNeverReplacesAFileOfAnInputStudy() throws {
        let a = try study("a"), b = try study("b")
        let before = [try snapshot(a), try snapshot(b)]
        // A link outside the studies that points at a's metrics.json is a's metrics.json.
        try FileManager.default.createSymbolicLink(atPath: path("link.json"), withDestinationPath: a + "/metrics.json")
        let targets = [a + "/metrics.json", b + "/metrics.json", a + "/report.md", b + "/study.json",
                       a + "/charts/scaling.svg", a + "/predictions.h5", b + "/models.csv", a + "/./charts/../report.md",
                       path("link.json")]
        for inputs in [[a, b], [a + "/metrics.json", b + "/metrics.json"]] {
            for target in targets {
                let r = try TestSupport.workbench(["compare"] + inputs + ["-o", target])
                XCTAssertEqual(r.status, 2, "\(target): \(r.stdout)\(r.stderr)")
                XCTAssertTrue(r.stderr.hasPrefix("error: --markdown \(target) "), r.stderr)
                XCTAssertTrue(r.stderr.contains("input"), r.stderr)
                XCTAssertEqual(r.stdout, "", "refused before any work")
                assertNoCrash(r, target)
            }
        }
        XCTAssertEqual([try snapshot(a), try snapshot(b)], before, "no input file changed")
        XCTAssertFalse(FileManager.default.fileExists(atPath: a + "/predictions.h5"))

        // A new name inside a study may be written (CI: `compare results/ci NEW --markdown NEW/compare.md`), and again.
        for _ in 0..<2 {
            let ok = try TestSupport.workbench(["compare", a, b, "-o", b + "/compare.md"])
            XCTAssertEqual(ok.status, 0, ok.stderr)
            XCTAssertTrue(try String(contentsOfFile: b + "/compare.md", encoding: .utf8).hasPrefix("# Study comparison"))
        }
        var after = try snapshot(b)
        after["compare.md"] = nil
        XCTAssertEqual(after, before[1])
    }

    func testCompareOutputIntoAMissingOrUnwritableDirectoryFailsBeforeAnyWork() throws {
        let a = try study("a"), b = try study("b")
        try "not a directory".write(toFile: path("plain"), atomically: true, encoding: .utf8)
        let missing = path("none/deeper") + "/cmp.md", underFile = path("plain") + "/cmp.md"
        for (target, status, message) in [(missing, Int32(2), "directory \(path("none/deeper")) does not exist"),
                                          (underFile, 2, "\(path("plain")) is a file, not a directory")] {
            let r = try TestSupport.workbench(["compare", a, b, "--markdown", target])
            XCTAssertEqual(r.status, status, r.stderr)
            XCTAssertEqual(r.stderr, "error: --markdown \(target): \(message)\n")
            XCTAssertEqual(r.stdout, "", "refused before any work")
            XCTAssertFalse(FileManager.default.fileExists(atPath: target))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("none")), "nothing created")

        // Unwritable: a read-only directory; root writes there anyway, so as root a directory of
        // sysfs (where nobody may create files) stands in.
        let locked: String
        if getuid() == 0 {
            locked = "/sys/kernel"
        } else {
            locked = path("locked")
            try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: true)
            XCTAssertEqual(chmod(locked, 0o555), 0)
        }
        defer { if getuid() != 0 { chmod(locked, 0o755) } }
        let target = locked + "/cmp-\(UUID().uuidString.prefix(8)).md"
        let r = try TestSupport.workbench(["compare", a, b, "--markdown", target])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("error: "), r.stderr)
        XCTAssertTrue(r.stderr.contains(target), r.stderr)
        XCTAssertTrue(r.stderr.contains("permission denied") || r.stderr.contains("read-only file system"), r.stderr)
        assertNoCrash(r, target)
        let left = (try? FileManager.default.contentsOfDirectory(atPath: locked)) ?? []
        XCTAssertFalse(left.contains { $0.contains("cmp-") }, "no file and no temporary left: \(left)")
    }

    /// Each command line with an out-of-range number: exit 2, one message naming the option and
    /// its range, nothing on stdout, no crash. The files named need not exist: options are checked first.
    func testOutOfRangeNumericOptionsAreUsageErrorsNamingTheOption() throws {
        let s = try tinyStudy(), d = path("d.h5"), out = path("out")
        let jobs = "--jobs must be at least 1"
        let cases: [([String], String)] = [
            (["node", path("node.json"), "-j", "0"], jobs + " (got 0)"),
            (["node", path("node.json"), "--jobs=-1"], jobs + " (got -1)"),
            (["node", path("node.json"), "--dry-run", "--round=-3"], "--round must be ≥ 0"),
            (["run", s, "-j", "0"], jobs + " (got 0)"),
            (["run", s, "-j", "99999999999999999999"], "The value '99999999999999999999' is invalid for '-j <jobs>'"),
            (["run", s, "--shard", "3/2"], "--shard: shard index 3 outside 0…1"),
            (["run", s, "--shard", "1/0"], "--shard: shard count must be ≥ 1"),
            (["train", "--data", d, "--params", "{}", "--threads", "0"], jobs + " (got 0)"),
            (["predict", "--model", path("m.wbm"), d, "-j", "0"], jobs + " (got 0)"),
            (["mine", s, "--count", "0", "-o", out], "--count must be in 1…100000 (got 0)"),
            (["mine", s, "--count", "2000000000", "-o", out], "--count must be in 1…100000 (got 2000000000)"),
            (["mine", s, "--count", "3", "-o", out, "--max-attempts", "0"], "--max-attempts must be ≥ 1"),
            (["mine", s, "--count", "3", "-o", out, "--max-corr", "2"], "--max-corr must be in (0, 1]"),
            (["mine", s, "--count", "3", "-o", out, "--min-corr", "nan"], "--min-corr and --min-bmc must be finite"),
            (["sensitivity", s, "--vary", "noise=1,2", "-j", "0"], jobs + " (got 0)"),
            (["slurm", s, "--shards", "0"], "--shards must be ≥ 1"),
            (["slurm", s, "--shards", "2", "--cpus-per-task", "0"], "--cpus-per-task must be ≥ 1"),
            (["data", "synth", "-o", d, "--eras", "0"], "eras must be in [1, 2147483646] (got 0)"),
            (["data", "synth", "-o", d, "--features", "0"], "features must be ≥ 1 (got 0)"),
            (["data", "synth", "-o", d, "--validation-fraction", "1.5"], "--validation-fraction must be in (0, 1)"),
            (["data", "synth", "-o", d, "--noise", "nan"], "noise must be ≥ 0 (got nan)"),
            (["data", "synth", "-o", d, "--eras", "100000", "--rows-per-era", "100000", "--features", "3000"], "is too large"),
            (["compare", path("a"), path("b"), "--tolerance", "nan"], "--tolerance must be a finite number ≥ 0"),
            (["compare", path("a"), path("b"), "--absolute-tolerance=-1"], "--absolute-tolerance must be a finite number ≥ 0"),
        ]
        for (args, message) in cases { try assertUsageError(args, message) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing written")
        XCTAssertFalse(FileManager.default.fileExists(atPath: d), "nothing written")
    }

    /// A huge thread count is clamped (issue 12: huge `--jobs` values clamp, not refuse; `train -j
    /// 100000` once allocated 26 GB and crashed) and gives the same predictions as one thread.
    func testHugeThreadCountIsClampedAndTrainsTheSameModel() throws {
        let d = path("d.h5")
        let synth = try TestSupport.workbench(["data", "synth", "-o", d, "--eras", "20", "--rows-per-era", "50", "--features", "5", "-q"])
        XCTAssertEqual(synth.status, 0, synth.stderr)
        var predictions: [String] = []
        for jobs in ["1", "100000"] {
            let p = path("p\(jobs).csv")
            let r = try TestSupport.workbench(["train", "--data", d, "--params", #"{"n_estimators": 8, "num_leaves": 7}"#,
                                               "-j", jobs, "--predictions", p])
            XCTAssertEqual(r.status, 0, r.stderr)
            assertNoCrash(r, "-j \(jobs)")
            predictions.append(try String(contentsOfFile: p, encoding: .utf8))
        }
        XCTAssertFalse(predictions[0].isEmpty)
        XCTAssertEqual(predictions[0], predictions[1], "same bits at 1 and 100000 (clamped to 1024) threads")
    }
}
