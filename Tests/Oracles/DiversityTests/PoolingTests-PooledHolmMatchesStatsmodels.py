# Oracle of Tests/DiversityTests/PoolingTests.swift (`testPooledHolmMatchesStatsmodels`); run alone: python Tests/Oracles/DiversityTests/PoolingTests-PooledHolmMatchesStatsmodels.py ARGS
import json, sys
import numpy as np
from scipy.stats import norm
from statsmodels.stats.meta_analysis import combine_effects
from statsmodels.stats.multitest import multipletests
# TOST of the pooled estimate against ±margin: max of the two one-sided normal p-values.
p, mde, tost = [], [], []
for c in json.loads(sys.argv[1]):
    r = combine_effects(np.array(c["effects"]), np.array(c["se"]) ** 2, method_re="dl", alpha=0.1)
    f = r.summary_frame(alpha=0.1)
    row = f.loc["random effect"] if r.tau2 > 0 else f.loc["fixed effect"]
    p.append(float(2 * norm.sf(abs(row["eff"]) / row["sd_eff"])))
    mde.append(float((norm.ppf(0.95) + norm.ppf(0.8)) * row["sd_eff"]))
    m = c["margin"]
    tost.append(float(max(norm.sf((row["eff"] + m) / row["sd_eff"]), norm.cdf((row["eff"] - m) / row["sd_eff"]))))
print(json.dumps({"p": p, "holm": [float(x) for x in multipletests(p, method="holm")[1]], "mde": mde,
                  "tost": tost, "tost_holm": [float(x) for x in multipletests(tost, method="holm")[1]]}))
