import XCTest
import TestSupport

/// `data synth --format numerai`: Numerai's v5 directory at Numerai's width, read back by pandas, by
/// `data import` (identical to the HDF5 synth of the same settings), and by a shipped study.
final class SynthNumeraiCommandTests: XCTestCase {
    var directory: URL!
    override func setUp() { directory = TestSupport.temporaryDirectory("e2e-synth-numerai") }
    override func tearDown() { try? FileManager.default.removeItem(at: directory) }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Scale smoke test: the CI-sized preset has Numerai's 2,376 features and layout.
    func testSmokePresetImportsIdenticallyToTheHDF5Synth() throws {
        let data = path("numerai")
        let synth = try TestSupport.workbench(["data", "synth", "--format", "numerai", "--preset", "numerai-smoke",
                                               "--out", data, "--compression", "zstd", "--row-group-rows", "7000", "--seed", "9"])
        XCTAssertEqual(synth.status, 0, synth.stderr)
        XCTAssertTrue(synth.stdout.contains("30000 rows, 60 eras, 2376 features, 4 targets (train.parquet 23500, "
                                            + "validation.parquet 6000, live.parquet 500 rows; features.json)"), synth.stdout)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["numerai"])

        // The same settings as our HDF5 file (the numerai format always has the live era).
        let h5 = path("same.h5")
        let reference = try TestSupport.workbench(["data", "synth", "--preset", "numerai-smoke", "--live", "--out", h5, "--seed", "9"])
        XCTAssertEqual(reference.status, 0, reference.stderr)
        let imported = path("imported.h5")
        let importResult = try TestSupport.workbench(["data", "import", "--out", imported, data])
        XCTAssertEqual(importResult.status, 0, importResult.stderr)

        let check = try TestSupport.python(TestSupport.oracleScript("EndToEndTests/SynthNumeraiCommandTests-SmokePresetImportsIdenticallyToTheHDF5Synth.py"), [data, h5, imported])
        XCTAssertEqual(check.stdout, "ok\n", check.stderr)

        // A feature set of the written features.json, through `data import --feature-set`.
        let small = try TestSupport.workbench(["data", "import", "--out", path("small.h5"), data, "--feature-set", "small"])
        XCTAssertEqual(small.status, 0, small.stderr)
        XCTAssertTrue(small.stdout.contains("30000 rows, 60 eras, 42 features, 4 targets"), small.stdout)

        // train on the directory, then a submission for live.parquet.
        let model = path("m.wbm")
        let train = try TestSupport.workbench(["train", "--data", data, "--params", #"{"n_estimators": 5, "num_leaves": 7}"#,
                                               "--model", model])
        XCTAssertEqual(train.status, 0, train.stderr)
        let submission = path("submission.csv")
        let predict = try TestSupport.workbench(["predict", "--model", model, data + "/live.parquet", "--submission", "--out", submission])
        XCTAssertEqual(predict.status, 0, predict.stderr)
        let lines = try String(contentsOfFile: submission, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 1 + 500)
        let liveIds = try TestSupport.python("import sys, pandas as pd; print(' '.join(pd.read_parquet(sys.argv[1]).index))",
                                             [data + "/live.parquet"])
        XCTAssertEqual(lines.dropFirst().map { String($0.split(separator: ",")[0]) },
                       liveIds.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ").map(String.init))
    }

    /// `data import` of the written directory equals `data import` of the same rows as CSV (pandas writes it).
    func testParquetDirectoryImportsLikeTheSameDataAsCSV() throws {
        let data = path("numerai")
        let synth = try TestSupport.workbench(["data", "synth", "--format", "numerai", "--out", data, "--eras", "12",
                                               "--rows-per-era", "60", "--features", "30", "--seed", "4"])
        XCTAssertEqual(synth.status, 0, synth.stderr)
        let csv = path("all.csv")
        let written = try TestSupport.python(TestSupport.oracleScript("EndToEndTests/SynthNumeraiCommandTests-ParquetDirectoryImportsLikeTheSameDataAsCSV-written.py"), [data, csv])
        XCTAssertEqual(written.status, 0, written.stderr)
        for (input, out) in [(data, path("p.h5")), (csv, path("c.h5"))] {
            let result = try TestSupport.workbench(["data", "import", "--out", out, input])
            XCTAssertEqual(result.status, 0, result.stderr)
        }
        let check = try TestSupport.python(TestSupport.oracleScript("EndToEndTests/SynthNumeraiCommandTests-ParquetDirectoryImportsLikeTheSameDataAsCSV.py"), [path("p.h5"), path("c.h5")])
        XCTAssertEqual(check.stdout, "ok\n", check.stderr)
    }

    /// `experiments/numerai-small.json` runs unchanged next to a Numerai-layout directory.
    func testShippedNumeraiStudyRunsOnSynthesizedFiles() throws {
        let experiments = path("experiments")
        try FileManager.default.createDirectory(atPath: experiments, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: path("data"), withIntermediateDirectories: true)
        let study = experiments + "/numerai-small.json"
        try FileManager.default.copyItem(atPath: TestSupport.repoRoot.appendingPathComponent("experiments/numerai-small.json").path,
                                         toPath: study)
        let synth = try TestSupport.workbench(["data", "synth", "--format", "numerai", "--preset", "numerai-smoke",
                                               "--out", path("data/numerai")])
        XCTAssertEqual(synth.status, 0, synth.stderr)
        let run = try TestSupport.workbench(["run", study, "--out", path("results")])
        XCTAssertEqual(run.status, 0, run.stderr)
        let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("results/metrics.json"))))
        XCTAssertNotNil(metrics as? [String: Any])
        let report = try String(contentsOfFile: path("results/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("feature set small"), String(report.prefix(2000)))
    }

    func testBadOptionsAreRefusedAndNothingIsOverwritten() throws {
        func refuses(_ arguments: [String], _ expected: String, line: UInt = #line) throws {
            let result = try TestSupport.workbench(["data", "synth"] + arguments)
            XCTAssertNotEqual(result.status, 0, line: line)
            XCTAssertTrue(result.stderr.contains(expected), result.stderr, line: line)
        }
        try refuses(["--out", path("x.h5"), "--compression", "zstd"], "--compression applies only to --format numerai")
        try refuses(["--out", path("x.h5"), "--row-group-rows", "10"], "--row-group-rows applies only to --format numerai")
        try refuses(["--format", "numerai", "--out", path("n"), "--row-group-rows", "0"], "--row-group-rows must be at least 1")
        try refuses(["--format", "numerai", "--out", path("n"), "--compression", "lz4"], "lz4")
        try refuses(["--format", "parquet", "--out", path("n")], "parquet")
        try refuses(["--format", "numerai", "--out", path("n"), "--preset", "numerai-huge"], "numerai-huge")
        try refuses(["--format", "numerai", "--out", path("n"), "--preset", "numerai-smoke", "--eras", "30"],
                    "--preset numerai-smoke sets --eras")
        try refuses(["--format", "numerai", "--out", path("no/parent/n")], "parent directory")
        let existing = path("existing")
        try FileManager.default.createDirectory(atPath: existing, withIntermediateDirectories: false)
        try refuses(["--format", "numerai", "--out", existing, "--eras", "12", "--rows-per-era", "20"], "already exists")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: existing), [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["existing"])
    }
}
