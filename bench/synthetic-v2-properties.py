"""Measures every property generator v2 claims on `workbench data synth` files; prints the Markdown
tables of notebooks-md/synthetic-data.md ("Generator v2: measured").

    workbench data synth --out v2-s0.h5 --seed 0
    workbench data synth --out v2-s1.h5 --seed 1
    .venv/bin/python bench/synthetic-v2-properties.py v2-s0.h5 v2-s1.h5

Independent of the Swift code: reads the HDF5 file with h5py, measures with numpy, trains LightGBM.
"""
import json
import sys

import h5py
import lightgbm as lgb
import numpy as np


def load(path):
    with h5py.File(path) as f:
        d = {
            "X": f["features"][:].T,
            "features": list(f["feature_names"].asstr()[:]),
            "targets": f["targets"][:],
            "target_names": list(f["target_names"].asstr()[:]),
            "ids": np.array(f["ids"].asstr()[:]),
            "era": f["era_of_row"][:],
            "eras": list(f["eras"].asstr()[:]),
            "split": f["split_of_row"][:],
            "signal": f["true_signal"][:],
            "meta": {k: f["metadata"].attrs[k] for k in f["metadata"].attrs},
        }
        names = list(f["feature_group_names"].asstr()[:])
        sizes = f["feature_group_sizes"][:]
        members = list(f["feature_group_members"].asstr()[:])
    groups, start = {}, 0
    for n, s in zip(names, sizes):
        groups[n] = members[start:start + s]
        start += s
    d["groups"] = groups
    return d


def per_era_corr(d, a, b, eras):
    out = []
    for e in eras:
        m = d["era"] == e
        x, y = a[m], b[m]
        if np.isnan(x).any() or np.isnan(y).any():
            continue
        out.append(np.corrcoef(x, y)[0, 1])
    return np.array(out)


