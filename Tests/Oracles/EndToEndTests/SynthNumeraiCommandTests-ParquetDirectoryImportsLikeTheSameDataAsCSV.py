# Oracle of Tests/EndToEndTests/SynthNumeraiCommandTests.swift (`testParquetDirectoryImportsLikeTheSameDataAsCSV`); run alone: python Tests/Oracles/EndToEndTests/SynthNumeraiCommandTests-ParquetDirectoryImportsLikeTheSameDataAsCSV.py ARGS
import sys, h5py, numpy as np
p, c = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
for key in ["features", "targets", "era_of_row", "split_of_row", "bin_counts"]:
    assert np.array_equal(p[key][:].view(np.uint8), c[key][:].view(np.uint8)), key
for key in ["feature_names", "target_names", "ids", "eras"]:
    assert list(p[key].asstr()[:]) == list(c[key].asstr()[:]), key
assert np.isnan(p["targets"][:]).any()
print("ok")
