# Oracle of Tests/StudiesTests/ColumnLabelsTests.swift (`cut`); run alone: python Tests/Oracles/StudiesTests/ColumnLabelsTests-cut.py ARGS
import sys, h5py
with h5py.File(sys.argv[1], "a") as f: del f["test"]
