# Oracle of Tests/EndToEndTests/PredictCommandTests.swift (`compare`); run alone: python Tests/Oracles/EndToEndTests/PredictCommandTests-compare.py ARGS
import sys, json, numpy as np, pandas as pd
ours, theirs = pd.read_csv(sys.argv[1], dtype={"id": str}), pd.read_csv(sys.argv[2], dtype={"id": str})
assert list(ours.columns) == ["id", "prediction"], list(ours.columns)
assert list(ours["id"]) == list(theirs["id"]), "ids or their order differ"
print(json.dumps({"max_diff": float(np.max(np.abs(ours["prediction"] - theirs["prediction"]))), "rows": len(ours)}))
