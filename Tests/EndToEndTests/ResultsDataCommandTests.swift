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

    static let tablesOracle = """
    import sys, json, h5py, numpy as np, pandas as pd
    from numerai_tools.scoring import numerai_corr, feature_neutral_corr, max_feature_correlation
    out_dir, data = sys.argv[1], sys.argv[2]
    errors = []
    def close(a, b, what, rel=1e-10, floor=1e-12):
        a, b = float(a), float(b)
        if np.isnan(a) and np.isnan(b): return
        if not abs(a - b) <= rel * max(abs(a), abs(b), floor): errors.append(f"{what}: {a} vs {b}")
    metrics = json.load(open(f"{out_dir}/metrics.json"))
    models = pd.read_csv(f"{out_dir}/models.csv")
    per_era = pd.read_csv(f"{out_dir}/per_era.csv", dtype={"era": str})
    ids = [m["id"] for m in metrics["models"]]
    if list(models["id"]) != ids: errors.append(f"models.csv ids {list(models['id'])} != {ids}")
    if list(per_era.columns) != ["model", "era", "part", "corr", "bmc"]: errors.append(f"per_era columns {list(per_era.columns)}")
    sel, test = metrics["split"]["selection_eras"], metrics["split"]["test_eras"]
    models = models.set_index("id")
    for m in metrics["models"]:
        row = models.loc[m["id"]]
        if row["arm"] != m["arm"] or row["analysed"] != 1: errors.append(f"{m['id']}: arm/analysed {row['arm']} {row['analysed']}")
        for key in ["corr_mean", "corr_std", "corr_sharpe", "max_drawdown", "bmc_mean", "fnc_mean",
                    "max_feature_exposure", "contribution", "selection_corr_mean", "test_corr_mean"]:
            close(row[key], np.nan if m[key] is None else m[key], f"{m['id']} {key} vs metrics.json", rel=1e-11)
        for name, value in m["params"].items():
            close(row["param_" + name], value, f"{m['id']} param {name}", rel=1e-11)
        if not (row["trees"] >= 1 and row["train_seconds"] >= 0): errors.append(f"{m['id']}: trees/train_seconds")
        e = per_era[per_era["model"] == m["id"]]
        if list(e["era"][e["part"] == "selection"]) != sel: errors.append(f"{m['id']}: selection eras differ")
        if list(e["era"][e["part"] == "test"]) != test: errors.append(f"{m['id']}: test eras differ")
        close(e["corr"].mean(), m["corr_mean"], f"{m['id']} per-era corr mean")
        close(e["bmc"].mean(), m["bmc_mean"], f"{m['id']} per-era bmc mean")
        for part in ["selection", "test"]:
            c = e["corr"][e["part"] == part]
            close(c.mean(), row[f"{part}_corr_mean"], f"{m['id']} {part} mean")
            close(c.mean() / c.std(ddof=0), row[f"{part}_corr_sharpe"], f"{m['id']} {part} sharpe")
            close(e["bmc"][e["part"] == part].mean(), row[f"{part}_bmc_mean"], f"{m['id']} {part} bmc")
    # The benchmark's BMC against itself is 0 in every era.
    b = per_era[per_era["model"] == metrics["benchmark"]]["bmc"]
    if not (b.abs() < 1e-12).all(): errors.append("benchmark bmc is not 0")

    # predictions.h5 labels against the dataset file.
    with h5py.File(f"{out_dir}/predictions.h5", "r") as f, h5py.File(data, "r") as d:
        rows = f["rows"][:]
        tn = list(d["target_names"].asstr()[:])
        if f.attrs["target_name"] != metrics["target"]: errors.append(f"target_name {f.attrs['target_name']}")
        truth = d["targets"][tn.index(metrics["target"])][rows]
        if not np.array_equal(np.isnan(truth), np.isnan(f["target"][:])) or not np.allclose(truth[~np.isnan(truth)], f["target"][:][~np.isnan(truth)], rtol=0, atol=0):
            errors.append("stored target differs from the dataset's")
        names = d.attrs["split_names"].split(",")
        if list(f["split"].asstr()[:]) != [names[s] for s in d["split_of_row"][:][rows]]: errors.append("stored split differs")
        eras = f["eras"].asstr()[:]
        if sorted(set(eras[f["selection"][:] == 1])) != sorted(sel): errors.append("selection flags differ from metrics split")
        if sorted(set(eras[f["test"][:] == 1])) != sorted(test): errors.append("test flags differ from metrics split")
        # Max feature exposure and FNC of every model with numerai-tools on the binned features
        # (all validation rows of each era, as numerai-tools takes them).
        X = d["features"][:][:, rows].T.astype(float)
        fn = list(d["feature_names"].asstr()[:])
        P = f["predictions"][:]
        preds = {mid: P[i] for i, mid in enumerate(f["models/id"].asstr()[:])}
        preds["benchmark"] = f["benchmark/predictions"][:]
        split = f["split"].asstr()[:]
        target = f["target"][:].astype(float)
        v = split == "validation"
        df = pd.DataFrame(X[v], columns=fn); df["era"] = eras[v]; df["target"] = target[v]
        for mid in ids:
            df["p"] = preds[mid][v].astype(float)
            exp, fnc = [], []
            for era, g in df.groupby("era", sort=True):
                if g["target"].notna().sum() == 0: continue
                g = g.reset_index(drop=True)
                exp.append(float(max_feature_correlation(g["p"], g[fn])[1]))
                fnc.append(float(feature_neutral_corr(g[["p"]], g[fn], g["target"])["p"]))
            close(np.mean(exp), models.loc[mid, "max_feature_exposure"], f"{mid} max_feature_exposure vs numerai-tools", rel=1e-6)
            close(np.mean(fnc), models.loc[mid, "fnc_mean"], f"{mid} fnc vs numerai-tools", rel=1e-6)
    print(json.dumps({"errors": errors, "models": len(ids)}))
    """

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

    func testReadmeSnippetReadsPredictionsIntoPandasAndMatchesModelsCSV() throws {
        // The README's block, verbatim, with the study path pointed at a real study's output.
        let readme = try String(contentsOf: TestSupport.repoRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let marker = "<!-- tested: Tests/EndToEndTests/ResultsDataCommandTests.swift runs this block -->\n```python\n"
        guard let start = readme.range(of: marker), let end = readme.range(of: "\n```", range: start.upperBound..<readme.endIndex) else {
            return XCTFail("README.md lacks the tested h5py → pandas block")
        }
        var snippet = String(readme[start.upperBound..<end.lowerBound])
        XCTAssertTrue(snippet.contains("study = \"results/quickstart\""))
        try makeData()
        let dir = try run("a", arms: Self.armsA, models: 3, seed: 2, jobs: 2, out: "a")
        snippet = snippet.replacingOccurrences(of: "study = \"results/quickstart\"", with: "study = \"\(dir.path)\"")
        let check = snippet + """

        import json
        errors = []
        got = per_era.mean()
        ours = table.set_index("id")["test_corr_mean"]
        if sorted(got.index) != sorted(ours.index): errors.append(f"models {sorted(got.index)} vs {sorted(ours.index)}")
        for mid in ours.index:
            a, b = float(got[mid]), float(ours[mid])
            if not abs(a - b) <= 1e-10 * max(abs(a), abs(b), 1e-12): errors.append(f"{mid}: numerai-tools {a} vs models.csv {b}")
        if set(eras.columns) != {"model", "era", "part", "corr", "bmc"}: errors.append(f"per_era.csv columns {list(eras.columns)}")
        if not (df["split"] == "validation").any() or df["part"].eq("test").sum() == 0: errors.append("no validation/test rows in the frame")
        print(json.dumps({"errors": errors}))
        """
        _ = try oracle(check, [])
    }

    // MARK: compare

    static let pairedOracle = """
    import sys, json, numpy as np, statsmodels.api as sm
    from scipy import stats
    import h5py, pandas as pd
    from numerai_tools.scoring import numerai_corr, tie_kept_rank, gaussian
    base, new, cmp = (json.load(open(p)) for p in sys.argv[1:4])
    base_dir, new_dir = sys.argv[4:6]
    errors = []
    lag, alpha = new["inference"]["hac_lag"], new["inference"]["alpha"]
    rows = {h["key"]: h for h in cmp["headline"]}
    def arm_series(directory, arm):
        # Per test era: numerai_corr of the sum of the arm's gaussianized ranks (numerai-tools).
        with h5py.File(directory + "/predictions.h5", "r") as f:
            ids = f["models/id"].asstr()[:]; arms = f["models/arm"].asstr()[:]
            P = f["predictions"][:].astype(np.float64); t = f["target"][:].astype(np.float64)
            eras = f["eras"].asstr()[:]; test = f["test"][:] == 1
        keep = test & ~np.isnan(t)
        df = pd.DataFrame(P[arms == arm][:, keep].T); df["era"] = eras[keep]; df["target"] = t[keep]
        out = []
        for era, g in df.groupby("era", sort=False):
            cols = [c for c in g.columns if c not in ("era", "target")]
            ens = sum(gaussian(tie_kept_rank(g[[c]]))[c] for c in cols)
            out.append((era, float(numerai_corr(ens.to_frame("e"), g["target"])["e"])))
        return out
    series = {}
    for key in ["ensemble", "best_single", "benchmark"]:
        series[key] = ([(e["era"], e[key]) for e in base["per_era"] if e[key] is not None],
                       [(e["era"], e[key]) for e in new["per_era"] if e[key] is not None])
    series["arm:grid"] = (arm_series(base_dir, "grid"), arm_series(new_dir, "grid"))
    ens_new = {e["name"]: e["test_corr"]["mean"] for e in new["ensembles"]}
    if abs(np.mean([v for _, v in series["arm:grid"][1]]) - ens_new["grid"]) > 1e-9:
        errors.append(f"arm grid per-era mean {np.mean([v for _, v in series['arm:grid'][1]])} vs ensembles[grid] {ens_new['grid']}")
    for key, (bs, n) in series.items():
        b = dict(bs)
        d = np.array([v - b[era] for era, v in n if era in b])
        # The lag is capped at n − 1, as the study's contrasts cap it.
        fit = sm.OLS(d, np.ones_like(d)).fit(cov_type="HAC", cov_kwds={"maxlags": min(lag, len(d) - 1), "use_correction": True})
        if len(d) < 8: errors.append(f"{key}: only {len(d)} shared test eras")
        se = float(fit.bse[0]); t = stats.t.ppf(1 - alpha / 2, len(d) - 1)
        p = rows[key].get("paired")
        if p is None:
            errors.append(f"{key}: no paired interval"); continue
        for name, a, o in [("mean", p["mean"], d.mean()), ("ci_low", p["ci_low"], d.mean() - t * se),
                           ("ci_high", p["ci_high"], d.mean() + t * se)]:
            if not abs(a - o) <= 1e-9 * max(abs(o), 1e-6): errors.append(f"{key} {name}: {a} vs {o}")
        if p["n_eras"] != len(d): errors.append(f"{key}: {p['n_eras']} eras vs {len(d)}")
    ens = {e["name"]: e["test_corr"]["mean"] for e in new["ensembles"]}
    for key, name in [("ensemble", "all"), ("best_single", "best_single"), ("arm:grid", "grid")]:
        if abs(rows[key]["new"] - ens[name]) > 1e-12: errors.append(f"headline {key} {rows[key]['new']} vs {ens[name]}")
    if abs(rows["rho"]["new"] - new["diversity"]["pairwise_corr_mean"]) > 1e-12: errors.append("rho")
    # Regressions only among metrics both studies have (or a leaf of an element both have).
    for r in cmp["rows"]:
        if r["status"] in ("regressed", "removed"):
            if r["detail"]: errors.append(f"{r['name']}: a regression marked as detail")
            if any(s in r["name"] for s in ("per_era", "attribution", "contrasts", "ensembles[")):
                errors.append(f"{r['name']}: per-era/attribution/inference leaf counted as a regression")
            if r["status"] == "removed": errors.append(f"{r['name']}: removed although the studies differ only by elements")
    c = cmp["counts"]
    if cmp["regressions"] != c["regressed"] + c["removed"]: errors.append("regression count")
    if c["gone"] == 0: errors.append("models only in base should be 'gone'")
    print(json.dumps({"errors": errors, "regressions": cmp["regressions"], "gone": c["gone"], "compared": c["compared"]}))
    """

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
        let script = """
        import sys, json, numpy as np, pandas as pd
        errors = []
        def a_scaling(m, arm): return next(x for x in m["arms"] if x["arm"] == arm)["scaling"]
        t = pd.read_csv(sys.argv[1])
        j = json.load(open(sys.argv[2]))
        dirs = sys.argv[3:]
        if list(t["study"]) != dirs: errors.append(f"study column {list(t['study'])}")
        if list(t["name"]) != ["a", "b", "ci"]: errors.append(f"names {list(t['name'])}")
        if [s["study"] for s in j["studies"]] != dirs or j["columns"] != list(t.columns): errors.append("json layout")
        for i, d in enumerate(dirs):
            m = json.load(open(d + "/metrics.json"))
            ens = {e["name"]: e["test_corr"]["mean"] for e in m.get("ensembles", [])}
            per_era = pd.DataFrame(m["per_era"])
            expect = {
                "ensemble": ens.get("all", per_era["ensemble"].mean()),
                "best_single": ens.get("best_single", per_era["best_single"].mean()),
                "benchmark": ens.get("benchmark", per_era["benchmark"].mean()),
                "rho": m["diversity"]["pairwise_corr_mean"],
                "effective_models": m["diversity"]["effective_models"],
                "models": len(m["models"]), "test_eras": len(m["split"]["test_eras"]),
            }
            for arm in [a["arm"] for a in m["arms"] if a["arm"] != "benchmark"]:
                if arm in ens: expect["arm:" + arm] = ens[arm]
                else:
                    rows = [r for r in a_scaling(m, arm) if r["method"] == "random"]
                    expect["arm:" + arm] = max(rows, key=lambda r: r["k"])["corr_mean"]
            for k, v in expect.items():
                got = t.loc[i, k]
                if not abs(got - v) <= 1e-11 * max(abs(v), 1e-12): errors.append(f"{d} {k}: {got} vs {v}")
                if abs(j["studies"][i][k] - v) > 1e-11 * max(abs(v), 1e-12): errors.append(f"{d} {k} json")
            for arm in set(c[4:] for c in t.columns if c.startswith("arm:")) - {a["arm"] for a in m["arms"]}:
                if not np.isnan(t.loc[i, "arm:" + arm]): errors.append(f"{d}: arm {arm} should be empty")
            c = [x for x in m.get("contrasts", []) if x["a"] == "all" and x["b"] == "best_single"]
            if c and abs(t.loc[i, "all − best_single"] - c[0]["mean"]) > 1e-11: errors.append(f"{d}: contrast")
            if c and t.loc[i, "all − best_single verdict"] != c[0]["verdict"]: errors.append(f"{d}: verdict")
        print(json.dumps({"errors": errors}))
        """
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
