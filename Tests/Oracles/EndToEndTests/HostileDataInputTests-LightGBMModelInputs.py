# Oracle of Tests/EndToEndTests/HostileDataInputTests.swift (`testLightGBMModelInputs`); run alone: python Tests/Oracles/EndToEndTests/HostileDataInputTests-LightGBMModelInputs.py ARGS
import sys, numpy as np, pandas as pd
a, b = pd.read_csv(sys.argv[1]), pd.read_csv(sys.argv[2])
assert list(a["id"]) == list(b["id"])
print(float(np.max(np.abs(a["prediction"] - b["prediction"]))))
