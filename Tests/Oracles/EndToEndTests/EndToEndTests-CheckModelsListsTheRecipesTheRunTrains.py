# Oracle of Tests/EndToEndTests/EndToEndTests.swift (`testCheckModelsListsTheRecipesTheRunTrains`); run alone: python Tests/Oracles/EndToEndTests/EndToEndTests-CheckModelsListsTheRecipesTheRunTrains.py ARGS
import sys, math, pandas as pd
lines = open(sys.argv[1]).read().splitlines()
same = next(l for l in lines if l.startswith("same for every model: "))
fixed = dict(kv.split("=") for kv in same[len("same for every model: "):].split())
start = next(i for i, l in enumerate(lines) if l.split()[:2] == ["id", "arm"])
header = lines[start].split()
rows = [dict(zip(header, l.split())) for l in lines[start + 1:start + 1 + 8]]
models = pd.read_csv(sys.argv[2] + "/models.csv").set_index("id").drop(index="benchmark")  # the plan summary's own line
errors = []
if sorted(r["id"] for r in rows) != sorted(models.index): errors.append(f"ids {[r['id'] for r in rows]} vs {list(models.index)}")
if "learning_rate" not in header or "max_depth" not in header: errors.append(f"varying columns {header}")
for r in rows:
    m = models.loc[r["id"]]
    for k in ["arm", "target"]:
        if str(m[k]) != r[k]: errors.append(f"{r['id']} {k}: {r[k]} vs {m[k]}")
    for k in ["dropped_eras", "dropped_features"]:
        if int(m[k]) != int(r[k]): errors.append(f"{r['id']} {k}: {r[k]} vs {m[k]}")
    for name, text in list(fixed.items()) + [(h, r[h]) for h in header[5:]]:
        v = float(m["param_" + name])
        if not math.isclose(v, float(text), rel_tol=1e-12, abs_tol=0): errors.append(f"{r['id']} {name}: {text} vs {v}")
print("\n".join(errors)); sys.exit(1 if errors else 0)
