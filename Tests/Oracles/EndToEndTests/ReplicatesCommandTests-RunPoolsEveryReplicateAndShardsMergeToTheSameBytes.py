# Oracle of Tests/EndToEndTests/ReplicatesCommandTests.swift (`testRunPoolsEveryReplicateAndShardsMergeToTheSameBytes`); run alone: python Tests/Oracles/EndToEndTests/ReplicatesCommandTests-RunPoolsEveryReplicateAndShardsMergeToTheSameBytes.py ARGS
import json, sys
import numpy as np
from statsmodels.stats.meta_analysis import combine_effects
s = json.load(open(sys.argv[1]))
out = {}
for p in s["pooled"]:
    # The rows pooled: every replicate's but those the pooling lists as excluded.
    rows = [r for r in s["rows"] if r["name"] == p["name"] and r["replicate"] not in p["excluded"]]
    assert len(rows) == p["k"], p["name"]
    y = np.array([r["mean"] for r in rows]); v = np.array([r["se"] for r in rows]) ** 2
    r = combine_effects(y, v, method_re="dl", alpha=0.1)
    f = r.summary_frame(alpha=0.1)
    # DerSimonian-Laird clips tau2 at 0 (statsmodels does not): then random = fixed.
    re = "random effect" if r.tau2 > 0 else "fixed effect"
    out[p["name"]] = [f.loc["fixed effect", "eff"], f.loc[re, "eff"], f.loc[re, "ci_low"], f.loc[re, "ci_upp"]]
print(json.dumps(out))
