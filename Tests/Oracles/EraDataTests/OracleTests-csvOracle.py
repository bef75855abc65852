# Oracle of Tests/EraDataTests/OracleTests.swift (`csvOracle`); run alone: python Tests/Oracles/EraDataTests/OracleTests-csvOracle.py ARGS
import sys, h5py, numpy as np, pandas as pd
mode, out = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(5)
if mode == "write":
    frames = []
    for split, eras in [("train", range(1, 13)), ("validation", range(17, 21))]:
        rows = []
        for e in eras:
            n = 40 + e
            df = pd.DataFrame({"id": [f"id{e}_{i}" for i in range(n)], "era": f"era{e}", "data_type": split})
            for j in range(6):
                df[f"feature_int{j}"] = rng.integers(0, 5, n)
            df["feature_float"] = rng.normal(size=n) * 1e3
            df["feature_coarse"] = rng.choice([-0.5, 0.1, 7.25], n)
            df["target"] = rng.choice([0, .25, .5, .75, 1], n)
            df["target_aux"] = np.where(rng.random(n) < 0.2, np.nan, rng.choice([0, .25, .5, .75, 1], n))
            rows.append(df)
        frame = pd.concat(rows)
        frame = frame.sample(frac=1, random_state=1) if split == "train" else frame
        frame.to_csv(f"{out}/{split}.csv", index=False)
    print("written")
    sys.exit(0)
paths = [f"{out}/train.csv", f"{out}/validation.csv"]
df = pd.concat([pd.read_csv(p) for p in paths], ignore_index=True)
era_number = df["era"].str[3:].astype(int)
df = df.iloc[np.argsort(era_number.to_numpy(), kind="stable")].reset_index(drop=True)
with h5py.File(sys.argv[3], "r") as f:
    fnames = list(f["feature_names"].asstr()[:])
    tnames = list(f["target_names"].asstr()[:])
    assert fnames == [c for c in df.columns if c.startswith("feature_")], fnames
    assert tnames == ["target", "target_aux"], tnames
    assert list(f["ids"].asstr()[:]) == list(df["id"]), "ids"
    eras = np.array(f["eras"].asstr()[:])
    assert list(eras) == sorted(df["era"].unique(), key=lambda s: int(s[3:])), list(eras)
    assert list(eras[f["era_of_row"][:]]) == list(df["era"]), "era_of_row"
    names = f.attrs["split_names"].split(",")
    assert [names[c] for c in f["split_of_row"][:]] == list(df["data_type"]), "splits"
    X = f["features"][:]
    edges = f["bin_edges"][:]
    counts = f["bin_counts"][:]
    for j, name in enumerate(fnames):
        values = df[name].to_numpy()
        if name.startswith("feature_int"):
            assert (X[j] == values).all(), name
            assert np.isnan(edges[j]).all() and counts[j] == values.max() + 1, name
            continue
        e = edges[j][~np.isnan(edges[j])]
        s = np.sort(values)
        u = np.unique(s)
        if len(u) <= 255:
            expected = u
        else:
            expected = np.unique(s[np.ceil(np.arange(1, 256) * len(s) / 255).astype(int) - 1])
        assert np.array_equal(e, expected), (name, e[:5], expected[:5])
        assert counts[j] == len(e), name
        assert (X[j] == np.searchsorted(e, values, side="left")).all(), name
    T = f["targets"][:]
    for t, name in enumerate(tnames):
        expected = df[name].to_numpy(dtype=np.float32)
        assert np.array_equal(T[t], expected, equal_nan=True), name
        assert np.isnan(T[t]).sum() == np.isnan(expected).sum()
print("OK")
