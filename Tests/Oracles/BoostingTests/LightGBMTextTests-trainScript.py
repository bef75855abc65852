# Oracle of Tests/BoostingTests/LightGBMTextTests.swift (`trainScript`); run alone: python Tests/Oracles/BoostingTests/LightGBMTextTests-trainScript.py ARGS
import sys, numpy as np, lightgbm as lgb
out, scenario = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(11)
n, F = 3000, 8
params = dict(objective="regression", num_leaves=15, learning_rate=0.05, verbose=-1,
              min_data_in_leaf=20, deterministic=True, num_threads=1, seed=3)
rounds = 40
def integer(m):
    return rng.integers(0, 5, size=(m, F)).astype(np.float64)
def continuous(m):
    X = rng.normal(size=(m, F))
    X[rng.random(X.shape) < 0.1] = np.nan
    X[rng.random(X.shape) < 0.1] = 0.0
    return X
cat = None
if scenario == "integer":
    X, P = integer(n), integer(500)
elif scenario == "nan":
    X, P = continuous(n), continuous(500)
elif scenario == "zero":
    X, P = continuous(n), continuous(500)
    params["zero_as_missing"] = True
elif scenario == "stump":
    X, P = integer(n), integer(200)
    params["min_data_in_leaf"] = 5000
    rounds = 3
elif scenario == "categorical":
    X, P = integer(n), integer(100)
    cat = [0]
elif scenario == "multiclass":
    X, P = integer(n), integer(100)
    params.update(objective="multiclass", num_class=3)
else:
    raise SystemExit("unknown scenario " + scenario)
signal = np.nan_to_num(X[:, 0]) * 0.3 - np.nan_to_num(X[:, 1]) ** 2 * 0.1 + np.isnan(X[:, 2]) * 0.5
y = signal + rng.normal(size=n)
if scenario == "multiclass":
    y = (np.argsort(np.argsort(y)) * 3 // n).astype(float)
data = lgb.Dataset(X, y, categorical_feature=cat if cat else "auto")
b = lgb.train(params, data, num_boost_round=rounds)
b.save_model(out + "/model.txt")
# Special values at prediction time: exact thresholds, tiny values, zeros, NaN, infinities.
if scenario in ("nan", "zero"):
    P[0, :] = 0.0; P[1, :] = 1e-40; P[2, :] = -1e-40; P[3, :] = np.nan; P[4, :] = np.inf; P[5, :] = -np.inf
P.astype(np.float64).tofile(out + "/X.bin")
open(out + "/shape.txt", "w").write(f"{P.shape[0]} {P.shape[1]}")
if scenario != "multiclass":
    b.predict(P).astype(np.float64).tofile(out + "/pred.bin")
