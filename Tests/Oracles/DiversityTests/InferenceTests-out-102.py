# Oracle of Tests/DiversityTests/InferenceTests.swift (`out`); run alone: python Tests/Oracles/DiversityTests/InferenceTests-out-102.py ARGS
import json, sys
from statsmodels.stats.multitest import multipletests
print(json.dumps([list(map(float, multipletests(p, method="holm")[1])) for p in json.loads(sys.argv[1])]))
