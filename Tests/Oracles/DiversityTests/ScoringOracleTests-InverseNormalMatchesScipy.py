# Oracle of Tests/DiversityTests/ScoringOracleTests.swift (`testInverseNormalMatchesScipy`); run alone: python Tests/Oracles/DiversityTests/ScoringOracleTests-InverseNormalMatchesScipy.py ARGS
import sys, json; from scipy.special import ndtri
print(json.dumps([float(ndtri(float(p))) for p in json.loads(sys.argv[1])]))
