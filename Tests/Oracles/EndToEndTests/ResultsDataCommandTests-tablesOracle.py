# Oracle of Tests/EndToEndTests/ResultsDataCommandTests.swift (`tablesOracle`); run alone: python Tests/Oracles/EndToEndTests/ResultsDataCommandTests-tablesOracle.py ARGS
import sys, json, h5py, numpy as np, pandas as pd
from numerai_tools.scoring import feature_neutral_corr, max_feature_correlation
out_dir, data = sys.argv[1], sys.argv[2]
errors = []
def close(a, b, what, rel=1e-10, floor=1e-12):
    a, b = float(a), float(b)
    if np.isnan(a) and np.isnan(b): return
    if not abs(a - b) <= rel * max(abs(a), abs(b), floor): errors.append(f"{what}: {a} vs {b}")
metrics = json.load(open(f"{out_dir}/metrics.json"))
models = pd.read_csv(f"{out_dir}/models.csv")
per_era = pd.read_csv(f"{out_dir}/per_era.csv", dtype={"era": str})
ids = [m["id"] for m in metrics["models"]]
if list(models["id"]) != ids: errors.append(f"models.csv ids {list(models['id'])} != {ids}")
if list(per_era.columns) != ["model", "era", "part", "corr", "bmc"]: errors.append(f"per_era columns {list(per_era.columns)}")
sel, test = metrics["split"]["selection_eras"], metrics["split"]["test_eras"]
models = models.set_index("id")
for m in metrics["models"]:
    row = models.loc[m["id"]]
    if row["arm"] != m["arm"] or row["analysed"] != 1: errors.append(f"{m['id']}: arm/analysed {row['arm']} {row['analysed']}")
    for key in ["corr_mean", "corr_std", "corr_sharpe", "max_drawdown", "bmc_mean", "fnc_mean",
                "max_feature_exposure", "contribution", "selection_corr_mean", "test_corr_mean"]:
        close(row[key], np.nan if m[key] is None else m[key], f"{m['id']} {key} vs metrics.json", rel=1e-11)
    for name, value in m["params"].items():
        close(row["param_" + name], value, f"{m['id']} param {name}", rel=1e-11)
    if not (row["trees"] >= 1 and row["train_seconds"] >= 0): errors.append(f"{m['id']}: trees/train_seconds")
    e = per_era[per_era["model"] == m["id"]]
    if list(e["era"][e["part"] == "selection"]) != sel: errors.append(f"{m['id']}: selection eras differ")
    if list(e["era"][e["part"] == "test"]) != test: errors.append(f"{m['id']}: test eras differ")
    close(e["corr"].mean(), m["corr_mean"], f"{m['id']} per-era corr mean")
    close(e["bmc"].mean(), m["bmc_mean"], f"{m['id']} per-era bmc mean")
    for part in ["selection", "test"]:
        c = e["corr"][e["part"] == part]
        close(c.mean(), row[f"{part}_corr_mean"], f"{m['id']} {part} mean")
        close(c.mean() / c.std(ddof=0), row[f"{part}_corr_sharpe"], f"{m['id']} {part} sharpe")
        close(e["bmc"][e["part"] == part].mean(), row[f"{part}_bmc_mean"], f"{m['id']} {part} bmc")
# The benchmark's BMC against itself is 0 in every era.
b = per_era[per_era["model"] == metrics["benchmark"]]["bmc"]
if not (b.abs() < 1e-12).all(): errors.append("benchmark bmc is not 0")

# predictions.h5 labels against the dataset file.
with h5py.File(f"{out_dir}/predictions.h5", "r") as f, h5py.File(data, "r") as d:
    rows = f["rows"][:]
    tn = list(d["target_names"].asstr()[:])
    if f.attrs["target_name"] != metrics["target"]: errors.append(f"target_name {f.attrs['target_name']}")
    truth = d["targets"][tn.index(metrics["target"])][rows]
    if not np.array_equal(np.isnan(truth), np.isnan(f["target"][:])) or not np.allclose(truth[~np.isnan(truth)], f["target"][:][~np.isnan(truth)], rtol=0, atol=0):
        errors.append("stored target differs from the dataset's")
    names = d.attrs["split_names"].split(",")
    if list(f["split"].asstr()[:]) != [names[s] for s in d["split_of_row"][:][rows]]: errors.append("stored split differs")
    eras = f["eras"].asstr()[:]
    if sorted(set(eras[f["selection"][:] == 1])) != sorted(sel): errors.append("selection flags differ from metrics split")
    if sorted(set(eras[f["test"][:] == 1])) != sorted(test): errors.append("test flags differ from metrics split")
    # Max feature exposure and FNC of every model with numerai-tools on the binned features
    # (all validation rows of each era, as numerai-tools takes them).
    X = d["features"][:][:, rows].T.astype(float)
    fn = list(d["feature_names"].asstr()[:])
    P = f["predictions"][:]
    preds = {mid: P[i] for i, mid in enumerate(f["models/id"].asstr()[:])}
    preds["benchmark"] = f["benchmark/predictions"][:]
    split = f["split"].asstr()[:]
    target = f["target"][:].astype(float)
    v = split == "validation"
    df = pd.DataFrame(X[v], columns=fn); df["era"] = eras[v]; df["target"] = target[v]
    for mid in ids:
        df["p"] = preds[mid][v].astype(float)
        exp, fnc = [], []
        for era, g in df.groupby("era", sort=True):
            if g["target"].notna().sum() == 0: continue
            g = g.reset_index(drop=True)
            exp.append(float(max_feature_correlation(g["p"], g[fn])[1]))
            fnc.append(float(feature_neutral_corr(g[["p"]], g[fn], g["target"])["p"]))
        close(np.mean(exp), models.loc[mid, "max_feature_exposure"], f"{mid} max_feature_exposure vs numerai-tools", rel=1e-6)
        close(np.mean(fnc), models.loc[mid, "fnc_mean"], f"{mid} fnc vs numerai-tools", rel=1e-6)
print(json.dumps({"errors": errors, "models": len(ids)}))
