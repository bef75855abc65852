# Oracle of Tests/EraDataTests/NumeraiParquetTests.swift (`script`); run alone: python Tests/Oracles/EraDataTests/NumeraiParquetTests-script.py ARGS
import sys, os, json, numpy as np, pandas as pd
out = sys.argv[1]
rng = np.random.default_rng(21)
F = ["feature_%s" % w for w in ["alpha", "beta", "gamma", "delta", "eps", "zeta", "eta"]]
T = ["target_cyrus_20", "target", "target_x_60"]
def frame(n, eras, dtype, prefix, with_targets=True):
    df = pd.DataFrame({"era": rng.choice(eras, n)}, index=pd.Index(["%s%05d" % (prefix, i) for i in range(n)], name="id"))
    if dtype: df["data_type"] = dtype
    for f in F:
        v = pd.array(rng.integers(0, 5, n).astype(np.int8), dtype="Int8")
        v[rng.random(n) < 0.05] = pd.NA
        df[f] = v
    for t in (T if with_targets else ["target"]):
        v = (rng.integers(0, 5, n) / 4).astype(np.float32)
        v[rng.random(n) < 0.1] = np.nan
        df[t] = v if dtype != "live" and with_targets else np.float32(np.nan)
    return df
train = frame(900, ["%04d" % e for e in [1, 2, 3, 10, 11, 100]], "train", "t")
valid = frame(500, ["%04d" % e for e in [120, 101, 130]], "validation", "v")
live = frame(50, ["X"], None, "l", with_targets=False)
train.to_parquet(os.path.join(out, "train.parquet"))
valid.to_parquet(os.path.join(out, "validation.parquet"), compression="zstd")
live.to_parquet(os.path.join(out, "live.parquet"))
json.dump({"feature_sets": {"small": F[:3], "medium": F[:5], "all": F}, "targets": T},
          open(os.path.join(out, "features.json"), "w"))
small = F[:3]
live = live.assign(data_type="live")
for t in T:
    if t not in live: live[t] = np.float32(np.nan)
df = pd.concat([train, valid, live])
key = df["era"].map(lambda e: (1, 0) if e == "X" else (0, int(e)))
df = df.iloc[sorted(range(len(df)), key=lambda i: key.iloc[i])]
eras = list(dict.fromkeys(df["era"]))
exp = {"ids": list(df.index), "eras": eras, "era_of_row": [eras.index(e) for e in df["era"]],
       "split": list(df["data_type"]), "features": small,
       "bins": [[int(x) for x in df[f].fillna(2)] for f in small],
       "targets": ["target", "target_cyrus_20", "target_x_60"],
       "target_values": [[None if np.isnan(x) else float(x) for x in df[t]] for t in ["target", "target_cyrus_20", "target_x_60"]]}
json.dump(exp, open(os.path.join(out, "expected.json"), "w"))
