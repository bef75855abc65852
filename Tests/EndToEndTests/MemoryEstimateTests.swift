import Foundation
import TestSupport
import XCTest

/// The runner's memory estimate (`run --check`: "memory: about N MB", `MemoryEstimate`)
/// against the peak resident memory of the `workbench run` child process (getrusage of the child,
/// ru_maxrss), at two sizes of one study: it must bound the peak and stay within 1.3× of it.
final class MemoryEstimateTests: XCTestCase {
    func testEstimateIsWithin1_3xOfThePeakAtTwoSizes() throws {
        let root = TestSupport.temporaryDirectory("memory-estimate")
        defer { try? FileManager.default.removeItem(at: root) }
        // (eras, rows per era, features, models): 100k × 200 and 200k × 400 rows × features (below
        // ~100k rows the estimate's fixed 64 MB allowance for the runtime dominates and the ratio is noise).
        for (name, eras, rowsPerEra, features, models) in [("small", 40, 2500, 200, 6), ("large", 50, 4000, 400, 6)] {
            let study = root.appendingPathComponent("\(name).json")
            try """
            {"name": "\(name)", "seed": 1, "models": \(models),
             "data": {"synthetic": {"eras": \(eras), "rowsPerEra": \(rowsPerEra), "features": \(features)}},
             "fixed": {"n_estimators": 8, "learning_rate": 0.1, "max_depth": 5, "num_leaves": 31, "colsample_bytree": 0.5},
             "vary": {"seed": {"intRange": [0, 1000]}}, "benchmark": {"n_estimators": 8, "learning_rate": 0.1}}
            """.write(to: study, atomically: true, encoding: .utf8)
            let check = try TestSupport.workbench(["run", study.path, "--check", "--jobs", "2"])
            XCTAssertEqual(check.status, 0, check.stderr)
            let line = try XCTUnwrap(check.stdout.split(separator: "\n").first { $0.hasPrefix("memory: about ") }, check.stdout)
            let estimate = try XCTUnwrap(Double(line.dropFirst("memory: about ".count).prefix { $0.isNumber })) * 1e6
            let peak = try TestSupport.python(TestSupport.oracleScript("EndToEndTests/MemoryEstimateTests-PeakResidentMemory.py"), [TestSupport.workbenchBinary, "run", study.path, "--out", root.appendingPathComponent("\(name)-out").path,
                  "--quiet", "--jobs", "2"])
            XCTAssertEqual(peak.status, 0, peak.stderr)
            let peakBytes = try XCTUnwrap(Double(peak.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
            let ratio = estimate / peakBytes
            XCTAssertGreaterThanOrEqual(ratio, 1, "\(name): estimate \(estimate / 1e6) MB below the peak \(peakBytes / 1e6) MB")
            XCTAssertLessThanOrEqual(ratio, 1.3, "\(name): estimate \(estimate / 1e6) MB is \(ratio)× the peak \(peakBytes / 1e6) MB")
        }
    }
}
