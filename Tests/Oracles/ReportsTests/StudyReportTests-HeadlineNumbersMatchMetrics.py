# Oracle of Tests/ReportsTests/StudyReportTests.swift (`testHeadlineNumbersMatchMetrics`); run alone: python Tests/Oracles/ReportsTests/StudyReportTests-HeadlineNumbersMatchMetrics.py ARGS
import json, sys, numpy as np, statsmodels.api as sm
d = np.array(json.loads(sys.argv[1]))
f = sm.OLS(d, np.ones(len(d))).fit(cov_type="HAC", cov_kwds={"maxlags": 4, "use_correction": True}, use_t=True)
lo, hi = f.conf_int(alpha=0.1)[0]
print(json.dumps([f.params[0], f.bse[0], lo, hi, f.pvalues[0]]))
