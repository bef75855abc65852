# Oracle of Tests/EndToEndTests/HostileDataInputTests.swift (`testDamagedDatasetFilesAreErrorsNamingTheFile`); run alone: python Tests/Oracles/EndToEndTests/HostileDataInputTests-DamagedDatasetFilesAreErrorsNamingTheFile.py ARGS
import h5py, sys
with h5py.File(sys.argv[1], "r+") as f:
    c = f["bin_counts"][...]; c[2] = 3; f["bin_counts"][...] = c
