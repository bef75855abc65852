# Oracle of Tests/ParquetTests/NumeraiShapedTests.swift (`script`); run alone: python Tests/Oracles/ParquetTests/NumeraiShapedTests-script.py ARGS
import sys, os, json, numpy as np, pandas as pd, pyarrow.parquet as pq
out, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(11)
eras = np.repeat(np.arange(1, n // 400 + 2), 400)[:n]
df = pd.DataFrame({"era": ["%04d" % e for e in eras], "data_type": "train"},
                  index=pd.Index(["n%015x" % rng.integers(0, 2**60) for _ in range(n)], name="id"))
feats = pd.DataFrame(rng.integers(0, 5, (n, 300), dtype=np.int8), index=df.index,
                     columns=["feature_%03d" % i for i in range(300)])
targets = pd.DataFrame((rng.integers(0, 5, (n, 4)) / 4).astype(np.float32), index=df.index,
                       columns=["target", "target_a_20", "target_b_20", "target_c_60"])
targets.iloc[rng.random(n) < 0.07, 1:] = np.nan
path = os.path.join(out, "numerai.parquet")
pd.concat([df, feats, targets], axis=1).to_parquet(path, engine="pyarrow", compression="snappy")
t = pq.read_table(path)
md = pq.ParquetFile(path).metadata
encodings = set(md.row_group(0).column(5).encodings)
cols = [c for c in t.column_names if c.startswith("feature_")]
np.stack([t.column(c).to_numpy() for c in cols]).astype(np.int8).tofile(os.path.join(out, "features.bin"))
tn = [c for c in t.column_names if c.startswith("target")]
np.stack([t.column(c).to_numpy(zero_copy_only=False) for c in tn]).astype(np.float32).tofile(os.path.join(out, "targets.bin"))
json.dump({"ids": t.column("id").to_pylist(), "eras": t.column("era").to_pylist(), "features": cols, "targets": tn,
           "codec": md.row_group(0).column(5).compression, "encodings": sorted(encodings),
           "index": json.loads(t.schema.metadata[b"pandas"])["index_columns"]}, open(os.path.join(out, "expected.json"), "w"))
