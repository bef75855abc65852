# Oracle of Tests/EndToEndTests/ParquetDataCommandTests.swift (`testImportDirectoryWithFeatureSetAndInfo`); run alone: python Tests/Oracles/EndToEndTests/ParquetDataCommandTests-ImportDirectoryWithFeatureSetAndInfo.py ARGS
import sys, h5py, numpy as np, pandas as pd
f = h5py.File(sys.argv[1], "r"); d = sys.argv[2]
df = pd.concat([pd.read_parquet(d + "/" + n + ".parquet") for n in ["train", "validation", "live"]])
df = df.iloc[np.argsort(df["era"].map(lambda e: 99999 if e == "X" else int(e)).to_numpy(), kind="stable")]
assert list(f["ids"].asstr()[:]) == list(df.index)
assert list(f["eras"].asstr()[:]) == ["0001", "0002", "0003", "0009", "0010", "X"]
assert list(f["feature_names"].asstr()[:]) == ["feature_0", "feature_1"]
assert np.array_equal(f["features"][:], df[["feature_0", "feature_1"]].to_numpy().T)
assert np.array_equal(f["targets"][:], df[["target", "target_b_60"]].to_numpy().T, equal_nan=True)
print("ok")
