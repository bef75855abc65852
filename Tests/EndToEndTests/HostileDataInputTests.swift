import Foundation
import XCTest
import TestSupport

/// Issue 12's engine and data-input probes, each as the input, the expected exit code, a fragment
/// of the expected message, and "no output file / input untouched" where that is the promise.
/// A crash would show as a signal exit (status ≥ 128 from the shell's view; here: not 0/1/2).
final class HostileDataInputTests: XCTestCase {
    nonisolated(unsafe) static var directory: URL!
    nonisolated(unsafe) static var fixturesMade = false
    func path(_ name: String) -> String { Self.directory.appendingPathComponent(name).path }

    /// Fixtures: the issue's float CSV, CSVs with infinite targets, a Numerai parquet directory
    /// with an infinite target, a zero-row parquet, LightGBM models (binary, regression, and
    /// damaged copies) with LightGBM's own predictions.
    static let fixtures = TestSupport.oracleScript("EndToEndTests/HostileDataInputTests-fixtures.py")

    override class func setUp() {
        super.setUp()
        directory = TestSupport.temporaryDirectory("hostile-data")
        if let r = try? TestSupport.python(fixtures, [directory.path]), r.status == 0 { fixturesMade = true }
        else { print("fixture script failed") }
    }
    override class func tearDown() {
        try? FileManager.default.removeItem(at: directory)
        super.tearDown()
    }

    /// One probe: runs `workbench args`, checks the exit status and a message fragment; paths in
    /// `absent` must not exist afterwards, files in `untouched` must keep their bytes.
    @discardableResult
    func probe(_ args: [String], status: Int32, fragment: String? = nil, absent: [String] = [], untouched: [String] = [],
               file: StaticString = #filePath, line: UInt = #line) throws -> TestSupport.ProcessResult {
        XCTAssertTrue(Self.fixturesMade, "fixtures", file: file, line: line)
        let before = untouched.map { FileManager.default.contents(atPath: $0) }
        let r = try TestSupport.workbench(args)
        XCTAssertEqual(r.status, status, "\(args): \(r.stderr)", file: file, line: line)
        if let fragment {
            XCTAssertTrue((r.stderr + r.stdout).contains(fragment), "\(args): expected '\(fragment)' in: \(r.stderr)",
                          file: file, line: line)
        }
        for p in absent { XCTAssertFalse(FileManager.default.fileExists(atPath: p), "\(p) exists", file: file, line: line) }
        for (p, b) in zip(untouched, before) {
            XCTAssertEqual(FileManager.default.contents(atPath: p), b, "\(p) changed", file: file, line: line)
        }
        return r
    }

    func synthesize(_ name: String) throws -> String {
        let out = path(name)
        if !FileManager.default.fileExists(atPath: out) {
            try probe(["data", "synth", "--out", out, "--eras", "12", "--rows-per-era", "60", "--features", "6"], status: 0)
        }
        return out
    }

    // MARK: item 1 — float features

