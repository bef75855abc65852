# Oracle of Tests/EndToEndTests/HostileDataInputTests.swift (`fixtures`); run alone: python Tests/Oracles/EndToEndTests/HostileDataInputTests-fixtures.py ARGS
import sys, os, numpy as np, pandas as pd, lightgbm as lgb
d = sys.argv[1]
rng = np.random.default_rng(12)
n = 4000
X = rng.normal(size=(n, 8))
names = [f"feature_{c}" for c in "abcdefgh"]
frame = pd.DataFrame(X.round(6), columns=names)
frame.insert(0, "era", [f"era{e:02d}" for e in np.arange(n) * 20 // n + 1])
frame.insert(0, "id", [f"r{i}" for i in range(n)])
frame["data_type"] = np.where(np.arange(n) < 3200, "train", "validation")
frame["target"] = (np.sin(X[:, 0]) + 0.5 * X[:, 1] + rng.normal(size=n)).round(6)
frame.to_csv(f"{d}/floats.csv", index=False)
for name, value in [("inf", "inf"), ("big", "1e39"), ("neginf", "-inf")]:
    lines = open(f"{d}/floats.csv").read().splitlines()
    cells = lines[7].split(","); cells[-1] = value; lines[7] = ",".join(cells)
    open(f"{d}/target-{name}.csv", "w").write("\n".join(lines) + "\n")
os.makedirs(f"{d}/numerai-inf", exist_ok=True)
m = 300
pq = pd.DataFrame({"id": [f"n{i}" for i in range(m)], "era": [f"{1 + i // 30:04d}" for i in range(m)],
                   "data_type": "train"})
for j in range(4):
    pq[f"feature_{j}"] = rng.integers(0, 5, m).astype(np.int8)
pq["target"] = rng.integers(0, 5, m).astype(np.float32) / 4
pq.loc[17, "target"] = np.float32("inf")
pq.set_index("id").to_parquet(f"{d}/numerai-inf/train.parquet")
pq.iloc[:0].set_index("id").to_parquet(f"{d}/empty.parquet")
# LightGBM models on the float features: binary, poisson, regression; LightGBM's predictions.
Xt, live = X[:3200], X[3200:]
y = (X[:, 0] + rng.normal(size=n) > 0).astype(float)[:3200]
for objective, label in [("binary", y), ("poisson", np.exp(0.3 * Xt[:, 1]).round()), ("regression", Xt[:, 2])]:
    b = lgb.train(dict(objective=objective, num_leaves=7, learning_rate=0.1, verbose=-1, seed=1),
                  lgb.Dataset(pd.DataFrame(Xt, columns=names), label=label), 30)
    b.save_model(f"{d}/{objective}.txt")
    pd.DataFrame({"id": frame["id"][3200:], "prediction": b.predict(live)}).to_csv(f"{d}/{objective}-expected.csv", index=False)
pd.DataFrame(live.round(6), columns=names).assign(id=frame["id"][3200:].to_numpy(), era=frame["era"][3200:].to_numpy(),
    data_type="live")[["id", "era", "data_type"] + names].to_csv(f"{d}/live.csv", index=False)
text = open(f"{d}/regression.txt").read()
open(f"{d}/crlf.txt", "w", newline="").write(text.replace("\n", "\r\n"))
lines = text.split("\n")
i = next(k for k, l in enumerate(lines) if l.startswith("threshold="))
cells = lines[i].split("=")[1].split(" "); cells[0] = "nan"; lines[i] = "threshold=" + " ".join(cells)
open(f"{d}/nan-threshold.txt", "w").write("\n".join(lines))
open(f"{d}/lambdarank.txt", "w").write(text.replace("objective=regression", "objective=lambdarank"))
print("ok")
