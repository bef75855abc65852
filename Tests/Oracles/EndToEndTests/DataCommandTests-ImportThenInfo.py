# Oracle of Tests/EndToEndTests/DataCommandTests.swift (`testImportThenInfo`); run alone: python Tests/Oracles/EndToEndTests/DataCommandTests-ImportThenInfo.py ARGS
import sys, h5py
f = h5py.File(sys.argv[1], "r")
assert list(f["ids"].asstr()[:]) == ["a", "b", "c", "d"]
assert list(f["eras"].asstr()[:]) == ["0001", "0002", "0010"]
assert f["features"][:].tolist() == [[0, 1, 2, 3], [4, 3, 2, 1]]
print("ok")
