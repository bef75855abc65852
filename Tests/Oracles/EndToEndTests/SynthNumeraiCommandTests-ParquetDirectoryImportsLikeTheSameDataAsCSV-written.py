# Oracle of Tests/EndToEndTests/SynthNumeraiCommandTests.swift (`testParquetDirectoryImportsLikeTheSameDataAsCSV`); run alone: python Tests/Oracles/EndToEndTests/SynthNumeraiCommandTests-ParquetDirectoryImportsLikeTheSameDataAsCSV-written.py ARGS
import sys, pandas as pd
d = sys.argv[1]
df = pd.concat([pd.read_parquet(f"{d}/{n}.parquet") for n in ["train", "validation", "live"]])
df.reset_index().to_csv(sys.argv[2], index=False)
