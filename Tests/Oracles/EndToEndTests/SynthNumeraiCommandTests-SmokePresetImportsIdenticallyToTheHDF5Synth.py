# Oracle of Tests/EndToEndTests/SynthNumeraiCommandTests.swift (`testSmokePresetImportsIdenticallyToTheHDF5Synth`); run alone: python Tests/Oracles/EndToEndTests/SynthNumeraiCommandTests-SmokePresetImportsIdenticallyToTheHDF5Synth.py ARGS
import sys, json, h5py, numpy as np, pandas as pd, pyarrow.parquet as pq
d, ref, imp = sys.argv[1], h5py.File(sys.argv[2], "r"), h5py.File(sys.argv[3], "r")
# data import of the directory == the HDF5 synth (everything but the stored true signal and provenance).
for key in ["features", "targets", "era_of_row", "split_of_row", "bin_counts"]:
    assert np.array_equal(ref[key][:].view(np.uint8), imp[key][:].view(np.uint8)), key
for key in ["feature_names", "target_names", "ids", "eras"]:
    assert list(ref[key].asstr()[:]) == list(imp[key].asstr()[:]), key
# pandas sees Numerai's layout.
train = pd.read_parquet(d + "/train.parquet")
assert train.index.name == "id" and train.shape == (23500, 2 + 2376 + 4), train.shape
assert str(train["feature_0000"].dtype) == "int8" and str(train["target"].dtype) == "float32"
assert train.filter(like="feature_").to_numpy().max() == 4 and train.filter(like="feature_").to_numpy().min() == 0
assert pq.ParquetFile(d + "/train.parquet").metadata.row_group(0).column(5).compression == "ZSTD"
assert pq.ParquetFile(d + "/train.parquet").metadata.num_row_groups == 4
live = pd.read_parquet(d + "/live.parquet")
assert live.filter(like="target").isna().all().all() and (live["data_type"] == "live").all()
js = json.load(open(d + "/features.json"))
assert {k: len(v) for k, v in js["feature_sets"].items() if k in ("small", "medium", "all")} == {"small": 42, "medium": 705, "all": 2376}
print("ok")
