# Oracle of Tests/EraDataTests/NumeraiParquetTests.swift (`testErrors`); run alone: python Tests/Oracles/EraDataTests/NumeraiParquetTests-Errors.py ARGS
import sys, pandas as pd, numpy as np
df = pd.read_parquet(sys.argv[1]).drop(columns=["feature_beta"])
df["feature_omega"] = np.int8(1)
df.to_parquet(sys.argv[2])
bad = pd.read_parquet(sys.argv[1]); bad.loc[bad.index[3], "feature_gamma"] = 7
bad.to_parquet(sys.argv[3])
odd = pd.read_parquet(sys.argv[1]); odd.loc[odd.index[4], "data_type"] = "tournament"
odd.to_parquet(sys.argv[4])
gap = pd.read_parquet(sys.argv[1]); gap["era"] = gap["era"].astype(object); gap.loc[gap.index[2], "era"] = None
gap.to_parquet(sys.argv[5])
