# Oracle of Tests/EraDataTests/NumeraiWriterTests.swift (`testPandasReadsNumeraisLayout`); run alone: python Tests/Oracles/EraDataTests/NumeraiWriterTests-PandasReadsNumeraisLayout.py ARGS
import sys, json, h5py, numpy as np, pandas as pd, pyarrow.parquet as pq
d, h5 = sys.argv[1], sys.argv[2]
frames = []
for name, split in [("train", "train"), ("validation", "validation"), ("live", "live")]:
    df = pd.read_parquet(f"{d}/{name}.parquet")
    assert df.index.name == "id", df.index.name
    assert list(df.columns[:2]) == ["era", "data_type"], list(df.columns[:3])
    assert (df["data_type"] == split).all()
    feats = [c for c in df.columns if c.startswith("feature_")]
    targs = [c for c in df.columns if c.startswith("target")]
    assert len(feats) == 45 and targs == ["target", "target_aux1", "target_aux2", "target_aux3"], targs
    assert all(str(df[c].dtype) == "int8" for c in feats), set(map(str, df[feats].dtypes))
    assert all(str(df[c].dtype) == "float32" for c in targs)
    assert pd.api.types.is_string_dtype(df["era"]) and df["era"].map(type).eq(str).all(), df["era"].dtype
    schema = pq.read_schema(f"{d}/{name}.parquet")
    assert str(schema.field("feature_0000").type) == "int8" and str(schema.field("id").type) == "string"
    frames.append(df)
df = pd.concat(frames)
assert df[[c for c in df.columns if c.startswith("target")]].loc[df["data_type"] == "live"].isna().all().all()
f = h5py.File(h5, "r")
assert list(df.index) == list(f["ids"].asstr()[:])
assert list(df["era"]) == list(np.array(f["eras"].asstr()[:])[f["era_of_row"][:]])
names = list(f["feature_names"].asstr()[:])
assert np.array_equal(df[names].to_numpy().T, f["features"][:])
tn = list(f["target_names"].asstr()[:])
assert np.array_equal(df[tn].to_numpy().T.view(np.uint32), f["targets"][:].view(np.uint32)), "target bits differ"
js = json.load(open(f"{d}/features.json"))
assert sorted(js) == ["feature_sets", "targets"], sorted(js)
sets = js["feature_sets"]
assert sorted(sets) == ["all", "charisma", "intelligence", "medium", "small"], sorted(sets)
assert sets["all"] == names and sets["intelligence"] == names[:10] and sets["charisma"] == names[10:]
assert len(sets["small"]) == 1 and len(sets["medium"]) == 13, (len(sets["small"]), len(sets["medium"]))
assert set(sets["medium"]) <= set(names) and len(set(sets["medium"])) == 13
assert js["targets"] == tn
print("ok", len(df))
