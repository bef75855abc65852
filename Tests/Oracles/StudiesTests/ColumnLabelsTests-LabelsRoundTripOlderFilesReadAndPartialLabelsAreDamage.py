# Oracle of Tests/StudiesTests/ColumnLabelsTests.swift (`testLabelsRoundTripOlderFilesReadAndPartialLabelsAreDamage`); run alone: python Tests/Oracles/StudiesTests/ColumnLabelsTests-LabelsRoundTripOlderFilesReadAndPartialLabelsAreDamage.py ARGS
import sys, h5py
with h5py.File(sys.argv[1], "a") as f: del f["test"]
