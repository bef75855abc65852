"""Oracle for StudyPipeline.progressScore (Tests/PipelineTests/ProgressScoreTests.swift).

usage: python Tests/Oracles/mean_numerai_corr.py INPUT.json
INPUT.json: {"eras": [era per row], "target": [target per row, null = unknown], "predictions": [value per row]}
Prints the mean over eras (in order of first appearance) of numerai-tools' numerai_corr of the
predictions against the target, over each era's rows with a known target; eras whose corr is
NaN are left out.
"""
import json
import sys

import numpy as np
import pandas as pd
from numerai_tools.scoring import numerai_corr


def main(path):
    with open(path) as f:
        data = json.load(f)
    df = pd.DataFrame({"era": data["eras"],
                       "target": [np.nan if t is None else t for t in data["target"]],
                       "prediction": np.array(data["predictions"], dtype=np.float64)})
    df = df[df["target"].notna()]
    corrs = []
    for _, era in df.groupby("era", sort=False):
        c = float(numerai_corr(era[["prediction"]], era["target"]).iloc[0])
        if not np.isnan(c):
            corrs.append(c)
    print(json.dumps(float(np.mean(corrs)) if corrs else None))


if __name__ == "__main__":
    main(sys.argv[1])
