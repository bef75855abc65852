# Oracle of Tests/DiversityTests/InferenceTests.swift (`testHolmMatchesStatsmodelsMultipletests`); run alone: python Tests/Oracles/DiversityTests/InferenceTests-HolmMatchesStatsmodelsMultipletests.py ARGS
import json, sys
from statsmodels.stats.multitest import multipletests
print(json.dumps([list(map(float, multipletests(p, method="holm")[1])) for p in json.loads(sys.argv[1])]))
