import Foundation
import TestSupport
import XCTest

/// Results as data (issue 17): models.csv / per_era.csv against metrics.json and numerai-tools,
/// predictions.h5's labels through the README's h5py → pandas snippet, `compare` of two different
/// studies within a pull-request comment, and `table` over three studies.
final class ResultsDataCommandTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws { root = TestSupport.temporaryDirectory("results-data") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    /// Two different studies on the same data file (so they share eras): A has a grid and a seeds
    /// arm, B three arms and more models.
    static func study(_ name: String, arms: String, models: Int, seed: Int) -> String {
        """
        {
          "name": "\(name)",
          "data": "d.h5",
          "seed": \(seed),
          "models": \(models),
          "fixed": {"n_estimators": 25, "learning_rate": 0.1, "max_depth": 3, "num_leaves": 7, "colsample_bytree": 0.5},
          "benchmark": {"n_estimators": 25, "learning_rate": 0.1},
          "evaluation": {"selectionFraction": 0.5, "embargoEras": 2},
          "arms": [\(arms)]
        }
        """
    }
    static let armsA = """
    {"name": "grid", "vary": {"max_depth": {"intRange": [2, 5]}, "learning_rate": {"logUniform": [0.02, 0.3]}}},
    {"name": "seeds", "vary": {"seed": {"intRange": [0, 1000]}}}
    """
    static let armsB = """
    {"name": "grid", "vary": {"max_depth": {"intRange": [2, 6]}, "colsample_bytree": {"uniform": [0.1, 0.9]}}},
    {"name": "drop-eras", "dropEras": {"fraction": 0.3}},
    {"name": "drop-features", "dropFeatures": {"fraction": 0.3}}
    """

    /// The data file both studies read: validation eras with some unknown targets, some live rows.
    func makeData() throws {
        let r = try TestSupport.workbench(["data", "synth", "--out", root.appendingPathComponent("d.h5").path,
                                           "--eras", "100", "--rows-per-era", "60", "--features", "10",
                                           "--targets", "2", "--seed", "9"])
        XCTAssertEqual(r.status, 0, r.stderr)
    }

