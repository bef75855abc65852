# Oracle of Tests/EndToEndTests/ResultsDataCommandTests.swift (`testTableListsThreeStudiesInEveryFormat`); run alone: python Tests/Oracles/EndToEndTests/ResultsDataCommandTests-TableListsThreeStudiesInEveryFormat.py ARGS
import sys, json, numpy as np, pandas as pd
errors = []
def a_scaling(m, arm): return next(x for x in m["arms"] if x["arm"] == arm)["scaling"]
t = pd.read_csv(sys.argv[1])
j = json.load(open(sys.argv[2]))
dirs = sys.argv[3:]
if list(t["study"]) != dirs: errors.append(f"study column {list(t['study'])}")
if list(t["name"]) != ["a", "b", "ci"]: errors.append(f"names {list(t['name'])}")
if [s["study"] for s in j["studies"]] != dirs or j["columns"] != list(t.columns): errors.append("json layout")
for i, d in enumerate(dirs):
    m = json.load(open(d + "/metrics.json"))
    ens = {e["name"]: e["test_corr"]["mean"] for e in m.get("ensembles", [])}
    per_era = pd.DataFrame(m["per_era"])
    expect = {
        "ensemble": ens.get("all", per_era["ensemble"].mean()),
        "best_single": ens.get("best_single", per_era["best_single"].mean()),
        "benchmark": ens.get("benchmark", per_era["benchmark"].mean()),
        "rho": m["diversity"]["pairwise_corr_mean"],
        "effective_models": m["diversity"]["effective_models"],
        "models": len(m["models"]), "test_eras": len(m["split"]["test_eras"]),
    }
    for arm in [a["arm"] for a in m["arms"] if a["arm"] != "benchmark"]:
        if arm in ens: expect["arm:" + arm] = ens[arm]
        else:
            rows = [r for r in a_scaling(m, arm) if r["method"] == "random"]
            expect["arm:" + arm] = max(rows, key=lambda r: r["k"])["corr_mean"]
    for k, v in expect.items():
        got = t.loc[i, k]
        if not abs(got - v) <= 1e-11 * max(abs(v), 1e-12): errors.append(f"{d} {k}: {got} vs {v}")
        if abs(j["studies"][i][k] - v) > 1e-11 * max(abs(v), 1e-12): errors.append(f"{d} {k} json")
    for arm in set(c[4:] for c in t.columns if c.startswith("arm:")) - {a["arm"] for a in m["arms"]}:
        if not np.isnan(t.loc[i, "arm:" + arm]): errors.append(f"{d}: arm {arm} should be empty")
    c = [x for x in m.get("contrasts", []) if x["a"] == "all" and x["b"] == "best_single"]
    if c and abs(t.loc[i, "all − best_single"] - c[0]["mean"]) > 1e-11: errors.append(f"{d}: contrast")
    if c and t.loc[i, "all − best_single verdict"] != c[0]["verdict"]: errors.append(f"{d}: verdict")
print(json.dumps({"errors": errors}))
