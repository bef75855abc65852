"""LightGBM side of bench/gbdt: trains (and optionally predicts) on the bins workbench wrote.

usage: gbdt-lightgbm.py DIR FEATURES TREES REPEATS PARAMS_JSON [PREDICT]
The parameters are read from DIR/lightgbm-params.json, which `workbench bench-gbdt --binary-out DIR`
writes from PARAMS_JSON under LightGBM's names (the parameter table's LightGBM column).
Prints JSON: median wall and CPU seconds per tree (one thread) of LightGBM's fastest histogram
layout for the shape (force_col_wise or force_row_wise, each probed on a few trees first), and
predict seconds when PREDICT=1. When DIR holds valid.bins / valid.target (and workbench's
valid.pred), also the Pearson corr of both engines' held-out predictions with the target.
"""
import json, statistics, sys, time
import numpy as np
import lightgbm as lgb

d, nf, trees, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])  # argv[5]: PARAMS_JSON (see above)
predict = len(sys.argv) > 6 and sys.argv[6] == "1"
X = np.fromfile(d + "/train.bins", dtype=np.uint8).reshape(-1, nf).astype(np.float32)
y = np.fromfile(d + "/train.target", dtype=np.float32)
with open(d + "/lightgbm-params.json") as f:
    params = json.load(f)
params.update(objective="regression", verbose=-1, num_threads=1)
# workbench's first model (whose held-out predictions are compared) trains with seed 0: same
# column samples, so the same trees.
params.setdefault("seed", 0)
# The bin-construction sample: LightGBM keeps it as (index, double) pairs, 200k rows × 2,376
# features is ~6 GB. 50k rows find the same bins for 0–4 data (all five values occur many times).
dataset_params = {"max_bin": params.get("max_bin", 255), "verbose": -1}
if nf > 1000:
    dataset_params["bin_construct_sample_cnt"] = 50000
ds = lgb.Dataset(X, label=y, params=dataset_params, free_raw_data=True).construct()
del X


def fit(layout, rounds):
    p = dict(params, **{layout: True})
    w, c = time.perf_counter(), time.process_time()
    booster = lgb.train(p, ds, num_boost_round=rounds)
    return booster, time.perf_counter() - w, time.process_time() - c


# LightGBM's best configuration for the shape: time both histogram layouts on a few trees.
probe = {}
for layout in ("force_col_wise", "force_row_wise"):
    rounds = min(trees, 10)
    _, wall, _ = fit(layout, rounds)
    probe[layout] = wall / rounds
best = min(probe, key=probe.get)
walls, cpus, booster = [], [], None
for _ in range(repeats):
    booster, wall, cpu = fit(best, trees)
    walls.append(wall)
    cpus.append(cpu)
out = {"trees": booster.num_trees(), "fit_seconds": statistics.median(walls), "fit_cpu_seconds": statistics.median(cpus),
       "layout": best, "probe_seconds_per_tree": probe}
out["seconds_per_tree"] = out["fit_seconds"] / out["trees"]
out["cpu_seconds_per_tree"] = out["fit_cpu_seconds"] / out["trees"]
try:
    Xv = np.fromfile(d + "/valid.bins", dtype=np.uint8).reshape(-1, nf).astype(np.float32)
    yv = np.fromfile(d + "/valid.target", dtype=np.float32).astype(np.float64)
    out["valid_rows"] = len(yv)
    out["corr"] = float(np.corrcoef(booster.predict(Xv, num_threads=1), yv)[0, 1])
    ours = np.fromfile(d + "/valid.pred", dtype=np.float64)
    out["workbench_corr"] = float(np.corrcoef(ours, yv)[0, 1])
except FileNotFoundError:
    pass
if predict:
    Xp = np.fromfile(d + "/predict.bins", dtype=np.uint8).reshape(-1, nf).astype(np.float32)
    times = []
    for _ in range(3):
        t = time.perf_counter()
        booster.predict(Xp, num_threads=1)
        times.append(time.perf_counter() - t)
    out["predict_rows"], out["predict_seconds"] = len(Xp), statistics.median(times)
print(json.dumps(out))
