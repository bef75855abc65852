# Oracle of Tests/EndToEndTests/PredictCommandTests.swift (`testTrainScorePredictOnANumeraiDirectory`); run alone: python Tests/Oracles/EndToEndTests/PredictCommandTests-TrainScorePredictOnANumeraiDirectory.py ARGS
import sys, os, json, numpy as np, pandas as pd
out = sys.argv[1]; rng = np.random.default_rng(1); n = 6000
X = rng.integers(0, 5, size=(n, 10)).astype(np.int8)
df = pd.DataFrame(X, columns=[f"feature_{i}" for i in range(10)])
df.insert(0, "era", np.repeat([f"{e:04d}" for e in range(60)], 100)); df.insert(0, "id", [f"i{i}" for i in range(n)])
df["target"] = np.clip(0.5 + 0.1 * (X[:, 0] - 2) + rng.normal(scale=0.2, size=n), 0, 1).astype(np.float32)
os.makedirs(out, exist_ok=True)
df.iloc[:4000].assign(data_type="train").set_index("id").to_parquet(out + "/train.parquet")
df.iloc[4000:].assign(data_type="validation").set_index("id").to_parquet(out + "/validation.parquet")
json.dump({"feature_sets": {"all": list(df.columns[2:12])}, "targets": ["target"]}, open(out + "/features.json", "w"))
