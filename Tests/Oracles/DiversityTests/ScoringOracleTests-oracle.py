# Oracle of Tests/DiversityTests/ScoringOracleTests.swift (`oracle`); run alone: python Tests/Oracles/DiversityTests/ScoringOracleTests-oracle.py ARGS
import sys, json, pandas as pd
from numerai_tools.scoring import numerai_corr, correlation_contribution, feature_neutral_corr, max_feature_correlation
df = pd.read_csv(sys.argv[1])
feats = [c for c in df.columns if c.startswith("feature_")]
out = {"corr": [], "bmc": [], "fnc": [], "exposure": [], "corr_tied": []}
for era, d in df.groupby("era", sort=True):
    d = d.reset_index(drop=True)
    t = d["target"]
    out["corr"].append(float(numerai_corr(d[["pred"]], t)["pred"]))
    out["corr_tied"].append(float(numerai_corr(d[["tied"]], t)["tied"]))
    out["bmc"].append(float(correlation_contribution(d[["tied"]], d["meta"], t)["tied"]))
    out["fnc"].append(float(feature_neutral_corr(d[["tied"]], d[feats], t)["tied"]))
    out["exposure"].append(float(max_feature_correlation(d["tied"], d[feats])[1]))
s = pd.Series(out["corr_tied"])
cum = s.cumsum()
out["summary"] = [float(s.mean()), float(s.std(ddof=0)), float(s.mean() / s.std(ddof=0)), float((cum.cummax() - cum).max())]
print(json.dumps(out))
