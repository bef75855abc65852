import Foundation
import TestSupport
import XCTest

/// A negative number after a numeric option is that option's value (`-j -1` is not a flag `-1`):
/// it reaches the option's own range check — exit 2, one message naming the option — and a
/// negative value that is in range (`--min-corr -0.05`) is accepted. `data synth` range errors
/// name the flag the user typed, not the generator setting behind it.
extension HostileOptionTests {
    /// `assertUsageError`, and the message is the option's own check, not the parser's.
    @discardableResult
    func assertOwnCheck(_ args: [String], _ message: String, file: StaticString = #filePath,
                        line: UInt = #line) throws -> TestSupport.ProcessResult {
        let r = try assertUsageError(args, message, file: file, line: line)
        for parser in ["Unknown option", "Missing value"] {
            XCTAssertFalse(r.stderr.contains(parser), "\(args.joined(separator: " ")): \(r.stderr)", file: file, line: line)
        }
        return r
    }

    func testNegativeNumbersReachEachOptionsOwnCheck() throws {
        let s = try tinyStudy(), d = path("d.h5"), out = path("out")
        let jobs = "--jobs must be at least 1 (got -1)"
        let cases: [([String], String)] = [
            (["run", s, "-j", "-1"], jobs),
            (["run", s, "--jobs", "-1"], jobs),
            (["run", s, "--check", "-j", "-1"], jobs),
            (["train", "--data", d, "--params", "{}", "--threads", "-1"], jobs),
            (["train", "--data", d, "--params", "{}", "-j", "-1"], jobs),
            (["predict", "--model", path("m.wbm"), d, "-j", "-1"], jobs),
            (["node", path("node.json"), "-j", "-1"], jobs),
            (["node", path("node.json"), "--dry-run", "--round", "-3"], "--round must be ≥ 0"),
            (["sensitivity", s, "--vary", "noise=1,2", "-j", "-1"], jobs),
            (["mine", s, "--count", "3", "-o", out, "-j", "-1"], jobs),
            (["mine", s, "--count", "-5", "-o", out], "--count must be in 1…100000 (got -5)"),
            (["mine", s, "--count", "3", "-o", out, "--max-attempts", "-1"], "--max-attempts must be ≥ 1"),
            (["mine", s, "--count", "3", "-o", out, "--max-corr", "-0.5"], "--max-corr must be in (0, 1]"),
            (["slurm", s, "--shards", "-1"], "--shards must be ≥ 1"),
            (["slurm", s, "--shards", "2", "--cpus-per-task", "-2"], "--cpus-per-task must be ≥ 1"),
            (["compare", path("a"), path("b"), "--absolute-tolerance", "-1"], "--absolute-tolerance must be a finite number ≥ 0"),
            (["compare", path("a"), path("b"), "--tolerance", "-0.5"], "--tolerance must be a finite number ≥ 0"),
            (["data", "synth", "-o", d, "--row-group-rows", "-1", "--format", "numerai"], "--row-group-rows must be at least 1 (got -1)"),
            // In range: the negative value is taken, and the next check fails instead.
            (["mine", s, "--count", "3", "-o", out, "--min-corr", "-0.05", "--min-bmc", "-0.01", "--max-attempts", "0"],
             "--max-attempts must be ≥ 1"),
        ]
        for (args, message) in cases { try assertOwnCheck(args, message) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing written")
        XCTAssertFalse(FileManager.default.fileExists(atPath: d), "nothing written")
    }

    /// Each range error of `data synth` names the flag given (`--rows-per-era`, not rowsPerEra),
    /// with the value it got; a setting given in --settings keeps its own name there. (The
    /// generator's wording of the range is its own: only the name and the value are pinned.)
    func testSynthRangeErrorsNameTheFlag() throws {
        let d = path("d.h5")
        let cases: [(args: [String], flag: String, setting: String?, got: String?)] = [
            (["--eras", "-5"], "--eras", nil, "-5"),
            (["--eras", "0"], "--eras", nil, "0"),
            (["--rows-per-era", "3"], "--rows-per-era", "rowsPerEra", "3"),
            (["--rows-per-era", "-3"], "--rows-per-era", "rowsPerEra", "-3"),
            (["--features", "0"], "--features", nil, nil),
            (["--targets", "-1"], "--targets", nil, nil),
            (["--noise", "-1"], "--noise", nil, "-1"),
            (["--noise", "nan"], "--noise", nil, "nan"),
            (["--validation-fraction", "1.5"], "--validation-fraction", "validationFraction", nil),
            (["--validation-fraction", "-0.25"], "--validation-fraction", "validationFraction", nil),
        ]
        for c in cases {
            let r = try assertOwnCheck(["data", "synth", "-o", d] + c.args, c.flag)
            let label = c.args.joined(separator: " ")
            XCTAssertTrue(r.stderr.contains("must be"), "\(label): \(r.stderr)")
            if let setting = c.setting { XCTAssertFalse(r.stderr.contains(setting), "\(label): \(r.stderr)") }
            if let got = c.got { XCTAssertTrue(r.stderr.contains("(got \(got)"), "\(label): \(r.stderr)") }
        }
        let noTrainEra = try assertOwnCheck(["data", "synth", "-o", d, "--eras", "3", "--validation-fraction", "0.9"], "--eras = 3")
        XCTAssertTrue(noTrainEra.stderr.contains("no train era"), noTrainEra.stderr)
        // A message naming several settings names each flag given, and the others by their keys.
        let tooLarge = try assertOwnCheck(["data", "synth", "-o", d, "--eras", "100000", "--rows-per-era", "100000", "--targets", "2"],
                                          "--eras × --rows-per-era × (features + --targets) = 100000 × 100000 × (300 + 2) is too large")
        XCTAssertTrue(tooLarge.stderr.contains("or latents (8) is"), tooLarge.stderr)
        // Through --settings the setting keeps its name (no flag was typed).
        let r = try assertOwnCheck(["data", "synth", "-o", d, "--settings", #"{"noise": -1}"#], "noise must be")
        XCTAssertFalse(r.stderr.contains("--noise"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: d), "nothing written")
    }
}
