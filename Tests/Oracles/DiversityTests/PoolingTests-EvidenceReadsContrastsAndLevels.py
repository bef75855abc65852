# Oracle of Tests/DiversityTests/PoolingTests.swift (`testEvidenceReadsContrastsAndLevels`); run alone: python Tests/Oracles/DiversityTests/PoolingTests-EvidenceReadsContrastsAndLevels.py ARGS
import json, sys
import numpy as np
import statsmodels.api as sm
out = []
for x in json.loads(sys.argv[1]):
    x = np.array(x)
    r = sm.OLS(x, np.ones_like(x)).fit(cov_type="HAC", cov_kwds={"maxlags": 4, "use_correction": True})
    out.append([float(x.mean()), float(r.bse[0])])
print(json.dumps(out))
