# Oracle of Tests/ParquetTests/RobustnessTests.swift (`corpusScript`); run alone: python Tests/Oracles/ParquetTests/RobustnessTests-corpusScript.py ARGS
import sys, os, json, itertools
import numpy as np, pyarrow as pa, pyarrow.parquet as pq
out = sys.argv[1]
rng = np.random.default_rng(3)
n = 200
m = lambda: rng.random(n) < 0.15
t = pa.table({
    "id": pa.array(["n%05d" % i for i in range(n)]),
    "f": pa.array(rng.integers(0, 5, n).astype(np.int8), mask=m()),
    "t": pa.array(rng.integers(0, 5, n) / 4.0, type=pa.float32(), mask=m()),
    "d": pa.array(rng.normal(size=n), mask=m()),
    "l": pa.array(rng.integers(-9, 9, n), mask=m()),
    "b": pa.array(rng.random(n) < 0.5, mask=m()),
})
names = []
for dictionary, codec, page in itertools.product([False, True], ["none", "snappy", "zstd", "gzip"], ["1.0", "2.0"]):
    name = f"seed-{'dict' if dictionary else 'plain'}-{codec}-v{page}.parquet"
    pq.write_table(t, os.path.join(out, name), row_group_size=70, data_page_size=128, write_batch_size=32,
                   use_dictionary=dictionary, compression=codec, data_page_version=page)
    names.append(name)
print(json.dumps(names))
