# Oracle of Tests/ParquetTests/WriterTests.swift (`testPandasMetadataMakesTheIdColumnTheIndex`); run alone: python Tests/Oracles/ParquetTests/WriterTests-PandasMetadataMakesTheIdColumnTheIndex.py ARGS
import sys, pandas as pd
df = pd.read_parquet(sys.argv[1])
assert df.index.name == "id" and "id" not in df.columns, df.columns
assert str(df["i8"].dtype) == "int8" and str(df["f32req"].dtype) == "float32", df.dtypes
print(len(df), df.index[0])