    @discardableResult
    func run(_ name: String, arms: String, models: Int, seed: Int, jobs: Int, out: String) throws -> URL {
        let file = root.appendingPathComponent("\(name).json")
        try Self.study(name, arms: arms, models: models, seed: seed).write(to: file, atomically: true, encoding: .utf8)
        let dir = root.appendingPathComponent(out)
        let r = try TestSupport.workbench(["run", file.path, "--out", dir.path, "--jobs", String(jobs), "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        return dir
    }

    /// Runs a Python oracle that prints JSON `{"errors": [...], ...}`; fails on any error.
    func oracle(_ script: String, _ args: [String], file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let r = try TestSupport.python(script, args)
        XCTAssertEqual(r.status, 0, "python failed: \(r.stderr)", file: file, line: line)
        guard r.status == 0, let last = r.stdout.split(separator: "\n").last,
              let out = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any] else {
            XCTFail("no JSON from the oracle: \(r.stdout)\n\(r.stderr)", file: file, line: line)
            return [:]
        }
        let errors = out["errors"] as? [String] ?? ["no errors list"]
        XCTAssertTrue(errors.isEmpty, errors.prefix(20).joined(separator: "\n"), file: file, line: line)
        return out
    }

    // MARK: models.csv, per_era.csv, predictions.h5

    static let tablesOracle = TestSupport.oracleScript("EndToEndTests/ResultsDataCommandTests-tablesOracle.py")

    func testModelsAndPerEraTablesMatchMetricsAndNumeraiToolsAndAreDeterministic() throws {
        try makeData()
        let one = try run("a", arms: Self.armsA, models: 4, seed: 5, jobs: 1, out: "a1")
        let two = try run("a", arms: Self.armsA, models: 4, seed: 5, jobs: 2, out: "a2")
        let out = try oracle(Self.tablesOracle, [one.path, root.appendingPathComponent("d.h5").path])
        XCTAssertEqual(out["models"] as? Int, 9, "8 models and the benchmark")

        // Same bits at any --jobs: per_era.csv whole, models.csv without train_seconds (the last column).
        func read(_ dir: URL, _ name: String) throws -> String {
            try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
        }
        XCTAssertEqual(try read(one, "per_era.csv"), try read(two, "per_era.csv"))
        func withoutSeconds(_ text: String) -> [String] {
            text.split(separator: "\n").map { line in String(line[..<line.lastIndex(of: ",")!]) }
        }
        let models = try read(one, "models.csv")
        XCTAssertTrue(models.split(separator: "\n")[0].hasSuffix(",train_seconds"))
        XCTAssertEqual(withoutSeconds(models), withoutSeconds(try read(two, "models.csv")))

        // `report` rewrites them with the same bytes (train_seconds comes from the store).
        let studyFile = root.appendingPathComponent("a.json").path
        let r = try TestSupport.workbench(["report", one.path, "--study", studyFile])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try read(one, "models.csv"), models)

        // A failed write leaves no half-written table under its final name.
        let before = try read(one, "per_era.csv")
        let failed = try TestSupport.workbench(["report", one.path, "--study", studyFile], environment: ["WORKBENCH_FAIL_WRITE": "per_era.csv"])
        XCTAssertNotEqual(failed.status, 0)
        XCTAssertTrue(failed.stderr.contains("per_era.csv"), failed.stderr)
        XCTAssertEqual(try read(one, "per_era.csv"), before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: one.path).filter { $0.contains(".tmp-") }, [])
    }

    /// The README's h5py → pandas block, run verbatim by the oracle on a real study's output.
    func testReadmeSnippetReadsPredictionsIntoPandasAndMatchesModelsCSV() throws {
        let readme = TestSupport.repoRoot.appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        XCTAssertTrue(text.contains("<!-- tested: Tests/EndToEndTests/ResultsDataCommandTests.swift runs this block -->\n```python\n"),
                      "README.md lacks the tested h5py → pandas block")
        try makeData()
        let dir = try run("a", arms: Self.armsA, models: 3, seed: 2, jobs: 2, out: "a")
        _ = try oracle(TestSupport.oracleScript("EndToEndTests/ResultsDataCommandTests-ReadmeSnippet.py"), [readme.path, dir.path])
    }

    // MARK: compare

    static let pairedOracle = TestSupport.oracleScript("EndToEndTests/ResultsDataCommandTests-pairedOracle.py")

    func testCompareOfTwoDifferentStudiesFitsAPullRequestComment() throws {
        try makeData()
        let a = try run("a", arms: Self.armsA, models: 6, seed: 5, jobs: 2, out: "a")
        let b = try run("b", arms: Self.armsB, models: 12, seed: 8, jobs: 2, out: "b")
        let md = root.appendingPathComponent("compare.md")
        let r = try TestSupport.workbench(["compare", a.path, b.path, "--markdown", md.path])
        XCTAssertTrue(r.status == 0 || r.status == 1, r.stderr)
        let text = try String(contentsOf: md, encoding: .utf8)
        XCTAssertLessThan(text.utf8.count, 60_000)
        XCTAssertTrue(text.contains("## Headline"), text)
        XCTAssertTrue(text.contains("| ensemble (all)"), text)
        XCTAssertTrue(text.contains("| arm grid ensemble"), text)
        XCTAssertTrue(text.contains("| ρ̄ (mean pairwise corr)"), text)
        XCTAssertTrue(text.contains("<details><summary>Neutral detail"), text)
        XCTAssertTrue(r.stdout.hasPrefix("| headline (test eras)"), r.stdout)

        let json = try TestSupport.workbench(["compare", a.path, b.path, "--json"])
        XCTAssertEqual(json.status, r.status, json.stderr)
        let cmpFile = root.appendingPathComponent("cmp.json")
        try json.stdout.write(to: cmpFile, atomically: true, encoding: .utf8)
        let doc = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        let regressions = doc["regressions"] as! Int
        XCTAssertEqual(r.status, regressions > 0 ? 1 : 0)
        XCTAssertTrue(text.contains("verdict: " + (regressions > 0 ? "\(regressions) metric" : "no regression")), text)
        let out = try oracle(Self.pairedOracle, [a.appendingPathComponent("metrics.json").path,
                                                 b.appendingPathComponent("metrics.json").path, cmpFile.path,
                                                 a.path, b.path])
        // Sane: far fewer regressions than metrics compared; the old flat rule counted every model of A.
        let compared = out["compared"] as! Int, gone = out["gone"] as! Int
        XCTAssertLessThan(regressions, compared / 4, "regressions \(regressions) of \(compared)")
        XCTAssertGreaterThan(gone, 20)

        // The same study again (other --jobs): nothing changed, exit 0.
        let again = try run("a", arms: Self.armsA, models: 6, seed: 5, jobs: 1, out: "a-again")
        let same = try TestSupport.workbench(["compare", a.path, again.path, "--markdown", md.path])
        XCTAssertEqual(same.status, 0, same.stdout + same.stderr)
        XCTAssertTrue(same.stdout.contains("0 regressed, 0 removed, 0 improved, 0 changed (neutral), 0 added, 0 gone"), same.stdout)
        XCTAssertTrue(try String(contentsOf: md, encoding: .utf8).contains("No metric changed beyond tolerance."))
    }

    // MARK: table

    func testTableListsThreeStudiesInEveryFormat() throws {
        try makeData()
        let a = try run("a", arms: Self.armsA, models: 3, seed: 5, jobs: 2, out: "a")
        let b = try run("b", arms: Self.armsB, models: 3, seed: 8, jobs: 2, out: "b")
        // The committed CI baseline: a real study whose metrics.json may predate `ensembles`.
        let ci = TestSupport.repoRoot.appendingPathComponent("results/ci").path
        let dirs = [a.path, b.path, ci]
        let csvFile = root.appendingPathComponent("table.csv")
        let csv = try TestSupport.workbench(["table"] + dirs + ["--format", "csv", "-o", csvFile.path])
        XCTAssertEqual(csv.status, 0, csv.stderr)
        let jsonRun = try TestSupport.workbench(["table"] + dirs + ["--format", "json"])
        XCTAssertEqual(jsonRun.status, 0, jsonRun.stderr)
        let jsonFile = root.appendingPathComponent("table.json")
        try jsonRun.stdout.write(to: jsonFile, atomically: true, encoding: .utf8)
        let script = TestSupport.oracleScript("EndToEndTests/ResultsDataCommandTests-TableListsThreeStudiesInEveryFormat.py")
        _ = try oracle(script, [csvFile.path, jsonFile.path] + dirs)

        let md = try TestSupport.workbench(["table"] + dirs)
        XCTAssertEqual(md.status, 0, md.stderr)
        let lines = md.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 5, md.stdout)
        XCTAssertTrue(lines[0].hasPrefix("| study"), md.stdout)
        XCTAssertTrue(lines[0].contains("| ensemble") && lines[0].contains("| effective_models"), md.stdout)

        // A directory without metrics.json: a clear error, exit 2, nothing printed.
        let empty = root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let bad = try TestSupport.workbench(["table", a.path, empty.path])
        XCTAssertEqual(bad.status, 2, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("\(empty.path): no metrics.json"), bad.stderr)
        XCTAssertEqual(bad.stdout, "")
        let format = try TestSupport.workbench(["table", a.path, "--format", "xlsx"])
        XCTAssertEqual(format.status, 2, format.stderr)
    }
}
