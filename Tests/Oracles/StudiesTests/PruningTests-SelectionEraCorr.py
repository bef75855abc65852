# Oracle of Tests/StudiesTests/PruningTests.swift; run alone: python Tests/Oracles/StudiesTests/PruningTests-SelectionEraCorr.py ARGS
import sys, json, h5py, numpy as np, pandas as pd
from numerai_tools.scoring import numerai_corr
f = h5py.File(sys.argv[1], "r")
P = f["predictions"][:].astype(np.float64)
df = pd.DataFrame({"era": f["eras"].asstr()[:], "target": f["target"][:].astype(np.float64), "sel": f["selection"][:]})
out = {}
for i in json.loads(sys.argv[2]):
    d = df.assign(p=P[i])
    d = d[(d.sel == 1) & d.target.notna()]
    out[str(i)] = float(np.mean([numerai_corr(g[["p"]], g["target"])["p"] for _, g in d.groupby("era")]))
print(json.dumps(out))
