# Oracle of Tests/TournamentTests/TournamentTests.swift (`testScoresMatchNumeraiTools`); run alone: python Tests/Oracles/TournamentTests/TournamentTests-ScoresMatchNumeraiTools.py ARGS
import json, sys, numpy as np, pandas as pd
from numerai_tools.scoring import (numerai_corr, correlation_contribution, neutral_contribution,
                                   stake_weight, gaussian, tie_kept_rank)
d = json.load(open(sys.argv[1]))
stakes = pd.Series(d["stakes"], index=[f"s{i}" for i in range(len(d["stakes"]))])
out = []
for era in d["eras"]:
    t = np.array(era["target"]); keep = t >= 0
    idx = pd.RangeIndex(int(keep.sum()))
    target = pd.Series(t[keep], index=idx, name="target")
    preds = pd.DataFrame({f"s{i}": np.array(era["predictions"][c])[keep] for i, c in enumerate(d["columns"])}, index=idx)
    feats = pd.DataFrame(np.array(era["features"])[keep], index=idx)
    g = gaussian(tie_kept_rank(preds))
    meta = stake_weight(g, stakes)
    corr = numerai_corr(preds, target)
    mmc = correlation_contribution(preds, meta, target)
    nc = neutral_contribution(preds, meta, feats, target)
    for i, s in enumerate(stakes.index):
        others = stakes.drop(s)
        lso = correlation_contribution(preds[[s]], stake_weight(g, others), target)[s]
        out.append([corr[s], mmc[s], nc[s], lso])
print(json.dumps(out))
