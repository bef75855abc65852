# Oracle of Tests/BoostingTests/LightGBMTextTests.swift (`predictScript`); run alone: python Tests/Oracles/BoostingTests/LightGBMTextTests-predictScript.py ARGS
import sys, numpy as np, lightgbm as lgb
model, xfile, rows, cols, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
b = lgb.Booster(model_file=model)
X = np.fromfile(xfile, dtype=np.float64).reshape(rows, cols)
assert b.num_feature() == cols, (b.num_feature(), cols)
b.predict(X).astype(np.float64).tofile(out)
print(b.num_trees())
