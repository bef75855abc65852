# Oracle of Tests/EndToEndTests/HostileDataInputTests.swift (`testInfiniteTargetInDatasetFileStopsTraining`); run alone: python Tests/Oracles/EndToEndTests/HostileDataInputTests-InfiniteTargetInDatasetFileStopsTraining.py ARGS
import h5py, numpy as np, sys
with h5py.File(sys.argv[1], "r+") as f:
    t = f["targets"][...]; t[0, 3] = np.inf; f["targets"][...] = t
