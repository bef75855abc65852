"""Oracle for FarmReport.pairwiseCorrelations (Tests/PipelineTests/FarmReportTests.swift).

usage: python Tests/Oracles/pairwise_gaussianized_corr.py INPUT.json
INPUT.json: {"eras": [era per row], "target": [target per row, null = unknown],
             "predictions": [[one value per row] per model], "spans": {"selection": [eras], "test": [eras]}}
Prints JSON {"selection": [...], "test": [...]}: per span, for every pair i < j (row by row),
the Pearson correlation of the models' predictions gaussianized per era (scipy rankdata
'average' → Φ⁻¹((rank − 0.5)/n) over the rows with a known target), over the span's eras in
data order; null where undefined (a constant model).
"""
import json
import sys

import numpy as np
from scipy.stats import norm, rankdata


def gaussianized(values, eras, known, span):
    parts = []
    for era in span:
        mask = (eras == era) & known
        v = values[mask]
        parts.append(norm.ppf((rankdata(v, method="average") - 0.5) / len(v)))
    return np.concatenate(parts)


def main(path):
    with open(path) as f:
        data = json.load(f)
    eras = np.array(data["eras"])
    known = np.array([t is not None for t in data["target"]])
    predictions = [np.array(p, dtype=np.float64) for p in data["predictions"]]
    out = {}
    for name, span in data["spans"].items():
        g = [gaussianized(p, eras, known, span) for p in predictions]
        values = []
        for i in range(len(g)):
            for j in range(i + 1, len(g)):
                if np.std(g[i]) == 0 or np.std(g[j]) == 0:
                    values.append(None)
                else:
                    values.append(float(np.corrcoef(g[i], g[j])[0, 1]))
        out[name] = values
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
