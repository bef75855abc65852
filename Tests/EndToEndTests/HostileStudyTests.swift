import XCTest
import Foundation
import TestSupport

/// The hostile-input sweep of issue 12 (study and run side), kept as regression cases: each case
/// runs the built binary on a careless or hostile input and checks the exit code, a fragment of
/// the message, and that no output was written / the input is untouched where that is the promise.
final class HostileStudyTests: XCTestCase {
    var dir: URL!
    override func setUp() { dir = TestSupport.temporaryDirectory("e2e-hostile") }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    @discardableResult
    func write(_ name: String, _ text: String) -> String { TestSupport.write(text, to: name, in: dir) }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }
    func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    /// Hidden temporaries (`.NAME.tmp-PID-…`) anywhere under `root`.
    func temporaries(under root: URL) -> [String] {
        let e = FileManager.default.enumerator(atPath: root.path)
        var out: [String] = []
        while let p = e?.nextObject() as? String {
            if URL(fileURLWithPath: p).lastPathComponent.contains(".tmp-") { out.append(p) }
        }
        return out
    }

    func expect(_ r: TestSupport.ProcessResult, exit: Int32, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, exit, "stdout:\n\(r.stdout)\nstderr:\n\(r.stderr)", file: file, line: line)
        XCTAssertTrue(r.stderr.contains(fragment), "expected '\(fragment)' in stderr:\n\(r.stderr)", file: file, line: line)
        XCTAssertFalse(r.stderr.contains("NSCocoaErrorDomain"), r.stderr, file: file, line: line)
    }

    /// A small Numerai-layout CSV: `eras` eras (the last `validation` of them validation), 5
    /// integer features, one target; `targetShift` changes the target values (new data).
    func csv(eras: Int = 16, validation: Int = 8, rowsPerEra: Int = 40, seed: UInt64 = 1, targetShift: Int = 0) -> String {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func next() -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(state % 1_000_003)
        }
        var lines = ["id,era,data_type,feature_a,feature_b,feature_c,feature_d,feature_e,target"]
        let targets = ["0", "0.25", "0.5", "0.75", "1"]
        for e in 0..<eras {
            let split = e >= eras - validation ? "validation" : "train"
            for r in 0..<rowsPerEra {
                let f = (0..<5).map { _ in next() % 5 }
                let signal = (f[0] + f[1] + next() % 3 + targetShift) % 5
                lines.append("id\(e)_\(r),era\(String(format: "%02d", e + 1)),\(split),\(f.map(String.init).joined(separator: ",")),\(targets[signal])")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func study(_ name: String, data: String = #"{"synthetic": {"eras": 40, "rowsPerEra": 120, "features": 12}}"#,
               models: Int = 3, extra: String = "") -> String {
        write("\(name).json", """
        {"name": "\(name)", "seed": 5, "models": \(models), "data": \(data),
         "fixed": {"n_estimators": 12, "learning_rate": 0.1, "max_depth": 3, "num_leaves": 7, "colsample_bytree": 0.5},
         "vary": {"seed": {"intRange": [0, 1000]}},
         "benchmark": {"n_estimators": 12, "learning_rate": 0.1}\(extra)}
        """)
    }

    // MARK: Item 9: study names that are not folders of their own

    func testStudyNamedDotDotOrDotIsRefusedAndNothingIsWritten() throws {
        let work = dir.appendingPathComponent("cwd")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        for name in ["..", "."] {
            let s = write("dots-\(name.count).json", #"{"name": "\#(name)", "models": 1}"#)
            let r = try TestSupport.run(TestSupport.workbenchBinary, ["run", s], currentDirectory: work)
            expect(r, exit: 1, "would write into the current or parent directory")
        }
        let slash = write("slash.json", #"{"name": "a/b", "models": 1}"#)
        expect(try TestSupport.workbench(["run", slash, "--check"]), exit: 1, "name must be non-empty letters")
        let long = write("long.json", #"{"name": "\#(String(repeating: "n", count: 300))", "models": 1}"#)
        expect(try TestSupport.workbench(["run", long, "--check"]), exit: 1, "at most 100")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: work.path), [])
    }

    /// --force replaces only workbench's own outputs, and never in a folder whose study.json
    /// workbench did not write.
    func testForceNeverDeletesInAFolderThatIsNotAStudyOutput() throws {
        let out = dir.appendingPathComponent("precious")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        write("precious/study.json", #"{"mine": "not a study record"}"#)
        write("precious/report.md", "my own notes\n")
        let s = study("forced")
        let r = try TestSupport.workbench(["run", s, "--out", out.path, "--force", "--quiet"])
        expect(r, exit: 1, "is not a study record written by workbench")
        XCTAssertEqual(String(decoding: bytes(path("precious/report.md"))!, as: UTF8.self), "my own notes\n")
    }

    // MARK: Item 7, 8: tiny files, unbounded sizes

    /// That the refusals come from the counts, before anything is materialised, is checked
    /// in-process by the memory they take (HostileStudyFileTests.testLimitsAreCheckedFromTheCounts).
    func testHugeLinspaceAndModelCountsAreRefusedFromTheCounts() throws {
        let lin = write("lin.json", #"{"name": "lin", "models": 2, "vary": {"max_depth": {"linspace": [2, 24, 1e9]}}}"#)
        expect(try TestSupport.workbench(["run", lin, "--check"]), exit: 1, "$.vary.max_depth.linspace[2]: linspace of 1000000000 values")
        let many = write("many.json", #"{"name": "many", "models": 1e9}"#)
        expect(try TestSupport.workbench(["run", many, "--check"]), exit: 1, "$.models: 1000000000 models is more than a study may hold (at most 100000")
        let arms = write("arms.json", #"{"name": "arms", "arms": [{"name": "a", "models": 60000}, {"name": "b", "models": 60000}]}"#)
        expect(try TestSupport.workbench(["run", arms, "--check"]), exit: 1, "120000 models in all")
    }

    /// Planner.swift:245 multiplied the grid size by the target count without overflow checks.
    func testGridSizeOverflowInCheckIsReportedNotCrashed() throws {
        let s = write("overflow.json", """
        {"name": "overflow", "models": 2, "data": {"synthetic": {"eras": 30, "rowsPerEra": 50, "features": 6, "targets": 3}},
         "vary": {"n_estimators": {"intRange": [1, 4000000000000000]}, "min_child_samples": {"intRange": [0, 4000000000000000]},
                  "target": ["target", "target_aux1"]}}
        """)
        let r = try TestSupport.workbench(["run", s, "--check"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("distinct configurations in the grid: more than 9.2e18"), r.stdout)
    }

    // MARK: Item 13: --check catches what would fail only after training

    func testCheckCatchesEvaluationTheDataCannotHold() throws {
        let data = write("data.csv", csv())
        let embargo = study("embargo", data: "\"\(data)\"", extra: #", "evaluation": {"embargoEras": 20}"#)
        expect(try TestSupport.workbench(["run", embargo, "--check"]), exit: 1, "too few for a selection range")
        // Without --check the same refusal comes before any training, and nothing is written.
        let out = dir.appendingPathComponent("embargo-out")
        expect(try TestSupport.workbench(["run", embargo, "--out", out.path, "--quiet"]), exit: 1, "\(embargo): $.evaluation")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))

        let noTest = study("notest", data: "\"\(data)\"", extra: #", "evaluation": {"split": "test"}"#)
        expect(try TestSupport.workbench(["run", noTest, "--check"]), exit: 1, "the data has no test rows")

        let oneEra = study("oneera", data: "\"\(write("one.csv", csv(eras: 12, validation: 1)))\"", extra: #", "evaluation": {"embargoEras": 0}"#)
        expect(try TestSupport.workbench(["run", oneEra, "--check"]), exit: 1, "has 1 era(s) with scored rows")

        let oneRow = study("onerow", data: "\"\(write("onerow.csv", csv(eras: 24, validation: 12, rowsPerEra: 1)))\"")
        expect(try TestSupport.workbench(["run", oneRow, "--check"]), exit: 1, "two or more rows")

        let fine = study("fine", data: "\"\(data)\"", extra: #", "evaluation": {"embargoEras": 2}"#)
        let ok = try TestSupport.workbench(["run", fine, "--check"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.contains("memory: about"), ok.stdout)
    }

    // MARK: Item 4: outputs onto inputs

    func testOutputOntoAnInputIsRefusedAndTheInputIsUntouched() throws {
        let data = write("in.csv", csv())
        let original = bytes(data)!
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: path("link.csv"), withDestinationPath: data)
        for out in [data, path("sub/../in.csv"), path("link.csv")] {
            expect(try TestSupport.workbench(["data", "import", "--out", out, data]), exit: 2, "would destroy the input")
        }
        expect(try TestSupport.workbench(["train", "--data", data, "--params", #"{"n_estimators": 5}"#, "--predictions", data]),
               exit: 2, "--predictions \(data) is the input")
        expect(try TestSupport.workbench(["train", "--data", data, "--params", #"{"n_estimators": 5}"#, "--model", data]),
               exit: 2, "--model \(data) is the input")
        expect(try TestSupport.workbench(["predict", "--model", path("none.wbm"), data, "--out", path("link.csv")]),
               exit: 2, "would destroy the input")
        expect(try TestSupport.workbench(["predict", "--model", data, path("other.csv"), "--out", data]),
               exit: 2, "would destroy the input")
        XCTAssertEqual(bytes(data), original)
        XCTAssertTrue(temporaries(under: dir).isEmpty)
    }

    // MARK: Item 12, 15: locking, stale temporaries, --out an existing file

    func testRunMergeAndReportAreRefusedWhileTheOutputIsLocked() throws {
        let out = dir.appendingPathComponent("locked")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let fd = open(out.appendingPathComponent(".workbench.lock").path, O_CREAT | O_RDWR, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        XCTAssertEqual(flock(fd, LOCK_EX | LOCK_NB), 0)
        let s = study("locked")
        expect(try TestSupport.workbench(["run", s, "--out", out.path, "--quiet"]), exit: 1, "another workbench command is writing into")
        expect(try TestSupport.workbench(["merge", out.path]), exit: 1, "another workbench command is writing into")
        write("locked/predictions.h5", "x")
        expect(try TestSupport.workbench(["report", out.path]), exit: 1, "another workbench command is writing into")
        close(fd)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("study.json").path))
    }

    func testStaleTemporariesOfDeadWritersAreSweptAndLiveOnesKept() throws {
        // A pid that certainly ran and is gone: a child we waited for.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let dead = child.processIdentifier
        let out = dir.appendingPathComponent("swept")
        let stale = [".predictions.h5.tmp-\(dead)-deadbeef", "parts/.model-000001.part.tmp-\(dead)-0badf00d",
                     "charts/.corr.svg.tmp-\(dead)-12345678"]
        for name in stale { write("swept/\(name)", "half a file") }
        let live = ".report.md.tmp-\(getpid())-cafecafe"
        write("swept/\(live)", "a live writer's file")
        let s = study("swept")
        let r = try TestSupport.workbench(["run", s, "--out", out.path, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        for name in stale { XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), name) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(live).path))
    }

    /// A `data import` killed mid-write leaves its hidden temporary; the next write of the same
    /// file removes it (its process is gone).
    func testAKilledWritersTemporaryIsRemovedByTheNextWrite() throws {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let stale = ".new.h5.tmp-\(child.processIdentifier)-abcdef12"
        write(stale, "half a dataset")
        write(".other.h5.tmp-\(child.processIdentifier)-abcdef12", "not ours to judge here")
        let data = write("in3.csv", csv())
        let r = try TestSupport.workbench(["data", "import", "--out", path("new.h5"), data])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(exists(stale))
        XCTAssertTrue(exists(".other.h5.tmp-\(child.processIdentifier)-abcdef12"))
    }

    func testOutAnExistingFileGetsAClearMessage() throws {
        let file = write("afile", "not a directory")
        expect(try TestSupport.workbench(["run", study("tofile"), "--out", file, "--quiet"]), exit: 1, "is an existing file, not a directory")
        XCTAssertEqual(bytes(file), Data("not a directory".utf8))
        let data = write("in2.csv", csv())
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("adir"), withIntermediateDirectories: true)
        expect(try TestSupport.workbench(["data", "import", "--out", path("adir"), data]), exit: 1, "is a directory, not a file")
        let longName = path(String(repeating: "x", count: 300) + ".h5")
        expect(try TestSupport.workbench(["data", "import", "--out", longName, data]), exit: 1, "file name too long")
    }

    // MARK: Item 3: data fingerprint

    func testResumingAfterTheDataChangedIsRefusedUntilForced() throws {
        let data = write("fp.csv", csv())
        let s = study("fingerprint", data: "\"\(data)\"", models: 4, extra: #", "evaluation": {"embargoEras": 1}"#)
        let out = dir.appendingPathComponent("fp-out")
        let first = try TestSupport.workbench(["run", s, "--out", out.path, "--quiet"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let record = try JSONSerialization.jsonObject(with: bytes(out.appendingPathComponent("study.json").path)!) as! [String: Any]
        let fingerprint = try XCTUnwrap(record["data"] as? String)
        XCTAssertEqual(fingerprint.count, 16)
        // Same data, same fingerprint: a re-run resumes (nothing to train).
        let again = try TestSupport.workbench(["run", s, "--out", out.path, "--quiet"])
        XCTAssertEqual(again.status, 0, again.stderr)
        let stored = bytes(out.appendingPathComponent("predictions.h5").path)!
        write("fp.csv", csv(targetShift: 1))
        expect(try TestSupport.workbench(["run", s, "--out", out.path, "--quiet"]), exit: 1, "the data changed since the models in")
        XCTAssertEqual(bytes(out.appendingPathComponent("predictions.h5").path), stored, "refusal must leave the results alone")
        let forced = try TestSupport.workbench(["run", s, "--out", out.path, "--quiet", "--force"])
        XCTAssertEqual(forced.status, 0, forced.stderr)
        let newRecord = try JSONSerialization.jsonObject(with: bytes(out.appendingPathComponent("study.json").path)!) as! [String: Any]
        XCTAssertNotEqual(newRecord["data"] as? String, fingerprint)
    }

    // MARK: Item 5: constant models

    func testConstantModelsAreListedAndTheRestAnalysed() throws {
        let s = write("constant.json", """
        {"name": "constant", "seed": 2, "data": {"synthetic": {"eras": 40, "rowsPerEra": 120, "features": 12}},
         "fixed": {"n_estimators": 12, "learning_rate": 0.1, "max_depth": 3, "num_leaves": 7},
         "benchmark": {"n_estimators": 12, "learning_rate": 0.1},
         "arms": [{"name": "ok", "models": 3, "vary": {"seed": {"intRange": [0, 100]}}},
                  {"name": "flat", "models": 2, "fixed": {"min_child_samples": 1000000000}}]}
        """)
        let out = dir.appendingPathComponent("constant-out")
        let r = try TestSupport.workbench(["run", s, "--out", out.path, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let metrics = try JSONSerialization.jsonObject(with: bytes(out.appendingPathComponent("metrics.json").path)!) as! [String: Any]
        XCTAssertEqual(metrics["constant_models"] as? [String], ["flat-000", "flat-001"])
        let ids = (metrics["models"] as! [[String: Any]]).map { $0["id"] as! String }
        XCTAssertEqual(ids.filter { $0.hasPrefix("ok-") }, ["ok-000", "ok-001", "ok-002"])
        XCTAssertFalse(ids.contains("flat-000"))
        let report = String(decoding: bytes(out.appendingPathComponent("report.md").path)!, as: UTF8.self)
        XCTAssertTrue(report.contains("constant models, not analysed (2"), report)
        // `report` re-renders the same.
        let again = try TestSupport.workbench(["report", out.path])
        XCTAssertEqual(again.status, 0, again.stderr)
    }

    // MARK: Item 14: --jobs

    func testHugeJobsClampInsteadOfRefusing() throws {
        let r = try TestSupport.workbench(["run", study("jobs"), "--out", path("jobs-out"), "--jobs", "1000000000", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(exists("jobs-out/report.md"))
    }

    /// The memory estimate `--check` prints (and the 85 % refusal uses) bounds the measured peak
    /// resident memory of the same run, without overstating it more than 1.3×: narrow data, wide
    /// data, many models. Peak RSS from getrusage(RUSAGE_CHILDREN) in the Python oracle.
    func testMemoryEstimateBoundsThePeakResidentMemory() throws {
        let shapes = [("narrow", 60, 2000, 50, 16), ("wide", 40, 1000, 400, 8), ("many", 60, 1000, 20, 300)]
        for (name, eras, rowsPerEra, features, models) in shapes {
            let s = write("\(name).json", """
            {"name": "\(name)", "seed": 1, "models": \(models),
             "data": {"synthetic": {"eras": \(eras), "rowsPerEra": \(rowsPerEra), "features": \(features)}},
             "fixed": {"n_estimators": 10, "learning_rate": 0.1, "max_depth": 5, "num_leaves": 31, "colsample_bytree": 0.5},
             "vary": {"seed": {"intRange": [0, 1000]}}, "benchmark": {"n_estimators": 10, "learning_rate": 0.1}}
            """)
            let check = try TestSupport.workbench(["run", s, "--check", "--jobs", "2"])
            XCTAssertEqual(check.status, 0, check.stderr)
            let line = try XCTUnwrap(check.stdout.split(separator: "\n").first { $0.hasPrefix("memory: about ") }, check.stdout)
            let estimateMB = try XCTUnwrap(Double(line.dropFirst("memory: about ".count).prefix { $0.isNumber }))
            let peak = try TestSupport.python(TestSupport.oracleScript("EndToEndTests/MemoryEstimateTests-PeakResidentMemory.py"), [TestSupport.workbenchBinary, "run", s, "--out", path("\(name)-out"), "--quiet", "--jobs", "2"])
            XCTAssertEqual(peak.status, 0, peak.stderr)
            let peakMB = try XCTUnwrap(Double(peak.stdout.trimmingCharacters(in: .whitespacesAndNewlines))) / 1e6
            XCTAssertGreaterThanOrEqual(estimateMB, peakMB, "\(name): estimate \(estimateMB) MB below the peak \(peakMB) MB")
            XCTAssertLessThanOrEqual(estimateMB, 1.3 * peakMB, "\(name): estimate \(estimateMB) MB far above the peak \(peakMB) MB")
        }
    }
}