    /// The issue's reproduction (it stopped with "partition disagrees with histogram"): a 4 000-row
    /// CSV of 8 normal float columns, 100 trees, through `train` and through an imported .h5.
    func testFloatFeaturesTrainFromCSVAndImportedDataset() throws {
        for params in [#"{"n_estimators":100}"#, #"{"n_estimators":100,"max_bin":63}"#,
                       #"{"n_estimators":100,"learning_rate":0.01,"max_depth":5,"num_leaves":31,"colsample_bytree":0.1}"#] {
            try probe(["train", "--data", path("floats.csv"), "--params", params], status: 0, untouched: [path("floats.csv")])
        }
        try probe(["data", "import", "--out", path("floats.h5"), path("floats.csv")], status: 0)
        try probe(["train", "--data", path("floats.h5"), "--params", #"{"n_estimators":100}"#], status: 0)
    }

    // MARK: item 8 — huge integer parameters

    /// `n_estimators` 1e300 trapped converting to Int; every integer parameter beyond 9e15 is an
    /// error naming it, through `train --params` (studies refuse it at their JSON path).
    func testHugeIntegerParametersAreErrors() throws {
        let data = try synthesize("huge-params.h5")
        for params in [#"{"n_estimators": 1e300}"#, #"{"max_depth": -1e20}"#, #"{"num_leaves": 1e16}"#] {
            try probe(["train", "--data", data, "--params", params], status: 2,
                      fragment: "is too large for an integer parameter", untouched: [data])
        }
    }

    // MARK: item 6 — infinite targets

    func testInfiniteTargetsAreRefusedAtImport() throws {
        for name in ["inf", "big", "neginf"] {
            let input = path("target-\(name).csv"), out = path("target-\(name).h5")
            try probe(["data", "import", "--out", out, input], status: 1, fragment: "target-\(name).csv:8:", absent: [out],
                      untouched: [input])
            try probe(["train", "--data", input, "--params", #"{"n_estimators":5}"#], status: 1,
                      fragment: "is not a finite float32")
        }
        let out = path("numerai-inf.h5")
        try probe(["data", "import", "--out", out, path("numerai-inf")], status: 1,
                  fragment: "column 'target', row 18 (id 'n17'): target inf is not finite", absent: [out])
    }

    /// A dataset file holding an infinite target (written by another tool): training stops with
    /// an error, not a trap in the fixed-point kernel.
    func testInfiniteTargetInDatasetFileStopsTraining() throws {
        let data = try synthesize("inf-target.h5")
        let edit = try TestSupport.python(TestSupport.oracleScript("EndToEndTests/HostileDataInputTests-InfiniteTargetInDatasetFileStopsTraining.py"), [data])
        XCTAssertEqual(edit.status, 0, edit.stderr)
        try probe(["train", "--data", data, "--params", #"{"n_estimators":5}"#], status: 1, fragment: "targets must be finite")
    }

    // MARK: item 8 — crashes instead of errors

    func testInvalidSyntheticSettingsAreRefused() throws {
        let out = path("never.h5")
        try probe(["data", "synth", "--out", out, "--eras", "0"], status: 2, fragment: "eras", absent: [out])
        try probe(["data", "synth", "--out", out, "--eras", "9223372036854775807", "--rows-per-era", "9223372036854775807"],
                  status: 2, fragment: "eras must be in", absent: [out])
        try probe(["data", "synth", "--out", out, "--eras", "100000", "--rows-per-era", "100000", "--features", "100000"],
                  status: 2, fragment: "too large", absent: [out])
        for (settings, fragment) in [(#"{"rowsPerEra": 2}"#, "rowsPerEra"), (#"{"noise": -1}"#, "noise"),
                                     (#"{"eras": 1000000000, "rowsPerEra": 1000000000}"#, "too large"),
                                     (#"{"validationFraction": 1.5}"#, "validationFraction")] {
            let study = path("synthetic-\(fragment).json")
            try #"{"name": "s", "models": 1, "data": {"synthetic": \#(settings)}}"#.write(toFile: study, atomically: true, encoding: .utf8)
            try probe(["run", study, "--check"], status: 1, fragment: fragment)
        }
    }

    /// Settings that pass the size bounds but need more memory than the machine has (5 × 10^8
    /// rows: ~90 GB; 100,000 latents over 2,000 eras: ~6 GB of signal weights per target, 1.6 TB
    /// of v2 latent paths) are refused before anything is allocated, for `data synth` and a study
    /// alike; they aborted in the allocator before.
    func testSyntheticDataBeyondTheMachinesMemoryIsRefusedFirst() throws {
        let out = path("huge.h5")
        try probe(["data", "synth", "--out", out, "--rows-per-era", "100000000", "--eras", "5", "--features", "1", "--targets", "1"],
                  status: 1, fragment: "generating this dataset needs about", absent: [out])
        try probe(["data", "synth", "--out", out, "--eras", "2000", "--features", "1", "--settings", #"{"latents": 100000}"#],
                  status: 1, fragment: "use fewer eras, rows per era, features or latents", absent: [out])
        let study = path("huge-synthetic.json")
        try #"{"name": "huge", "models": 1, "data": {"synthetic": {"eras": 5, "rowsPerEra": 100000000, "features": 1, "targets": 1}}}"#
            .write(toFile: study, atomically: true, encoding: .utf8)
        let results = path("huge-results")
        try probe(["run", study, "--out", results, "--quiet"], status: 1, fragment: "the study needs about", absent: [results + "/predictions.h5"])
    }

    /// Damaged dataset files: string heaps, string descriptors, truncation, bin counts. Each is an
    /// error naming the file (libhdf5 itself segfaulted or hung on the first two).
    func testDamagedDatasetFilesAreErrorsNamingTheFile() throws {
        let seed = try synthesize("seed.h5")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: seed)))
        let gcol = try XCTUnwrap(Self.find(Array("GCOL".utf8), in: bytes))
        var address = [UInt8](repeating: 0, count: 8)
        for k in 0..<8 { address[k] = UInt8(truncatingIfNeeded: gcol >> (8 * k)) }
        let descriptor = try XCTUnwrap(Self.find(address, in: bytes)) - 4
        let damages: [(String, (inout [UInt8]) -> Void)] = [
            ("heap-object-size", { b in for k in 0..<8 { b[gcol + 16 + 8 + k] = 0xff } }),
            ("heap-object-index", { b in b[gcol + 16] = 0xee; b[gcol + 17] = 0x7e }),
            ("heap-signature", { b in b[gcol] = UInt8(ascii: "X") }),
            ("descriptor-length", { b in b[descriptor + 2] = 0x7f }),
            ("descriptor-index", { b in b[descriptor + 12] = 0xfe; b[descriptor + 13] = 0xff }),
            ("descriptor-address", { b in b[descriptor + 4] ^= 0x40 }),
            ("truncated", { b in b = Array(b.prefix(b.count / 2)) }),
        ]
        for (name, damage) in damages {
            var copy = bytes
            damage(&copy)
            let damaged = path("damaged-\(name).h5")
            try Data(copy).write(to: URL(fileURLWithPath: damaged))
            for args in [["data", "info", damaged], ["train", "--data", damaged, "--params", #"{"n_estimators":2}"#]] {
                try probe(args, status: 1, fragment: damaged, untouched: [damaged])
            }
        }
        let binCounts = try synthesize("bin-counts.h5")
        let edit = try TestSupport.python(TestSupport.oracleScript("EndToEndTests/HostileDataInputTests-DamagedDatasetFilesAreErrorsNamingTheFile.py"), [binCounts])
        XCTAssertEqual(edit.status, 0, edit.stderr)
        try probe(["train", "--data", binCounts, "--params", #"{"n_estimators":2}"#], status: 1,
                  fragment: "but /bin_counts says 3 bins")
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
        }
        return nil
    }

    // MARK: items 8, 10, 11 — LightGBM text models

    func testLightGBMModelInputs() throws {
        try probe(["predict", "--model", path("nan-threshold.txt"), path("live.csv")], status: 1,
                  fragment: "threshold nan")
        try probe(["predict", "--model", path("lambdarank.txt"), path("live.csv")], status: 1,
                  fragment: "objective 'lambdarank' is not supported")
        // CRLF: the same predictions as the LF file.
        let lf = try probe(["predict", "--model", path("regression.txt"), path("live.csv")], status: 0)
        let crlf = try probe(["predict", "--model", path("crlf.txt"), path("live.csv")], status: 0)
        XCTAssertEqual(crlf.stdout, lf.stdout)
        // Objective transforms: what LightGBM's Booster.predict returns.
        for objective in ["binary", "poisson", "regression"] {
            let out = path("\(objective)-ours.csv")
            try probe(["predict", "--model", path("\(objective).txt"), path("live.csv"), "--out", out], status: 0)
            let r = try TestSupport.python(TestSupport.oracleScript("EndToEndTests/HostileDataInputTests-LightGBMModelInputs.py"), [out, path("\(objective)-expected.csv")])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertLessThan(Double(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 1, 1e-9, objective)
        }
    }

    // MARK: items 10, 15 — score

    func testScoreInputs() throws {
        let data = try synthesize("score.h5")
        let lf = path("predictions.csv")
        try probe(["train", "--data", data, "--params", #"{"n_estimators":5}"#, "--predictions", lf], status: 0)
        let text = try String(contentsOfFile: lf, encoding: .utf8)
        let crlf = path("predictions-crlf.csv")
        try text.replacingOccurrences(of: "\n", with: "\r\n").write(toFile: crlf, atomically: true, encoding: .utf8)
        let a = try probe(["score", "--data", data, "--predictions", lf], status: 0)
        let b = try probe(["score", "--data", data, "--predictions", crlf], status: 0, untouched: [crlf])
        XCTAssertEqual(a.stdout, b.stdout)
        // A big file without a proper header: the error quotes a bounded prefix, not the file.
        let oneLine = path("one-line.csv")
        try String(repeating: "n1,0.5;", count: 25_000).write(toFile: oneLine, atomically: true, encoding: .utf8)
        let r = try probe(["score", "--data", data, "--predictions", oneLine], status: 1, fragment: "header must be")
        XCTAssertLessThan(r.stderr.utf8.count, 400, "error echoes the file")
        // 1e40 is not a float32.
        var lines = text.split(separator: "\n").map(String.init)
        lines[1] = lines[1].split(separator: ",")[0] + ",1e40"
        let huge = path("predictions-huge.csv")
        try (lines.joined(separator: "\n") + "\n").write(toFile: huge, atomically: true, encoding: .utf8)
        try probe(["score", "--data", data, "--predictions", huge], status: 1, fragment: "finite float32")
    }

    // MARK: item 15 — zero-row parquet

    func testZeroRowParquetIsNotCalledCorrupt() throws {
        let out = path("empty.h5")
        let r = try probe(["data", "import", "--out", out, path("empty.parquet")], status: 1, fragment: "no rows", absent: [out])
        XCTAssertFalse(r.stderr.contains("corrupt"), r.stderr)
    }
}
