# Oracle of Tests/EraDataTests/EraOrderTests.swift (`script`); run alone: python Tests/Oracles/EraDataTests/EraOrderTests-script.py ARGS
import sys, os, numpy as np, pandas as pd
out = sys.argv[1]
eras = ["era10", "X", "era2", "crisis", "0003", "era2", "X", "era10", "era9", "0003", "crisis", "era9"]
df = pd.DataFrame({"era": eras, "data_type": ["live" if e == "X" else "train" for e in eras],
                   "feature_a": np.arange(len(eras), dtype=np.int8) % 5,
                   "target": np.where(np.array(eras) == "X", np.nan, np.linspace(0, 1, len(eras))).astype(np.float32)},
                  index=pd.Index(["r%02d" % i for i in range(len(eras))], name="id"))
df.to_parquet(os.path.join(out, "data.parquet"))
df.to_csv(os.path.join(out, "data.csv"))
