# Oracle of Tests/EraDataTests/OracleTests.swift (`dumpScript`); run alone: python Tests/Oracles/EraDataTests/OracleTests-dumpScript.py ARGS
import sys, json, h5py, numpy as np
path, out = sys.argv[1], sys.argv[2]
with h5py.File(path, "r") as f:
    assert f["features"].dtype == np.uint8 and f["targets"].dtype == np.float32
    assert f["era_of_row"].dtype == np.int32 and f["split_of_row"].dtype == np.uint8
    n = f["ids"].shape[0]
    assert f["features"].shape == (f["feature_names"].shape[0], n)
    assert f["features"].chunks[0] == 1, f["features"].chunks
    assert f["features"].compression == "gzip"
    f["features"][:].tofile(out + "/features.bin")
    f["targets"][:].tofile(out + "/targets.bin")
    f["era_of_row"][:].tofile(out + "/era_of_row.bin")
    f["split_of_row"][:].tofile(out + "/split_of_row.bin")
    if "true_signal" in f:
        f["true_signal"][:].astype(np.float32).tofile(out + "/true_signal.bin")
    for name in ["ids", "eras", "feature_names", "target_names"]:
        with open(out + "/" + name + ".json", "w") as g:
            json.dump(list(f[name].asstr()[:]), g)
    attrs = {k: (v.item() if hasattr(v, "item") else v) for k, v in f.attrs.items()}
    attrs["metadata"] = dict(f["metadata"].attrs.items())
    with open(out + "/attrs.json", "w") as g:
        json.dump(attrs, g)
print("dumped")
