import Diversity
import Foundation
import TestSupport
import XCTest

/// `workbench score` end to end against numerai-tools reading the same HDF5 file with h5py.
final class ScoreCommandTests: XCTestCase {
    static let makePredictions = """
    import sys, h5py, numpy as np, pandas as pd
    with h5py.File(sys.argv[1], "r") as f:
        ids = f["ids"].asstr()[:]; split = f["split_of_row"][:]; sig = f["true_signal"][:]
    rng = np.random.default_rng(3)
    v = split == 1
    for name, noise, dec in [("p", 1.0, None), ("b", 1.5, 2), ("m", 0.8, None)]:
        x = sig[v] + noise * rng.standard_normal(v.sum())
        if dec is not None: x = np.round(x, dec)
        pd.DataFrame({"id": ids[v], "prediction": x}).to_csv(sys.argv[2] + f"/{name}.csv", index=False, float_format="%.17g")
    """

    static let oracle = """
    import sys, json, h5py, numpy as np, pandas as pd
    from numerai_tools.scoring import numerai_corr, correlation_contribution, feature_neutral_corr, max_feature_correlation
    with h5py.File(sys.argv[1], "r") as f:
        ids = f["ids"].asstr()[:]; split = f["split_of_row"][:]; eras = f["eras"].asstr()[:]
        era = eras[f["era_of_row"][:]]; tn = list(f["target_names"].asstr()[:])
        t = f["targets"][tn.index("target")]; X = f["features"][:]; fn = list(f["feature_names"].asstr()[:])
    v = split == 1
    df = pd.DataFrame(X[:, v].T.astype(float), columns=fn); df["era"] = era[v]; df["target"] = t[v].astype(float)
    df["id"] = ids[v]
    for n in "pbm":
        df = df.merge(pd.read_csv(sys.argv[2] + f"/{n}.csv").rename(columns={"prediction": n}), on="id")
    out = {"corr": [], "fnc": [], "exposure": [], "bmc": [], "mmc": []}
    for e, d in df.groupby("era", sort=True):
        d = d.reset_index(drop=True)
        if d["target"].notna().sum() == 0: continue
        out["corr"].append(float(numerai_corr(d[["p"]], d["target"])["p"]))
        out["fnc"].append(float(feature_neutral_corr(d[["p"]], d[fn], d["target"])["p"]))
        out["exposure"].append(float(max_feature_correlation(d["p"], d[fn])[1]))
        out["bmc"].append(float(correlation_contribution(d[["p"]], d["b"], d["target"])["p"]))
        out["mmc"].append(float(correlation_contribution(d[["p"]], d["m"], d["target"])["p"]))
    s = pd.Series(out["corr"]); cum = s.cumsum()
    out["corr_mean"] = s.mean(); out["corr_std"] = s.std(ddof=0); out["corr_sharpe"] = s.mean() / s.std(ddof=0)
    out["max_drawdown"] = float((cum.cummax() - cum).max())
    for k in ["fnc", "exposure", "bmc", "mmc"]: out[k + "_mean"] = float(np.mean(out[k]))
    print(json.dumps(out))
    """

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
