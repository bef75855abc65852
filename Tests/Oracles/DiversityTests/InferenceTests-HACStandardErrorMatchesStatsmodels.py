# Oracle of Tests/DiversityTests/InferenceTests.swift (`testHACStandardErrorMatchesStatsmodels`); run alone: python Tests/Oracles/DiversityTests/InferenceTests-HACStandardErrorMatchesStatsmodels.py ARGS
import json, sys, numpy as np, statsmodels.api as sm
series, lags = json.loads(sys.argv[1]), json.loads(sys.argv[2])
res = []
for y in series:
    y = np.asarray(y)
    row = []
    for L in lags:
        f = sm.OLS(y, np.ones(len(y))).fit(cov_type="HAC", cov_kwds={"maxlags": L, "use_correction": True})
        row.append(float(f.bse[0]))
    res.append(row)
print(json.dumps(res))
