# Oracle of Tests/BoostingTests/LightGBMOracle.swift (`script`); run alone: python Tests/Oracles/BoostingTests/LightGBMOracle-script.py ARGS
import sys, json, time, numpy as np, lightgbm as lgb
d, nf, params_json, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
# "bins": uint8 bins (LightGBM re-bins them to the same bins); "values": float64 raw values.
dtype = np.uint8 if kind == "bins" else np.float64
X = np.fromfile(d + "/train." + kind, dtype=dtype).reshape(-1, nf).astype(np.float32 if kind == "bins" else np.float64)
y = np.fromfile(d + "/train.target", dtype=np.float32)
Xp = np.fromfile(d + "/predict." + kind, dtype=dtype).reshape(-1, nf).astype(np.float32 if kind == "bins" else np.float64)
params = json.loads(params_json)
params.update(objective="regression", verbose=-1, num_threads=1, force_col_wise=True, deterministic=True)
rounds = params.pop("num_iterations", 100)
t0 = time.perf_counter()
ds = lgb.Dataset(X, label=y, params={"max_bin": params.get("max_bin", 255), "verbose": -1,
                 "min_data_in_leaf": params.get("min_data_in_leaf", 20), **({"seed": params["seed"]} if "seed" in params else {})})
b = lgb.train(params, ds, num_boost_round=rounds)
seconds = time.perf_counter() - t0
pred = b.predict(Xp, num_threads=1)
trees, cur = [], None
for line in b.model_to_string().splitlines():
    if line.startswith("Tree="):
        cur = {}; trees.append(cur)
    elif cur is not None and "=" in line:
        key, val = line.split("=", 1)
        if key in ("split_feature", "threshold", "leaf_value", "num_leaves"):
            cur[key] = [float(v) for v in val.split()] if key != "num_leaves" else int(val)
for t in trees:
    t.setdefault("split_feature", []); t.setdefault("threshold", [])
    t["split_feature"] = [int(v) for v in t["split_feature"]]
json.dump({"trees": trees, "predictions": pred.tolist(), "seconds": seconds}, open(d + "/out.json", "w"))
