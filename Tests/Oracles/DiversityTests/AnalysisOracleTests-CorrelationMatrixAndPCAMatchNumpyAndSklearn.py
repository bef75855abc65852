# Oracle of Tests/DiversityTests/AnalysisOracleTests.swift (`testCorrelationMatrixAndPCAMatchNumpyAndSklearn`); run alone: python Tests/Oracles/DiversityTests/AnalysisOracleTests-CorrelationMatrixAndPCAMatchNumpyAndSklearn.py ARGS
import sys, json, numpy as np, pandas as pd
from numerai_tools.scoring import gaussian, tie_kept_rank
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler
df = pd.read_csv(sys.argv[1]); df = df[df["target"].notna()]
cols = sorted(c for c in df.columns if c.startswith("m"))
g = pd.concat([gaussian(tie_kept_rank(d[cols].reset_index(drop=True))) for _, d in df.groupby("era", sort=True)])
c = np.corrcoef(g.values, rowvar=False)
pca = PCA().fit(StandardScaler().fit_transform(g.values))
print(json.dumps({"corr": c.ravel().tolist(), "ratio": pca.explained_variance_ratio_.tolist()}))
