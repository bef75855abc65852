"""LightGBM at Numerai's shape, on the bins of a `workbench data import` file, one thread.

usage: numerai-scale-lightgbm.py DATA.h5 TREES PARAMS_JSON [OUR_PREDICTIONS.csv]

The reference half of `bench/numerai-scale PRESET COMPRESSION TREES`: the same example model that
`workbench train --threads 1` fits there, in LightGBM's best configuration at this width
(`force_col_wise`: histograms of the sampled columns only), one thread. The train rows' bins
(uint8, 2.70M × 2,376 = 6.4 GB at the full shape) are read once, feature by feature, and handed to
LightGBM through a `lightgbm.Sequence` in row batches, so no float copy of the whole table is ever
made (a float32 one would be 26 GB). Prints the Dataset construction time, the fit time and
seconds per tree (wall and CPU), the validation per-era `numerai_corr` mean (numerai-tools, as `workbench train`
reports it), the largest difference from our predictions when their CSV is given, and the peak
resident memory of this process.
"""
import csv, json, resource, sys, time

import h5py
import lightgbm as lgb
import numpy as np
import pandas as pd
from numerai_tools.scoring import numerai_corr

path, trees, params_json = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ours = sys.argv[4] if len(sys.argv) > 4 else None
params = json.loads(params_json)

f = h5py.File(path, "r")
splits = f.attrs["split_names"].split(",")
split_of_row = f["split_of_row"][:]
targets = f["targets"][0]
features = f["features"]
n_features = features.shape[0]


def rows_of(split):
    rows = np.flatnonzero((split_of_row == splits.index(split)) & ~np.isnan(targets))
    return rows


def bins(rows):
    """uint8 [features × len(rows)], read one feature (one chunk run) at a time."""
    lo, hi = int(rows[0]), int(rows[-1]) + 1
    out = np.empty((n_features, len(rows)), dtype=np.uint8)
    contiguous = hi - lo == len(rows)
    for j in range(n_features):
        column = features[j, lo:hi]
        out[j] = column if contiguous else column[rows - lo]
    return out


class Rows(lgb.Sequence):
    """The train bins as rows for LightGBM: batches as float32 (311 MB each), sampled rows as float64."""
    batch_size = 32768

    def __init__(self, columns):
        self.columns = columns

    def __len__(self):
        return self.columns.shape[1]

    def __getitem__(self, index):
        if isinstance(index, slice):
            return np.ascontiguousarray(self.columns[:, index].T, dtype=np.float32)
        return self.columns[:, index].astype(np.float64)   # LightGBM's bin sampling takes doubles


train = rows_of("train")
t0 = time.perf_counter()
columns = bins(train)
read = time.perf_counter() - t0
print(f"LightGBM {lgb.__version__}: {len(train):,} train rows × {n_features:,} features; bins read in {read:.1f} s", flush=True)

t0 = time.perf_counter()
dataset = lgb.Dataset(Rows(columns), label=targets[train],
                      params={"max_bin": 255, "verbose": -1, "num_threads": 1}).construct()
construct = time.perf_counter() - t0
del columns
print(f"Dataset {construct:.1f} s (one thread)", flush=True)

booster_params = {"objective": "regression", "learning_rate": params["learning_rate"],
                  "max_depth": params["max_depth"], "num_leaves": params["num_leaves"],
                  "feature_fraction": params["colsample_bytree"], "num_threads": 1,
                  "force_col_wise": True, "deterministic": True, "verbose": -1}
t0, c0 = time.perf_counter(), time.process_time()
booster = lgb.train(booster_params, dataset, num_boost_round=trees)
fit, cpu = time.perf_counter() - t0, time.process_time() - c0
# CPU seconds as well as wall: on a shared machine the CPU figure is the one to compare.
print(f"fit {fit:.1f} s = {fit / trees:.3f} s per tree, CPU {cpu / trees:.3f} s per tree (one thread, force_col_wise)",
      flush=True)
del dataset

validation = rows_of("validation")
predictions = np.empty(len(validation))
for start in range(0, len(validation), 262144):
    part = validation[start:start + 262144]
    predictions[start:start + len(part)] = booster.predict(np.ascontiguousarray(bins(part).T, dtype=np.float32),
                                                           num_threads=1)
eras = f["era_of_row"][:][validation]
frame = pd.DataFrame({"prediction": predictions, "target": targets[validation], "era": eras})
per_era = frame.groupby("era").apply(lambda g: numerai_corr(g[["prediction"]], g["target"])["prediction"])
print(f"validation corr_mean {per_era.mean():.5f} over {len(per_era)} eras")
if ours:
    with open(ours) as handle:
        theirs = {row["id"]: float(row["prediction"]) for row in csv.DictReader(handle)}
    ids = f["ids"].asstr()[:][validation]
    difference = np.max(np.abs(np.array([theirs[i] for i in ids]) - predictions))
    print(f"largest |LightGBM − workbench| prediction difference: {difference:.3g}")
print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1048576:.2f} GiB")
