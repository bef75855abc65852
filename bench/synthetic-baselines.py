"""Reference numbers for notebooks-md/synthetic-data.md, computed from a `workbench data synth` file
with h5py/numpy/lightgbm (independent of the Swift code). Usage: python synthetic-baselines.py FILE.h5"""
import sys
import h5py
import numpy as np

path = sys.argv[1]
with h5py.File(path, "r") as f:
    X = f["features"][:].T.astype(np.float64)          # rows × features
    names = [n.decode() if isinstance(n, bytes) else n for n in f["target_names"][:]]
    Y = f["targets"][:].T
    era = f["era_of_row"][:]
    split = f["split_of_row"][:]
    signal = f["true_signal"][:]

train, valid = split == 0, split == 1
y = Y[:, 0]

def per_era_corr(pred, target, mask):
    out = []
    for e in np.unique(era[mask]):
        m = mask & (era == e) & ~np.isnan(target)
        if m.sum() > 2:
            out.append(np.corrcoef(pred[m], target[m])[0, 1])
    out = np.array(out)
    return out.mean(), out.std(), out.mean() / out.std()

def show(label, pred):
    m, s, sh = per_era_corr(pred, y, valid)
    print(f"{label:<40} validation per-era corr mean {m:+.4f}  std {s:.4f}  sharpe {sh:.2f}")

show("true signal (ceiling)", signal)
for t in range(1, Y.shape[1]):
    ok = ~np.isnan(Y[:, t])
    print(f"corr(target, {names[t]}) = {np.corrcoef(y[ok], Y[ok, t])[0, 1]:.3f}")
A = np.c_[X[train], np.ones(train.sum())]
w, *_ = np.linalg.lstsq(A, y[train], rcond=None)
show("linear fit on bins (OLS)", np.c_[X, np.ones(len(X))] @ w)
onehot = np.concatenate([(X == b).astype(np.float64) for b in range(5)], axis=1)
w1, *_ = np.linalg.lstsq(onehot[train], y[train], rcond=None)
show("linear fit on one-hot bins (OLS)", onehot @ w1)
if "--lightgbm" in sys.argv:
    import lightgbm as lgb
    params = dict(n_estimators=2000, learning_rate=0.01, max_depth=5, num_leaves=2**5 - 1,
                  colsample_bytree=0.1, min_child_samples=20, verbose=-1, n_jobs=1)
    model = lgb.LGBMRegressor(**params).fit(X[train], y[train])
    show("LightGBM 2000×0.01 depth 5 colsample 0.1", model.predict(X))
