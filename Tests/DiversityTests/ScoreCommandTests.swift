import Diversity
import Foundation
import TestSupport
import XCTest

/// `workbench score` end to end against numerai-tools reading the same HDF5 file with h5py.
final class ScoreCommandTests: XCTestCase {
    static let makePredictions = TestSupport.oracleScript("DiversityTests/ScoreCommandTests-makePredictions.py")

    static let oracle = TestSupport.oracleScript("DiversityTests/ScoreCommandTests-oracle.py")

    func testScoreMatchesNumeraiToolsAndRejectsBadInput() throws {
        let dir = TestSupport.temporaryDirectory("score")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("d.h5").path
        let synth = try TestSupport.workbench(["data", "synth", "--out", data, "--eras", "30", "--rows-per-era", "200",
                                               "--features", "12", "--targets", "2", "--seed", "4"])
        XCTAssertEqual(synth.status, 0, synth.stderr)
        _ = try Fixture.python(Self.makePredictions + "\nprint('{}')", [data, dir.path])
        let p = dir.appendingPathComponent("p.csv").path
        let run = try TestSupport.workbench(["score", "--data", data, "--predictions", p, "--json",
                                             "--benchmark", dir.appendingPathComponent("b.csv").path,
                                             "--meta-model", dir.appendingPathComponent("m.csv").path])
        XCTAssertEqual(run.status, 0, run.stderr)
        let mine = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
        let expected = try Fixture.python(Self.oracle, [data, dir.path]) as! [String: Any]
        for key in ["corr_mean", "corr_std", "corr_sharpe", "max_drawdown", "fnc_mean", "bmc_mean", "mmc_mean"] {
            assertClose((mine[key] as! NSNumber).doubleValue, (expected[key] as! NSNumber).doubleValue, rel: 1e-9, key)
        }
        // Exposure uses the raw predictions, which the CSV round trip stores as float32.
        assertClose((mine["max_feature_exposure"] as! NSNumber).doubleValue,
                    (expected["exposure_mean"] as! NSNumber).doubleValue, rel: 1e-6, "max_feature_exposure")
        let perEra = mine["per_era"] as! [[String: Any]]
        for (key, mineKey) in [("corr", "corr"), ("fnc", "fnc"), ("bmc", "bmc"), ("mmc", "mmc")] {
            let theirs = doubles(expected[key])
            XCTAssertEqual(theirs.count, perEra.count)
            for (a, b) in zip(perEra.map { ($0[mineKey] as! NSNumber).doubleValue }, theirs) {
                assertClose(a, b, rel: 1e-9, "per era \(key)")
            }
        }
        XCTAssertNotNil(perEra.first?["era"] as? String)

        // Bad input: clear messages, exit 1.
        func expectFailure(_ csv: String, _ fragment: String, line: UInt = #line) throws {
            let path = dir.appendingPathComponent("bad.csv").path
            try csv.write(toFile: path, atomically: true, encoding: .utf8)
            let r = try TestSupport.workbench(["score", "--data", data, "--predictions", path])
            XCTAssertEqual(r.status, 1, r.stderr, line: line)
            XCTAssert(r.stderr.contains(fragment), "stderr `\(r.stderr)` lacks `\(fragment)`", line: line)
        }
        let good = try String(contentsOfFile: p, encoding: .utf8)
        let lines = good.split(separator: "\n").map(String.init)
        try expectFailure(good + "nope_id,0.5\n", "not in the data, e.g. nope_id")
        try expectFailure(good + lines[1] + "\n", "bad.csv:\(lines.count + 1): duplicate id")
        try expectFailure(lines[0] + "\n" + lines[1].split(separator: ",")[0] + ",nan\n", "bad.csv:2: prediction for id")
        try expectFailure(lines.dropLast().joined(separator: "\n") + "\n", "have no prediction")
        try expectFailure("id,pred\n", "header must be `id,prediction`")
    }
}
