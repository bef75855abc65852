# Oracle of Tests/EndToEndTests/DataCommandTests.swift (`testSynthThenInfoJSON`); run alone: python Tests/Oracles/EndToEndTests/DataCommandTests-SynthThenInfoJSON.py ARGS
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
for k in ["features", "targets", "true_signal", "era_of_row", "split_of_row"]:
    assert np.array_equal(a[k][:], b[k][:], equal_nan=True), k
assert list(a["ids"][:]) == list(b["ids"][:])
x = a["features"][:]
assert x.shape == (7, 2000) and x.max() == 4
print("same")
