# Oracle of Tests/DiversityTests/ScoreCommandTests.swift (`oracle`); run alone: python Tests/Oracles/DiversityTests/ScoreCommandTests-oracle.py ARGS
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
