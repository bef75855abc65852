import XCTest
import Foundation
import TestSupport

/// The built binary: help, version, study validation, run/interrupt/resume, the README's promises.
final class RunCommandTests: XCTestCase {
    var dir: URL!
    override func setUp() { dir = TestSupport.temporaryDirectory("e2e-run") }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func write(_ name: String, _ text: String) -> String { TestSupport.write(text, to: name, in: dir) }

    func testVersionAndHelpListEveryCommand() throws {
        let version = try TestSupport.workbench(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertFalse(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        let help = try TestSupport.workbench(["--help"])
        XCTAssertEqual(help.status, 0)
        for command in ["run", "merge", "report", "train", "predict", "score", "compare", "table", "mine", "data", "slurm", "parameters"] {
            XCTAssertTrue(help.stdout.contains("  \(command) "), "--help lacks \(command):\n\(help.stdout)")
        }
        let bad = try TestSupport.workbench(["run"])
        XCTAssertEqual(bad.status, 2, bad.stderr)
    }

    func testStudyTypoNamesFilePathAndSuggestionAndWritesNothing() throws {
        let study = write("typo.json", #"{"name": "typo", "models": 2, "arms": [{"name": "a", "vary": {"learning_rat": [0.1, 0.2]}}]}"#)
        let out = dir.appendingPathComponent("out")
        let r = try TestSupport.workbench(["run", study, "--out", out.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines),
                       "error: \(study): $.arms[0].vary.learning_rat: unknown parameter 'learning_rat'; did you mean 'learning_rate'?")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    }

    func testCheckPrintsTheResolvedPlanWithoutTraining() throws {
        let study = TestSupport.repoRoot.appendingPathComponent("experiments/seed-grid.json").path
        let r = try TestSupport.workbench(["run", study, "--check", "--out", dir.appendingPathComponent("o").path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("64 models"), r.stdout)
        XCTAssertTrue(r.stdout.contains("distinct configurations in the grid: 2.47e+17"), r.stdout)
        XCTAssertTrue(r.stdout.contains("vary max_bin: one of [2, 3, 4, 5]"), r.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("o").path))
    }

    /// `--check --models` lists the recipe each model will be trained with: the trained study's
    /// models.csv (read by pandas) holds the same arm, target, dropped counts and parameters.
    func testCheckModelsListsTheRecipesTheRunTrains() throws {
        let study = write("list.json", #"""
        {"name": "list", "seed": 4, "models": 4,
         "data": {"synthetic": {"eras": 30, "rowsPerEra": 120, "features": 12}},
         "fixed": {"n_estimators": 15, "num_leaves": 7},
         "arms": [{"name": "grid", "vary": {"learning_rate": {"logUniform": [0.01, 0.3]}, "max_depth": {"intRange": [2, 5]},
                                            "target": ["target", "target_aux1"]}},
                  {"name": "drops", "dropEras": {"fraction": 0.3}, "dropFeatures": {"fraction": 0.25}}],
         "evaluation": {"embargoEras": 1}}
        """#)
        let out = dir.appendingPathComponent("o")
        let check = try TestSupport.workbench(["run", study, "--check", "--models", "--out", out.path])
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
        let listing = dir.appendingPathComponent("listing.txt")
        try check.stdout.write(to: listing, atomically: true, encoding: .utf8)
        let run = try TestSupport.workbench(["run", study, "--out", out.path, "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let compare = try TestSupport.python(TestSupport.oracleScript("EndToEndTests/EndToEndTests-CheckModelsListsTheRecipesTheRunTrains.py"), [listing.path, out.path])
        XCTAssertEqual(compare.status, 0, compare.stdout + compare.stderr)
        let refused = try TestSupport.workbench(["run", study, "--models"])
        XCTAssertEqual(refused.status, 2, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("--models lists the plan and needs --check"), refused.stderr)
    }

    /// Ctrl-C keeps finished models; the same command resumes and ends with the same predictions
    /// as an uninterrupted run.
    func testInterruptedRunResumesToTheSameResult() throws {
        let study = write("resume.json", #"""
        {"name": "resume", "seed": 9, "models": 24,
         "data": {"synthetic": {"eras": 40, "rowsPerEra": 400, "features": 30}},
         "fixed": {"n_estimators": 120, "learning_rate": 0.05, "max_depth": 5, "num_leaves": 31, "colsample_bytree": 0.5},
         "vary": {"seed": {"intRange": [0, 1000000]}},
         "benchmark": {"n_estimators": 40, "learning_rate": 0.1}}
        """#)
        let interrupted = dir.appendingPathComponent("interrupted"), straight = dir.appendingPathComponent("straight")
        // Interrupt once a few models are stored.
        let (wasRunning, status) = try TestSupport.interruptWorkbench(["run", study, "--out", interrupted.path, "--jobs", "2"],
                                                                      whenParts: interrupted.appendingPathComponent("parts"), reach: 3)
        if wasRunning {
            XCTAssertEqual(status, 130, "an interrupted run exits 130")
            let stored = try TestSupport.python("import h5py,sys; f=h5py.File(sys.argv[1]); print(int(f.attrs['models_done']))",
                                                [interrupted.appendingPathComponent("predictions.h5").path])
            XCTAssertEqual(stored.status, 0, stored.stderr)
            XCTAssertGreaterThanOrEqual(Int(stored.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1, 2)
        }
        let resumed = try TestSupport.workbench(["run", study, "--out", interrupted.path])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        if wasRunning { XCTAssertTrue(resumed.stderr.contains("resuming:"), resumed.stderr) }
        let full = try TestSupport.workbench(["run", study, "--out", straight.path, "--jobs", "1"])
        XCTAssertEqual(full.status, 0, full.stderr)
        let compare = try TestSupport.python(TestSupport.oracleScript("EndToEndTests/EndToEndTests-InterruptedRunResumesToTheSameResult.py"), [interrupted.appendingPathComponent("predictions.h5").path, straight.appendingPathComponent("predictions.h5").path])
        XCTAssertEqual(compare.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "ok", compare.stderr)
        // A changed study into the same directory is refused.
        let changed = write("resume.json", try String(contentsOfFile: study, encoding: .utf8).replacingOccurrences(of: #""seed": 9"#, with: #""seed": 10"#))
        let refused = try TestSupport.workbench(["run", changed, "--out", interrupted.path])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("--force"), refused.stderr)
    }

    /// A study's `data` may name a directory of Numerai's parquet files (v5 layout, pyarrow-written).
    func testStudyOnANumeraiParquetDirectory() throws {
        let data = dir.appendingPathComponent("numerai")
        let written = try TestSupport.python(TestSupport.oracleScript("EndToEndTests/EndToEndTests-StudyOnANumeraiParquetDirectory.py"), [data.path])
        XCTAssertEqual(written.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "ok", written.stderr)
        let study = write("parquet.json", """
        {"name": "pq", "seed": 1, "models": 3, "data": {"path": "numerai", "featureSet": "small"},
         "fixed": {"n_estimators": 20, "learning_rate": 0.1, "num_leaves": 7}, "vary": {"max_depth": [2, 3, 4]},
         "benchmark": {"n_estimators": 20, "learning_rate": 0.1}}
        """)
        let check = try TestSupport.workbench(["run", study, "--check"])
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertTrue(check.stdout.contains("data: 5520 rows, 46 eras, 6 features, targets target, target_aux"), check.stdout)
        let run = try TestSupport.workbench(["run", study, "--out", dir.appendingPathComponent("pq-out").path, "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("pq-out/report.md").path))
        let bad = write("bad-set.json", #"{"name": "pq", "models": 1, "data": {"path": "numerai", "featureSet": "smal"}}"#)
        let refused = try TestSupport.workbench(["run", bad, "--check"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("small"), refused.stderr)
    }

    /// The README's parameter list is the parameter table's own rendering.
    func testReadmeParameterListIsGeneratedFromTheTable() throws {
        let table = try TestSupport.workbench(["parameters"])
        XCTAssertEqual(table.status, 0)
        let readme = try String(contentsOf: TestSupport.repoRoot.appendingPathComponent("README.md"), encoding: .utf8)
        XCTAssertTrue(readme.contains(table.stdout), "README.md's parameter table differs from `workbench parameters`; paste its output")
    }
}
