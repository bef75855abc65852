# Oracle of Tests/BoostingTests/LightGBMParityTests.swift (`binDumpScript`); run alone: python Tests/Oracles/BoostingTests/LightGBMParityTests-binDumpScript.py ARGS
import sys, json, numpy as np, lightgbm as lgb
d, nf, max_bin, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
X = np.fromfile(d + "/train.bins", dtype=np.uint8).reshape(-1, nf)
y = np.fromfile(d + "/train.target", dtype=np.float32)
params = {"max_bin": max_bin, "verbose": -1}
if seed != "none": params["seed"] = int(seed)
ds = lgb.Dataset(X.astype(np.float32), label=y, params=params).construct()
ds._dump_text(d + "/dump.txt")
lines = open(d + "/dump.txt").read().splitlines()
start = next(i for i, l in enumerate(lines) if l.startswith("feature %d:" % (nf - 1))) + 1
rows = [l.rstrip(", ").split(", ") for l in lines[start:] if l.strip()]
groups = []
for f in range(nf):
    col = [r[f] for r in rows]
    if col[0] == "NA":
        groups.append(None); continue
    by_bin = {}
    for v, b in zip(X[:, f].tolist(), col):
        by_bin.setdefault(b, set()).add(v)
    groups.append(sorted(sorted(s) for s in by_bin.values()))
json.dump(groups, open(d + "/groups.json", "w"))
