# Oracle of Tests/DiversityTests/ScoreCommandTests.swift (`makePredictions`); run alone: python Tests/Oracles/DiversityTests/ScoreCommandTests-makePredictions.py ARGS
import sys, h5py, numpy as np, pandas as pd
with h5py.File(sys.argv[1], "r") as f:
    ids = f["ids"].asstr()[:]; split = f["split_of_row"][:]; sig = f["true_signal"][:]
rng = np.random.default_rng(3)
v = split == 1
for name, noise, dec in [("p", 1.0, None), ("b", 1.5, 2), ("m", 0.8, None)]:
    x = sig[v] + noise * rng.standard_normal(v.sum())
    if dec is not None: x = np.round(x, dec)
    pd.DataFrame({"id": ids[v], "prediction": x}).to_csv(sys.argv[2] + f"/{name}.csv", index=False, float_format="%.17g")
