import Foundation
import TestSupport
import XCTest

/// Issue 17 "One CLI style", on the built binary: every study error at once, JSON syntax errors
/// located by line and column, one flag style (-o, -j, -q, --json with one JSON style), and
/// golden `--help` texts.
final class CLIStyleTests: XCTestCase {
    var dir: URL!
    override func setUp() { dir = TestSupport.temporaryDirectory("e2e-cli-style") }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    @discardableResult
    func write(_ name: String, _ text: String) -> String { TestSupport.write(text, to: name, in: dir) }

    // MARK: Study validation: every error at once

    /// Six different problems (unknown key, wrong type, out of range, unknown parameter, bad
    /// parameter range, bad reference) are all reported in one run, each at its JSON path, with
    /// did-you-mean where a name is close; nothing is written.
    func testEveryStudyErrorIsReportedAtOnceWithItsPath() throws {
        let study = write("six.json", """
        {
          "name": "six", "seed": "five", "modles": 3,
          "data": {"synthetic": {"eras": 30, "rowsPerEra": 50, "features": 8}},
          "evaluation": {"selectionFraction": 1.5},
          "arms": [
            {"name": "grid", "models": 2, "vary": {"num_leaves": {"intRange": [-3, 10]}}},
            {"name": "seeds", "models": 2, "vary": {"learning_rat": [0.01, 0.1]}}
          ],
          "contrasts": [{"a": "grid", "b": "sedes"}]
        }
        """)
        let expected: [(path: String, fragment: String)] = [
            ("$.modles", "unknown key 'modles'; did you mean 'models'?"),
            ("$.seed", "expected a number, found a string"),
            ("$.evaluation.selectionFraction", "selectionFraction must be in (0, 1)"),
            ("$.arms[0].vary.num_leaves", "num_leaves"),
            ("$.arms[1].vary.learning_rat", "unknown parameter 'learning_rat'; did you mean 'learning_rate'?"),
            ("$.contrasts[0].b", "no ensemble named 'sedes'"),
        ]
        let out = dir.appendingPathComponent("out")
        for arguments in [["run", study, "--check"], ["run", study, "-o", out.path]] {
            let r = try TestSupport.workbench(arguments)
            XCTAssertEqual(r.status, 1, r.stderr)
            XCTAssertTrue(r.stderr.hasPrefix("error: \(study): 6 problems\n"), r.stderr)
            let lines = r.stderr.split(separator: "\n").dropFirst().map(String.init)
            XCTAssertEqual(lines.count, 6, r.stderr)
            for (path, fragment) in expected {
                let line = lines.first { $0.hasPrefix("  \(path): ") }
                XCTAssertNotNil(line, "\(path) in\n\(r.stderr)")
                XCTAssertTrue(line?.contains(fragment) ?? false, "\(fragment) in \(line ?? "")")
            }
            XCTAssertTrue(r.stdout.isEmpty, r.stdout)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "nothing written")

        // Fix them one by one: each fix removes exactly its line.
        var text = try String(contentsOfFile: study, encoding: .utf8)
        text = text.replacingOccurrences(of: #""modles": 3"#, with: #""models": 3"#)
            .replacingOccurrences(of: #""seed": "five""#, with: #""seed": 5"#)
        write("six.json", text)
        let fewer = try TestSupport.workbench(["run", study, "--check"])
        XCTAssertTrue(fewer.stderr.hasPrefix("error: \(study): 4 problems\n"), fewer.stderr)
        XCTAssertFalse(fewer.stderr.contains("$.modles") || fewer.stderr.contains("$.seed"), fewer.stderr)
    }

    /// One error keeps the one-line message (tests and users grep for it).
    func testOneErrorIsOneLine() throws {
        let study = write("one.json", #"{"name": "one", "models": 2, "vary": {"learning_rat": [0.1]}}"#)
        let r = try TestSupport.workbench(["run", study, "--check"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "error: \(study): $.vary.learning_rat: unknown parameter 'learning_rat'; did you mean 'learning_rate'?\n")
    }

    /// A JSON syntax error names its line and column; Python's json module (the oracle) agrees.
    func testSyntaxErrorGivesLineAndColumn() throws {
        let text = "{\n  \"name\": \"broken\",\n  \"models\": 3,\n  \"seed\": 7 \"x\"\n}\n"
        let study = write("broken.json", text)
        let r = try TestSupport.workbench(["run", study, "--check"])
        XCTAssertEqual(r.status, 1, r.stderr)
        let oracle = try TestSupport.python(TestSupport.oracleScript("EndToEndTests/CLIStyleTests-SyntaxErrorLineAndColumn.py"), [study])
        let parts = oracle.stdout.split(separator: " ").map { Int($0.trimmingCharacters(in: .whitespacesAndNewlines))! }
        XCTAssertEqual(parts[0], 4)
        XCTAssertTrue(r.stderr.contains("not valid JSON (line \(parts[0]), column \(parts[1])"), "python: \(parts); ours: \(r.stderr)")
    }

    // MARK: One flag style

    func study(_ name: String) -> String {
        write("\(name).json", """
        {"name": "\(name)", "seed": 3, "models": 2,
         "data": {"synthetic": {"eras": 30, "rowsPerEra": 60, "features": 8}},
         "fixed": {"n_estimators": 8, "learning_rate": 0.1, "max_depth": 3, "num_leaves": 7},
         "vary": {"seed": {"intRange": [0, 1000]}},
         "benchmark": {"n_estimators": 8, "learning_rate": 0.1}}
        """)
    }

    /// `-o -j -q` are `--out --jobs --quiet`: the same files, and `-q` leaves stderr empty.
    func testShortFlagsAreTheLongOnes() throws {
        let s = study("flags")
        let short = dir.appendingPathComponent("short"), long = dir.appendingPathComponent("long")
        let a = try TestSupport.workbench(["run", s, "-o", short.path, "-j", "1", "-q"])
        XCTAssertEqual(a.status, 0, a.stderr)
        XCTAssertEqual(a.stderr, "", "quiet: no progress")
        let b = try TestSupport.workbench(["run", s, "--out", long.path, "--jobs", "2", "--quiet"])
        XCTAssertEqual(b.status, 0, b.stderr)
        for file in ["metrics.json", "per_era.csv"] {   // models.csv also holds train seconds
            XCTAssertEqual(FileManager.default.contents(atPath: short.appendingPathComponent(file).path),
                           FileManager.default.contents(atPath: long.appendingPathComponent(file).path), file)
        }
        // report and merge accept -q: nothing on stdout or stderr.
        let report = try TestSupport.workbench(["report", short.path, "-q"])
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertEqual(report.stdout + report.stderr, "")
        let loud = try TestSupport.workbench(["report", short.path])
        XCTAssertTrue(loud.stdout.contains("report: "), loud.stdout)
        // -q never hides an error.
        let missing = try TestSupport.workbench(["report", dir.appendingPathComponent("nope").path, "-q"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("no such directory"), missing.stderr)
        // On a terminal (a pty from util-linux `script`), loading and analysing show progress
        // lines; -q hides them; in logs (a pipe, above) there are none.
        func onTerminal(_ arguments: [String]) throws -> String {
            let r = try TestSupport.workbenchOnTerminal(arguments)
            XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
            return r.stdout
        }
        let terminal = try onTerminal(["report", short.path])
        XCTAssertTrue(terminal.contains("\u{1B}[Kloading data: "), terminal.debugDescription)
        XCTAssertTrue(terminal.contains("rows, 30 eras)"), terminal.debugDescription)
        XCTAssertTrue(terminal.contains("\u{1B}[Kanalysing: "), terminal.debugDescription)
        XCTAssertFalse(loud.stderr.contains("analysing"), loud.stderr)
        let quietTerminal = try onTerminal(["report", short.path, "-q"])
        XCTAssertFalse(quietTerminal.contains("analysing") || quietTerminal.contains("loading"), quietTerminal.debugDescription)
        // table: --json is --format json.
        let j1 = try TestSupport.workbench(["table", short.path, long.path, "--json"])
        let j2 = try TestSupport.workbench(["table", short.path, long.path, "--format", "json"])
        XCTAssertEqual(j1.status, 0, j1.stderr)
        XCTAssertEqual(j1.stdout, j2.stdout)
    }

    /// data synth/import/info: -o, -q, and --json in the one style (sorted keys, two-space indent):
    /// for integers and strings it is byte for byte Python's json.dumps(indent=2, sort_keys=True).
    /// train/predict: -j and --jobs are --threads.
    func testDataTrainPredictFlagsAndJSONStyle() throws {
        let data = dir.appendingPathComponent("d.h5").path
        let synth = try TestSupport.workbench(["data", "synth", "-o", data, "--eras", "24", "--rows-per-era", "60",
                                               "--features", "10", "--seed", "2", "-q"])
        XCTAssertEqual(synth.status, 0, synth.stderr)
        XCTAssertEqual(synth.stdout + synth.stderr, "")
        let info = try TestSupport.workbench(["data", "info", data, "--json"])
        XCTAssertEqual(info.status, 0, info.stderr)
        let python = try TestSupport.python(TestSupport.oracleScript("EndToEndTests/CLIStyleTests-JSONStyle.py"), [info.stdout])
        XCTAssertEqual(python.status, 0, python.stderr)
        XCTAssertEqual(info.stdout, python.stdout)

        let params = #"{"n_estimators": 10, "num_leaves": 7, "learning_rate": 0.1}"#
        var outputs: [String] = []
        for flag in ["-j", "--jobs", "--threads"] {
            let p = dir.appendingPathComponent("p\(flag).csv").path
            let r = try TestSupport.workbench(["train", "--data", data, "--params", params, flag, "2", "--predictions", p, "--json"])
            XCTAssertEqual(r.status, 0, r.stderr)
            outputs.append(try String(contentsOfFile: p, encoding: .utf8))
            let model = dir.appendingPathComponent("m.wbm").path
            _ = try TestSupport.workbench(["train", "--data", data, "--params", params, "--model", model])
            let predicted = try TestSupport.workbench(["predict", "--model", model, data, flag, "2", "--split", "validation"])
            XCTAssertEqual(predicted.status, 0, predicted.stderr)
            outputs.append(predicted.stdout)
        }
        XCTAssertEqual(outputs[0], outputs[2]); XCTAssertEqual(outputs[0], outputs[4])
        XCTAssertEqual(outputs[1], outputs[3]); XCTAssertEqual(outputs[1], outputs[5])
        let imported = dir.appendingPathComponent("again.h5").path
        let csv = write("tiny.csv", "id,era,data_type,feature_a,feature_b,target\n" + (0..<40).map {
            "r\($0),era\($0 / 10 + 1),\($0 < 20 ? "train" : "validation"),\($0 % 5),\(($0 * 3) % 5),\(Double($0 % 5) / 4)"
        }.joined(separator: "\n") + "\n")
        let imp = try TestSupport.workbench(["data", "import", csv, "-o", imported, "-q"])
        XCTAssertEqual(imp.status, 0, imp.stderr)
        XCTAssertEqual(imp.stdout + imp.stderr, "")
        XCTAssertTrue(FileManager.default.fileExists(atPath: imported))
    }

    // MARK: Golden --help

    /// Every command's `--help`, byte for byte, at 80 columns. After a deliberate change to an
    /// option or help text, regenerate with
    /// `WORKBENCH_UPDATE_GOLDEN=1 … swift test … --filter CLIStyleTests/testHelpMatchesGolden`
    /// and review the diff of Tests/EndToEndTests/Golden/help/.
    func testHelpMatchesGolden() throws {
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/help")
        let update = ProcessInfo.processInfo.environment["WORKBENCH_UPDATE_GOLDEN"] == "1"
        if update { try FileManager.default.createDirectory(at: golden, withIntermediateDirectories: true) }
        let commands = [[], ["run"], ["merge"], ["report"], ["train"], ["predict"], ["parameters"], ["score"], ["compare"],
                        ["table"], ["sensitivity"], ["mine"], ["node"], ["tournament"], ["data"], ["data", "synth"],
                        ["data", "import"], ["data", "info"], ["slurm"]]
        var seen: [String] = []
        for command in commands {
            let r = try TestSupport.workbench(command + ["--help"], environment: ["COLUMNS": "80"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let name = (command.isEmpty ? "workbench" : command.joined(separator: "-")) + ".txt"
            seen.append(name)
            let file = golden.appendingPathComponent(name)
            if update {
                try Data(r.stdout.utf8).write(to: file)
                continue
            }
            let expected = try String(contentsOf: file, encoding: .utf8)
            XCTAssertEqual(r.stdout, expected, "\(name) differs from the golden file; see the test's doc comment to regenerate")
            // Wrapped at 80 columns (but the one-line synopsis ArgumentParser writes), and each
            // default shown once.
            for line in r.stdout.split(separator: "\n") where !line.hasPrefix("USAGE: ") {
                XCTAssertLessThanOrEqual(line.count, 80, "\(name): \(line)")
            }
            for block in Self.optionBlocks(r.stdout) {
                XCTAssertLessThanOrEqual(block.components(separatedBy: "(default").count - 1
                                         + block.components(separatedBy: "; default:").count - 1, 1, "\(name): \(block)")
            }
        }
        let stored = try FileManager.default.contentsOfDirectory(atPath: golden.path).filter { $0.hasSuffix(".txt") }
        XCTAssertEqual(stored.sorted(), seen.sorted(), "one golden file per command, none stale")
    }

    /// The help of each option: its label line and the indented lines after it.
    static func optionBlocks(_ help: String) -> [String] {
        var blocks: [String] = [], current = ""
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  -") || line.hasPrefix("  <") {
                if !current.isEmpty { blocks.append(current) }
                current = String(line)
            } else if line.hasPrefix("        "), !current.isEmpty {
                current += " " + line.trimmingCharacters(in: .whitespaces)
            } else {
                if !current.isEmpty { blocks.append(current) }
                current = ""
            }
        }
        if !current.isEmpty { blocks.append(current) }
        return blocks
    }
}
