# Oracle of Tests/EndToEndTests/TrainCommandTests.swift (`oracle`); run alone: python Tests/Oracles/EndToEndTests/TrainCommandTests-oracle.py ARGS
import sys, json, h5py, numpy as np, pandas as pd, lightgbm as lgb
from numerai_tools.scoring import numerai_corr
data, csv, model, target = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
f = h5py.File(data, "r")
split = f["split_of_row"][:]
validation = np.flatnonzero(split == 1)
ids = np.array(f["ids"].asstr()[:])[validation]
eras = np.array(f["eras"].asstr()[:])[f["era_of_row"][:][validation]]
names = list(f["target_names"].asstr()[:])
y = f["targets"][names.index(target)][validation].astype(np.float64)
X = f["features"][:][:, validation].T.astype(np.float64)
p = pd.read_csv(csv, dtype={"id": str})
assert list(p.columns) == ["id", "prediction"], list(p.columns)
assert list(p["id"]) == list(ids), "ids differ from the validation rows"
ours = p["prediction"].to_numpy()
theirs = lgb.Booster(model_file=model).predict(X)
corrs = []
for era in pd.unique(eras):
    m = (eras == era) & ~np.isnan(y)
    if m.sum() < 2: continue
    preds = pd.DataFrame({"prediction": ours[m]})
    corrs.append(float(numerai_corr(preds, pd.Series(y[m], name="target"))["prediction"]))
corrs = np.array(corrs)
print(json.dumps({"max_diff": float(np.max(np.abs(ours - theirs))), "corr_mean": float(corrs.mean()),
                  "corr_sharpe": float(corrs.mean() / corrs.std()), "eras": len(corrs)}))
