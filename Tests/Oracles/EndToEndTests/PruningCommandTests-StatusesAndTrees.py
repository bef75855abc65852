# Oracle of Tests/EndToEndTests/PruningCommandTests.swift; run alone: python Tests/Oracles/EndToEndTests/PruningCommandTests-StatusesAndTrees.py ARGS
import sys, json, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
status = list(f["models/status"].asstr()[:]); trees = f["models/trees"][:]; arm = list(f["models/arm"].asstr()[:])
P = f["predictions"][:]
out = {a: {"pruned": sorted(int(t) for s, t, b in zip(status, trees, arm) if s == "pruned" and b == a),
           "done": sorted(int(t) for s, t, b in zip(status, trees, arm) if s == "done" and b == a)} for a in ["grid", "seeds"]}
out["nan_rows"] = int(np.isnan(P).all(axis=1).sum())
print(json.dumps(out, sort_keys=True))
