# Oracle of Tests/DiversityTests/TOSTHolmTests.swift (`testHolmAdjustedTOSTMatchesStatsmodels`); run alone: python Tests/Oracles/DiversityTests/TOSTHolmTests-HolmAdjustedTOSTMatchesStatsmodels.py DIFFERENCES MARGIN LAG
# Per contrast (paired differences d): the Newey-West se of the mean (statsmodels OLS on a constant,
# HAC with the small-sample correction), the TOST p against +-margin on n - 1 degrees of freedom
# (scipy's t), then the TOST p-values Holm-adjusted over the whole family (multipletests).
import json, sys
import numpy as np
import statsmodels.api as sm
from scipy.stats import t
from statsmodels.stats.multitest import multipletests
series, margin, lag = json.loads(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
tost = []
for d in series:
    d = np.asarray(d)
    fit = sm.OLS(d, np.ones(len(d))).fit(cov_type="HAC", cov_kwds={"maxlags": lag, "use_correction": True})
    mean, se, nu = fit.params[0], fit.bse[0], len(d) - 1
    tost.append(float(max(t.sf((mean + margin) / se, nu), t.cdf((mean - margin) / se, nu))))
print(json.dumps({"tost": tost, "holm": [float(x) for x in multipletests(tost, method="holm")[1]]}))
