# Oracle of Tests/StudiesTests/ReplicatesTests.swift (`testFoldCutsMatchScikitLearnTimeSeriesSplit`); run alone: python Tests/Oracles/StudiesTests/ReplicatesTests-FoldCutsMatchScikitLearnTimeSeriesSplit.py ARGS
import json, sys
from sklearn.model_selection import TimeSeriesSplit
out = []
for t, n, gap in json.loads(sys.argv[1]):
    out.append([[int(tr[0]), int(tr[-1]) + 1, int(te[0]), int(te[-1]) + 1]
                for tr, te in TimeSeriesSplit(n_splits=n, gap=gap).split(list(range(t)))])
print(json.dumps(out))
