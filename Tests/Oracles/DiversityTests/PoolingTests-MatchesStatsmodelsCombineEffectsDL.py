# Oracle of Tests/DiversityTests/PoolingTests.swift (`testMatchesStatsmodelsCombineEffectsDL`); run alone: python Tests/Oracles/DiversityTests/PoolingTests-MatchesStatsmodelsCombineEffectsDL.py ARGS
import json, sys
import numpy as np
from statsmodels.stats.meta_analysis import combine_effects
res = []
for c in json.loads(sys.argv[1]):
    y = np.array(c["effects"]); v = np.array(c["se"]) ** 2
    r = combine_effects(y, v, method_re="dl", alpha=0.1)
    f = r.summary_frame(alpha=0.1)
    # statsmodels leaves the DL moment estimate unclipped (negative when Q < k - 1);
    # DerSimonian-Laird (and R's metafor/meta) clip tau2 at 0, where the random-effects
    # estimate is the fixed-effect one.
    fe = f.loc["fixed effect"]
    re = f.loc["random effect"] if r.tau2 > 0 else fe
    res.append({"fe": [fe["eff"], fe["sd_eff"], fe["ci_low"], fe["ci_upp"]],
                "re": [re["eff"], re["sd_eff"], re["ci_low"], re["ci_upp"]],
                "tau2": float(max(0.0, r.tau2)), "i2": float(max(0.0, r.i2)), "q": float(r.q),
                "raw_tau2": float(r.tau2)})
print(json.dumps(res))
