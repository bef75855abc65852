# Oracle of Tests/EndToEndTests/PredictCommandTests.swift (`oracle`); run alone: python Tests/Oracles/EndToEndTests/PredictCommandTests-oracle.py ARGS
import sys, numpy as np, pandas as pd, lightgbm as lgb
kind, out = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(3)
n, f = 3000, 8
names = [f"feature_{c}" for c in "abcdefgh"]
if kind == "csv":
    X = rng.normal(size=(n, f)).round(4)          # floats: binned at import, raw for prediction
    X[:, 0] = rng.integers(0, 5, n)               # one integer feature
else:
    X = rng.integers(0, 5, size=(n, f)).astype(np.int8)
y = np.tanh(X[:, 0] - 2 + 0.7 * X[:, 1] * X[:, 2]) + rng.normal(scale=0.5, size=n)
params = dict(objective="regression", learning_rate=0.1, num_leaves=13, min_data_in_leaf=15,
              feature_fraction=0.8, verbose=-1, seed=1)
booster = lgb.train(params, lgb.Dataset(pd.DataFrame(X.astype(np.float64), columns=names), label=y), 40)
booster.save_model(out + "/model.txt")
eras = np.repeat([f"era{e:03d}" for e in range(n // 100)], 100)
frame = pd.DataFrame(X, columns=names)
frame.insert(0, "era", eras)
frame.insert(0, "id", [f"n{i:05d}" for i in range(n)])
train, live = frame.iloc[:2000], frame.iloc[2000:].copy()
if kind == "csv":
    train = train.assign(data_type="train", target=np.clip(y[:2000], 0, 1))
    live = live.assign(data_type="live")              # no target column: a live file
    train.to_csv(out + "/train.csv", index=False)
    live.to_csv(out + "/live.csv", index=False)
else:
    train = train.assign(data_type="train", target=np.clip(y[:2000], 0, 1).astype(np.float32))
    live = live.assign(data_type="live", target=np.float32("nan"))
    for name, part in [("train", train), ("live", live)]:
        part.set_index("id").to_parquet(f"{out}/{name}.parquet")
expected = booster.predict(live[names].to_numpy(dtype=np.float64))
pd.DataFrame({"id": live["id"], "prediction": expected}).to_csv(out + "/expected.csv", index=False)
