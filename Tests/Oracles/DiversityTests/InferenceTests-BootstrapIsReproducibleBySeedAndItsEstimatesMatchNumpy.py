# Oracle of Tests/DiversityTests/InferenceTests.swift (`testBootstrapIsReproducibleBySeedAndItsEstimatesMatchNumpy`); run alone: python Tests/Oracles/DiversityTests/InferenceTests-BootstrapIsReproducibleBySeedAndItsEstimatesMatchNumpy.py ARGS
import json, sys, numpy as np
R = np.asarray(json.loads(sys.argv[1])); corr = np.asarray(json.loads(sys.argv[2])); con = np.asarray(json.loads(sys.argv[3]))
M = len(R); lam = np.linalg.eigvalsh(R); rho = (R.sum() - M) / (M * (M - 1)); c = corr.mean(axis=1).mean()
print(json.dumps({"pr": float(lam.sum() ** 2 / (lam ** 2).sum()), "kish": float(M / (1 + (M - 1) * rho)),
                  "ceiling": float(c / np.sqrt(rho)), "gain": float(1 / np.sqrt(rho + (1 - rho) / M)),
                  "share": float((con > 0).mean())}))
