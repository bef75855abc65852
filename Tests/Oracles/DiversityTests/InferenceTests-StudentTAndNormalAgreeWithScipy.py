# Oracle of Tests/DiversityTests/InferenceTests.swift (`testStudentTAndNormalAgreeWithScipy`); run alone: python Tests/Oracles/DiversityTests/InferenceTests-StudentTAndNormalAgreeWithScipy.py ARGS
import json, sys
from scipy.stats import t, norm
ps, nus, ts = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
print(json.dumps({"q": [[float(t.ppf(p, v)) for p in ps] for v in nus],
                  "cdf": [[float(t.cdf(x, v)) for x in ts] for v in nus],
                  "sf2": [[float(2 * t.sf(abs(x), v)) for x in ts] for v in nus],
                  "ncdf": [float(norm.cdf(x)) for x in ts], "nq": [float(norm.ppf(p)) for p in ps]}))
