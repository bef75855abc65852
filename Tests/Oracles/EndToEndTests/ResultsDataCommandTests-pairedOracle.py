# Oracle of Tests/EndToEndTests/ResultsDataCommandTests.swift (`pairedOracle`); run alone: python Tests/Oracles/EndToEndTests/ResultsDataCommandTests-pairedOracle.py ARGS
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
        arms = f["models/arm"].asstr()[:]
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
