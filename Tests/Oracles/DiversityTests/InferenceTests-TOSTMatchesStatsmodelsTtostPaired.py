# Oracle of Tests/DiversityTests/InferenceTests.swift (`testTOSTMatchesStatsmodelsTtostPaired`); run alone: python Tests/Oracles/DiversityTests/InferenceTests-TOSTMatchesStatsmodelsTtostPaired.py ARGS
import json, sys, numpy as np
from statsmodels.stats.weightstats import ttost_paired
pairs, margins = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(json.dumps([[float(ttost_paired(np.asarray(a), np.asarray(b), -m, m)[0]) for m in margins] for a, b in pairs]))
