# Oracle of Tests/DiversityTests/QuantileSummaryTests.swift (`testSummariesMatchNumpy`); run alone: python Tests/Oracles/DiversityTests/QuantileSummaryTests-MatchesNumpy.py ARGS
# ARGS: a JSON list of value lists; prints per list [count, mean, std (ddof 0), min, q05, q25, median, q75, q95, max].
import json, sys, numpy as np
out = []
for values in json.loads(sys.argv[1]):
    v = np.asarray(values, dtype=float)
    q = np.quantile(v, [0.05, 0.25, 0.5, 0.75, 0.95])  # numpy's default: linear
    out.append([int(v.size), float(v.mean()), float(v.std()), float(v.min())] + [float(x) for x in q] + [float(v.max())])
print(json.dumps(out))
