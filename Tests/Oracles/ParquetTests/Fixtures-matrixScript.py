# Oracle of Tests/ParquetTests/Fixtures.swift (`matrixScript`); run alone: python Tests/Oracles/ParquetTests/Fixtures-matrixScript.py ARGS
import sys, json, os, itertools
import numpy as np, pyarrow as pa, pyarrow.parquet as pq
out = sys.argv[1]
rng = np.random.default_rng(7)
n = 2500
def mask(p=0.12):
    return rng.random(n) < p
def arr(values, typ, nulls=None):
    return pa.array(values, type=typ, mask=nulls)
words = ["", "a", "era", "ünïcödé ✓", "x" * 40, "data_type", "live", "🙂"]
f32 = rng.normal(size=n).astype(np.float32) * 1000
f32[::97] = np.inf; f32[5::101] = -np.inf; f32[7::131] = np.nan
f64 = rng.normal(size=n) * 1e6
f64[3::89] = np.nan; f64[11::97] = -0.0
table = pa.table({
    "i8": arr(rng.integers(-128, 128, n).astype(np.int8), pa.int8(), mask()),
    "i8req": arr(rng.integers(0, 5, n).astype(np.int8), pa.int8()),
    "i16": arr(rng.integers(-32768, 32768, n).astype(np.int16), pa.int16(), mask()),
    "i32": arr(rng.integers(-2**31, 2**31, n).astype(np.int32), pa.int32(), mask()),
    "i64": arr(rng.integers(-2**63, 2**63 - 1, n, dtype=np.int64), pa.int64(), mask()),
    "i64small": arr(rng.integers(0, 7, n).astype(np.int64), pa.int64(), mask(0.3)),
    "f32": arr(f32, pa.float32(), mask()),
    "f64": arr(f64, pa.float64(), mask()),
    "s": arr([words[i] + (str(j) if i == 4 else "") for j, i in enumerate(rng.integers(0, len(words), n))], pa.string(), mask()),
    "b": arr(rng.random(n) < 0.4, pa.bool_(), mask()),
    "breq": arr(rng.random(n) < 0.7, pa.bool_()),
    "allnull": arr(np.zeros(n, np.float64), pa.float64(), np.ones(n, bool)),
    "target": arr(rng.integers(0, 5, n) / 4.0, pa.float32(), mask(0.2)),
})
table = table.cast(pa.schema([f.with_nullable(f.name not in ("i8req", "breq")) for f in table.schema]))
def text(col):
    t = col.type
    vals = col.to_pylist()
    if pa.types.is_float32(t):
        bits = col.to_numpy(zero_copy_only=False).astype(np.float32).view(np.uint32)
        return [None if v is None else "%08x" % b for v, b in zip(vals, bits)]
    if pa.types.is_float64(t):
        bits = col.to_numpy(zero_copy_only=False).astype(np.float64).view(np.uint64)
        return [None if v is None else "%016x" % b for v, b in zip(vals, bits)]
    if pa.types.is_boolean(t):
        return [None if v is None else ("true" if v else "false") for v in vals]
    return [None if v is None else str(v) for v in vals]
def write(name, **kw):
    path = os.path.join(out, name + ".parquet")
    pq.write_table(table, path, row_group_size=600, data_page_size=256, write_batch_size=64, **kw)
    back = pq.read_table(path)
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump({c: text(back.column(c).combine_chunks()) for c in back.column_names}, f)
    return name
names = []
for dictionary, codec, page in itertools.product([False, True], ["none", "snappy", "zstd", "gzip"], ["1.0", "2.0"]):
    names.append(write(f"{'dict' if dictionary else 'plain'}-{codec}-v{page}", use_dictionary=dictionary,
                       compression=codec, data_page_version=page, version="1.0" if page == "1.0" else "2.6"))
names.append(write("rle-booleans", use_dictionary=False, compression="snappy", data_page_version="1.0",
                   column_encoding={"b": "RLE", "breq": "RLE"}))
names.append(write("dict-fallback", use_dictionary=True, compression="zstd", dictionary_pagesize_limit=64))
print(json.dumps(names))
