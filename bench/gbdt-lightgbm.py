"""LightGBM side of bench/gbdt: trains (and optionally predicts) on the bins workbench wrote.

usage: gbdt-lightgbm.py DIR FEATURES TREES REPEATS PARAMS_JSON [PREDICT]
The parameters are read from DIR/lightgbm-params.json, which `workbench bench-gbdt --binary-out DIR`
writes from PARAMS_JSON under LightGBM's names (the parameter table's LightGBM column).
Prints JSON: median wall and CPU seconds per tree (one thread), and predict seconds when PREDICT=1.
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
params.update(objective="regression", verbose=-1, num_threads=1, force_col_wise=True)
ds = lgb.Dataset(X, label=y, params={"max_bin": params.get("max_bin", 255), "verbose": -1}).construct()
walls, cpus, booster = [], [], None
for _ in range(repeats):
    w, c = time.perf_counter(), time.process_time()
    booster = lgb.train(params, ds, num_boost_round=trees)
    walls.append(time.perf_counter() - w)
    cpus.append(time.process_time() - c)
out = {"trees": booster.num_trees(), "fit_seconds": statistics.median(walls), "fit_cpu_seconds": statistics.median(cpus)}
out["seconds_per_tree"] = out["fit_seconds"] / out["trees"]
out["cpu_seconds_per_tree"] = out["fit_cpu_seconds"] / out["trees"]
if predict:
    Xp = np.fromfile(d + "/predict.bins", dtype=np.uint8).reshape(-1, nf).astype(np.float32)
    times = []
    for _ in range(3):
        t = time.perf_counter()
        booster.predict(Xp, num_threads=1)
        times.append(time.perf_counter() - t)
    out["predict_rows"], out["predict_seconds"] = len(Xp), statistics.median(times)
print(json.dumps(out))
