# Oracle of Tests/EndToEndTests/ParquetDataCommandTests.swift (`writer`); run alone: python Tests/Oracles/EndToEndTests/ParquetDataCommandTests-writer.py ARGS
import sys, os, json, numpy as np, pandas as pd
out = sys.argv[1]
rng = np.random.default_rng(4)
F = ["feature_%d" % i for i in range(6)]
def frame(n, eras, dtype, prefix):
    df = pd.DataFrame({"era": rng.choice(eras, n), "data_type": dtype},
                      index=pd.Index(["%s%04d" % (prefix, i) for i in range(n)], name="id"))
    for f in F: df[f] = rng.integers(0, 5, n).astype(np.int8)
    df["target"] = (rng.integers(0, 5, n) / 4).astype(np.float32)
    df["target_b_60"] = np.where(rng.random(n) < 0.2, np.nan, rng.integers(0, 5, n) / 4).astype(np.float32)
    if dtype == "live": df[["target", "target_b_60"]] = np.nan
    return df
frame(300, ["0003", "0001", "0002"], "train", "t").to_parquet(os.path.join(out, "train.parquet"))
frame(100, ["0009", "0010"], "validation", "v").to_parquet(os.path.join(out, "validation.parquet"))
frame(20, ["X"], "live", "l").to_parquet(os.path.join(out, "live.parquet"))
json.dump({"feature_sets": {"small": F[:2], "all": F}, "targets": ["target", "target_b_60"]},
          open(os.path.join(out, "features.json"), "w"))
