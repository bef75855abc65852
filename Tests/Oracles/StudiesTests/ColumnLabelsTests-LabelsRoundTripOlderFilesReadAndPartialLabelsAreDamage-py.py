# Oracle of Tests/StudiesTests/ColumnLabelsTests.swift (`testLabelsRoundTripOlderFilesReadAndPartialLabelsAreDamage`); run alone: python Tests/Oracles/StudiesTests/ColumnLabelsTests-LabelsRoundTripOlderFilesReadAndPartialLabelsAreDamage-py.py ARGS
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    print(f.attrs["target_name"], list(f["split"].asstr()[:]), f["selection"][:].tolist(), f["test"][:].tolist(), f["selection"].dtype, np.isnan(f["target"][1]), f["target"].dtype)