def measure(path):
    d = load(path)
    cfg = json.loads(d["meta"]["synthetic_config"])
    X, era = d["X"].astype(np.float64), d["era"]
    r = {"path": path, "config": cfg}
    train_eras = sorted(set(era[d["split"] == 0]))
    valid_eras = sorted(set(era[d["split"] == 1]))
    r["shape"] = (len(d["eras"]), X.shape[0] // len(d["eras"]), X.shape[1], len(d["target_names"]))

    # Group structure: pooled corr of feature bins within vs across groups.
    index = {n: i for i, n in enumerate(d["features"])}
    group_of = np.zeros(X.shape[1], int)
    for g, (name, members) in enumerate(sorted(d["groups"].items())):
        for m in members:
            group_of[index[m]] = g
    C = np.corrcoef(X.T)
    iu = np.triu_indices(X.shape[1], 1)
    same = group_of[iu[0]] == group_of[iu[1]]
    r["within"] = C[iu][same].mean()
    r["across_abs"] = np.abs(C[iu][~same]).mean()
    # Loading drift: spread over eras of the per-era mean within-group corr of the first group.
    first = [index[m] for m in d["groups"][sorted(d["groups"])[0]]]
    spreads = []
    for e in range(len(d["eras"])):
        Ce = np.corrcoef(X[era == e][:, first].T)
        spreads.append(Ce[np.triu_indices(len(first), 1)].mean())
    r["group_corr_era_std"] = float(np.std(spreads))

    # Persistent ids: stock = first 13 characters of the id.
    stock = np.array([i[:13] for i in d["ids"]])
    per_era = [set(stock[era == e]) for e in range(len(d["eras"]))]
    r["neighbour_overlap"] = np.mean([len(per_era[e] & per_era[e + 1]) / len(per_era[e]) for e in train_eras[:-1]])
    r["stocks"] = len(set(stock))

    # Target autocorrelation for the same stock at lag k (train eras, no gap).
    import pandas as pd
    frame = pd.DataFrame({"stock": stock, "era": era})
    r["autocorr"] = {}
    for t, name in enumerate(d["target_names"]):
        frame["y"] = d["targets"][t]
        known = frame[frame["era"].isin(train_eras) & frame["y"].notna()]
        lags = []
        for k in range(1, 6):
            later = known.assign(era=known["era"] - k)
            pairs = known.merge(later, on=["stock", "era"], suffixes=("", "_k"))
            lags.append(pairs.groupby("era").apply(lambda g: np.corrcoef(g["y"], g["y_k"])[0, 1]).mean())
        r["autocorr"][name] = lags

    # Targets: correlation with target, and the true (main) signal's corr with each target.
    r["target_corr"] = {n: per_era_corr(d, d["targets"][0], d["targets"][t], valid_eras).mean()
                        for t, n in enumerate(d["target_names"]) if t > 0}
    r["signal_corr"] = {n: per_era_corr(d, d["signal"], d["targets"][t], valid_eras).mean()
                        for t, n in enumerate(d["target_names"])}

    # LightGBM: the example model (scaled as the studies: 200 trees, lr 0.1; and Numerai's 2000 / 0.01)
    # on each target, scored on `target` over the validation eras.
    tr = d["split"] == 0
    va = d["split"] == 1
    r["models"] = {}
    per_era_models = []
    for trees, lr in [(200, 0.1)]:
        for t, name in enumerate(d["target_names"]):
            if trees == 2000 and t > 0:
                continue
            y = d["targets"][t]
            m = tr & ~np.isnan(y)
            model = lgb.LGBMRegressor(n_estimators=trees, learning_rate=lr, max_depth=5, num_leaves=31,
                                      colsample_bytree=0.1, verbose=-1, random_state=0, n_jobs=2)
            model.fit(X[m], y[m])
            p = np.full(X.shape[0], np.nan)
            p[va] = model.predict(X[va])
            c = per_era_corr(d, p, d["targets"][0], valid_eras)
            own = per_era_corr(d, p, y, valid_eras)
            r["models"][(trees, lr, name)] = (c.mean(), c.std(), own.mean())
            if trees == 200:
                per_era_models.append(c)
    # Regime: how much of the era-to-era variance of the models' mean per-era corr R(τ) explains,
    # and how much the models move together.
    regime = np.array([float(x) for x in d["meta"]["regime"].split(",")])
    times = np.array([int(d["eras"][e]) - 1 for e in valid_eras])
    M = np.array(per_era_models)
    avg = M.mean(axis=0)
    r["regime_r2"] = np.corrcoef(avg, regime[times])[0, 1] ** 2
    P = np.corrcoef(M)
    r["models_together"] = P[np.triu_indices(len(M), 1)].mean()
    return r


def main(paths):
    results = [measure(p) for p in paths]
    seeds = [f"seed {res['config']['seed']}" for res in results]
    print(f"Files: {', '.join(paths)}; shape (eras, rows per era, features, targets) = {results[0]['shape']}.\n")
    print("| property | " + " | ".join(seeds) + " |")
    print("|---|" + "---|" * len(results))

    def row(label, f):
        print(f"| {label} | " + " | ".join(f(res) for res in results) + " |")

    row("feature bins: mean corr within a group", lambda r: f"{r['within']:.3f}")
    row("feature bins: mean \\|corr\\| across groups", lambda r: f"{r['across_abs']:.3f}")
    row("loading drift: std over eras of a group's within-corr", lambda r: f"{r['group_corr_era_std']:.3f}")
    row("stocks in the universe / share of an era's stocks in the next era",
        lambda r: f"{r['stocks']} / {r['neighbour_overlap']:.3f}")
    for name in results[0]["autocorr"]:
        row(f"`{name}` same-stock autocorr, lag 1…5", lambda r, n=name: " ".join(f"{x:.2f}" for x in r["autocorr"][n]))
    for name in results[0]["target_corr"]:
        row(f"corr(`target`, `{name}`) per era", lambda r, n=name: f"{r['target_corr'][n]:.3f}")
    for name in results[0]["signal_corr"]:
        row(f"corr(true signal, `{name}`) per era", lambda r, n=name: f"**{r['signal_corr'][n]:.4f}**" if n == "target" else f"{r['signal_corr'][n]:.4f}")
    for key in results[0]["models"]:
        trees, lr, name = key
        row(f"LightGBM example model ({trees} trees, lr {lr}) on `{name}`: corr with `target` (± std) / with `{name}`",
            lambda r, k=key: f"{r['models'][k][0]:.4f} ± {r['models'][k][1]:.3f} / {r['models'][k][2]:.4f}")
    row("regime: share of the era variance of the models' mean corr explained by R(τ)", lambda r: f"{r['regime_r2']:.2f}")
    row("regime: mean pairwise corr of the 4 models' per-era corr series", lambda r: f"{r['models_together']:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
