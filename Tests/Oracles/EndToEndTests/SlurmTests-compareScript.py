# Oracle of Tests/EndToEndTests/SlurmTests.swift (`compareScript`); run alone: python Tests/Oracles/EndToEndTests/SlurmTests-compareScript.py ARGS
import sys, json, h5py, numpy as np
a_dir, b_dir = sys.argv[1], sys.argv[2]
problems = []
with h5py.File(a_dir + "/predictions.h5", "r") as a, h5py.File(b_dir + "/predictions.h5", "r") as b:
    names = ["predictions", "rows", "ids", "eras", "models/id", "models/arm", "models/target", "models/status",
             "models/params_json", "models/seed", "models/trees", "benchmark/predictions"]
    for name in names:
        if name not in a or name not in b:
            if name in a or name in b:
                problems.append(f"{name}: only in one store")
            elif name in ("predictions", "ids", "models/params_json", "benchmark/predictions"):
                problems.append(f"{name}: missing in both stores")
            continue
        x, y = a[name][()], b[name][()]
        if x.dtype.kind in "fiu":
            if x.dtype != y.dtype or x.shape != y.shape or x.tobytes() != y.tobytes():
                diff = np.argwhere(~((x == y) | (np.isnan(x) & np.isnan(y)))) if x.shape == y.shape and x.dtype.kind == "f" else []
                problems.append(f"{name}: differs ({x.dtype}{x.shape} vs {y.dtype}{y.shape}; {len(diff)} cells)")
        else:
            if list(x) != list(y):
                problems.append(f"{name}: differs")
    for attr in ("study_hash", "model_count"):
        if a.attrs.get(attr) != b.attrs.get(attr):
            problems.append(f"attribute {attr}: {a.attrs.get(attr)!r} vs {b.attrs.get(attr)!r}")

skip = {"seconds", "train_seconds", "elapsed", "elapsed_seconds", "generated", "generated_at", "created", "directory", "path"}
def walk(x, y, where):
    if isinstance(x, dict) and isinstance(y, dict):
        for k in sorted(set(x) | set(y)):
            if k in skip: continue
            if k not in x or k not in y: problems.append(f"metrics{where}.{k}: only in one file"); continue
            walk(x[k], y[k], f"{where}.{k}")
    elif isinstance(x, list) and isinstance(y, list):
        if len(x) != len(y): problems.append(f"metrics{where}: lengths {len(x)} vs {len(y)}"); return
        for i, (p, q) in enumerate(zip(x, y)): walk(p, q, f"{where}[{i}]")
    elif isinstance(x, (int, float)) and isinstance(y, (int, float)) and not isinstance(x, bool):
        if not (x == y or (x != x and y != y)): problems.append(f"metrics{where}: {x!r} vs {y!r}")
    elif x != y:
        problems.append(f"metrics{where}: {x!r} vs {y!r}")
import os
present = [os.path.exists(d + "/metrics.json") for d in (a_dir, b_dir)]
if all(present):
    with open(a_dir + "/metrics.json") as f: ma = json.load(f)
    with open(b_dir + "/metrics.json") as f: mb = json.load(f)
    walk(ma, mb, "")
elif any(present):
    problems.append("metrics.json written by only one of the runs")
else:
    print("note: neither run wrote metrics.json; stores compared only")
if problems:
    print("\n".join(problems[:50])); sys.exit(1)
print("identical")
