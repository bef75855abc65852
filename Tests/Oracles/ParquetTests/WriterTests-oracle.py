# Oracle of Tests/ParquetTests/WriterTests.swift (`oracle`); run alone: python Tests/Oracles/ParquetTests/WriterTests-oracle.py ARGS
import sys, json, struct
import pyarrow.parquet as pq
path, expected_path, groups, codec = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
expected = json.load(open(expected_path))
f = pq.ParquetFile(path)
t = f.read()
schema = {field.name: (str(field.type), field.nullable) for field in t.schema}
assert schema == {"i8": ("int8", True), "i8req": ("int8", False), "f32": ("float", True),
                  "f32req": ("float", False), "word": ("string", True), "id": ("string", False)}, schema
assert f.metadata.num_row_groups == groups, f.metadata.num_row_groups
md = f.metadata
for g in range(md.num_row_groups):
    for c in range(md.num_columns):
        col = md.row_group(g).column(c)
        assert col.compression == codec, (col.compression, codec)
        # Unique ids and mostly distinct floats stay PLAIN; the rest get a dictionary.
        assert ("RLE_DICTIONARY" in col.encodings) == (col.path_in_schema not in ("id", "f32")), (col.path_in_schema, col.encodings)
def bits(v):
    return None if v is None else "%x" % struct.unpack("<I", struct.pack("<f", v))[0]
for name in ["i8", "i8req", "word", "id"]:
    got = t.column(name).to_pylist()
    assert got == expected[name], (name, [(i, a, b) for i, (a, b) in enumerate(zip(got, expected[name])) if a != b][:5])
for name in ["f32", "f32req"]:
    got = [bits(v) for v in t.column(name).to_pylist()]
    assert got == expected[name], (name, [(i, a, b) for i, (a, b) in enumerate(zip(got, expected[name])) if a != b][:5])
assert t.column("f32").null_count == sum(v is None for v in expected["f32"])
assert t.column("f32req").null_count == 0
print("ok", t.num_rows)
