# Oracle of Tests/EndToEndTests/RunCheckJSONTests.swift; run alone:
# python Tests/Oracles/EndToEndTests/RunCheckJSONTests-Check.py STUDY.json DATA.h5 CHECK.json CHECK_MODELS.json JOBS
# `workbench run STUDY --check --json [--models]` against the study file (read by Python's json)
# and the data file (read by h5py): the one JSON style, the plan, the data's shape, the jobs, and
# every drawn recipe within its distribution. Prints {"errors": [...]}.
import json
import math
import sys

import h5py

study_path, data_path, check_path, models_path, jobs = sys.argv[1:6]
study = json.load(open(study_path))
errors = []


def style(path):
    # Sorted keys, two-space indent, one trailing newline: Python's own dump of what it parsed.
    text = open(path, encoding="utf-8").read()
    doc = json.loads(text)
    if text != json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n":
        errors.append(f"{path}: not in the one JSON style")
    return doc


check, with_models = style(check_path), style(models_path)


def distribution(d):
    # The study file's forms: a list is a choice, a number or string a constant, an object as written.
    if isinstance(d, list):
        return {"choice": d}
    if isinstance(d, dict):
        return d
    return {"constant": d}


def distinct(d):
    kind, value = next(iter(distribution(d).items()))
    return {"constant": 1, "choice": len(set(value)) if kind == "choice" else None,
            "intRange": value[1] - value[0] + 1 if kind == "intRange" else None}.get(kind)


def half_up(x):
    return math.floor(x + 0.5)


with h5py.File(data_path, "r") as f:
    eras = f["eras"].asstr()[:]
    names = f.attrs["split_names"]
    splits = (names.decode() if isinstance(names, bytes) else str(names)).split(",")  # "train,validation,…": code = position
    era_of_row, split_of_row = f["era_of_row"][:], f["split_of_row"][:]
    shape = {"rows": len(era_of_row), "eras": len(eras), "features": len(f["feature_names"]),
             "targets": list(f["target_names"].asstr()[:]),
             "train_eras": len(set(era_of_row[split_of_row == splits.index("train")])),
             "validation_eras": len(set(era_of_row[split_of_row == splits.index("validation")]))}

arms = study["arms"]
expected_models = sum(a.get("models", study["models"]) for a in arms)
for doc, label in [(check, "check"), (with_models, "check --models")]:
    if doc.get("valid") is not True:
        errors.append(f"{label}: valid is {doc.get('valid')}")
    if doc["study"] != study["name"] or doc["seed"] != study["seed"] or doc["models"] != expected_models:
        errors.append(f"{label}: study {doc['study']} seed {doc['seed']} models {doc['models']}")
    if doc["data"] != shape:
        errors.append(f"{label}: data {doc['data']} vs h5py {shape}")
    if doc["jobs"] != min(int(jobs), expected_models + 1):
        errors.append(f"{label}: jobs {doc['jobs']}")
    if not (isinstance(doc["memory_bytes"], int) and 0 < doc["memory_bytes"] < doc["machine_memory_bytes"]):
        errors.append(f"{label}: memory {doc['memory_bytes']} of {doc['machine_memory_bytes']}")
    if doc["benchmark"]["target"] != "target" or "learning_rate" not in doc["benchmark"]["parameters"]:
        errors.append(f"{label}: benchmark {doc['benchmark']}")
    if [a["name"] for a in doc["arms"]] != [a["name"] for a in arms]:
        errors.append(f"{label}: arms {[a['name'] for a in doc['arms']]}")
    for got, arm in zip(doc["arms"], arms):
        vary = {k: distribution(v) for k, v in arm.get("vary", {}).items()}
        fixed = {**study.get("fixed", {}), **arm.get("fixed", {})}
        counts = [distinct(v) for v in arm.get("vary", {}).values()]
        continuous = None in counts
        product = None if continuous else math.prod(counts)
        drop_eras = arm.get("dropEras")
        drop_features = arm.get("dropFeatures")
        want = {"models": arm.get("models", study["models"]), "vary": vary, "fixed": fixed, "target": {"constant": "target"},
                "continuous": continuous, "distinct_configurations": product,
                "drop_eras": None if drop_eras is None else {"fraction": distribution(drop_eras["fraction"]), "blocks": 0},
                "drop_features": None if drop_features is None else
                {"fraction": distribution(drop_features["fraction"]), "groups": 0, "groups_to_drop": 0}}
        for key, value in want.items():
            if got[key] != value:
                errors.append(f"{label}: arm {arm['name']} {key} = {got[key]}, study says {value}")
        if not 1 <= got["distinct_recipes"] <= got["models"]:
            errors.append(f"{label}: arm {arm['name']} distinct_recipes {got['distinct_recipes']}")
if "model_recipes" in check:
    errors.append("model_recipes without --models")

# Every recipe (with --models) is a draw from its arm.
recipes = with_models.get("model_recipes", [])
if len(recipes) != expected_models or len({r["id"] for r in recipes}) != expected_models:
    errors.append(f"{len(recipes)} recipes")
for got, arm in zip(with_models["arms"], arms):
    mine = [r for r in recipes if r["arm"] == arm["name"]]
    if len(mine) != got["models"]:
        errors.append(f"arm {arm['name']}: {len(mine)} recipes")
    if got["constraint_adjusted"] != sum(1 for r in mine if r["notes"]):
        errors.append(f"arm {arm['name']}: constraint_adjusted {got['constraint_adjusted']}")
    for r in mine:
        p = r["parameters"]
        for name, d in arm.get("vary", {}).items():
            kind, value = next(iter(distribution(d).items()))
            x = p[name]
            ok = {"intRange": lambda: value[0] <= x <= value[1] and x == int(x),
                  "choice": lambda: x in value or (name == "num_leaves" and x == 2 ** p["max_depth"] < max(value)),
                  "logUniform": lambda: value[0] <= x < value[1],
                  "uniform": lambda: value[0] <= x < value[1]}[kind]()
            if not ok:
                errors.append(f"{r['id']}: {name} = {x} is not a draw from {d}")
        if "max_depth" in p and p["max_depth"] > 0 and p["num_leaves"] > 2 ** p["max_depth"]:
            errors.append(f"{r['id']}: num_leaves {p['num_leaves']} > 2^{p['max_depth']} (clamp)")
        fraction = arm.get("dropEras", {}).get("fraction", 0)
        if r["dropped_eras"] != min(shape["train_eras"] - 1, half_up(fraction * shape["train_eras"])):
            errors.append(f"{r['id']}: dropped_eras {r['dropped_eras']} of {shape['train_eras']} at fraction {fraction}")
        fraction = arm.get("dropFeatures", {}).get("fraction", 0)
        if r["dropped_features"] != min(shape["features"] - 1, half_up(fraction * shape["features"])):
            errors.append(f"{r['id']}: dropped_features {r['dropped_features']}")
print(json.dumps({"errors": errors}))
