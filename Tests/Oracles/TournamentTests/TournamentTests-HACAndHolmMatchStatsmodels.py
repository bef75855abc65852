# Oracle of Tests/TournamentTests/TournamentTests.swift (`testHACAndHolmMatchStatsmodels`); run alone: python Tests/Oracles/TournamentTests/TournamentTests-HACAndHolmMatchStatsmodels.py ARGS
import json, sys, numpy as np, statsmodels.api as sm
from statsmodels.stats.multitest import multipletests
d = np.array(json.loads(sys.argv[1])); L = int(sys.argv[2])
r = sm.OLS(d, np.ones(len(d))).fit(cov_type="HAC", cov_kwds={"maxlags": L, "use_correction": True}, use_t=True)
lo, hi = r.conf_int(alpha=0.1)[0]
holm = multipletests(json.loads(sys.argv[3]), method="holm")[1]
print(json.dumps([r.params[0], r.bse[0], lo, hi, r.pvalues[0]] + list(holm)))
