# Oracle of Tests/EndToEndTests/ReplicatedCheckJSONTests.swift; run alone:
# python Tests/Oracles/EndToEndTests/ReplicatedCheckJSONTests-Check.py STUDY.json CHECK.json JOBS
# `workbench run STUDY --check --json` of a replicated study against the study file (Python's
# json) and scikit-learn's TimeSeriesSplit: the one JSON style, one replicate per cell of data
# seeds x study seeds x folds in run order with its label, seeds and plan, each fold's train and
# evaluation era counts as TimeSeriesSplit(n_splits=n, gap=embargo) cuts the T eras, and the
# top-level jobs and memory the largest of the replicates'. Prints {"errors": [...]}.
import json
import sys

import numpy as np
from sklearn.model_selection import TimeSeriesSplit

study_path, check_path, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3])
study = json.load(open(study_path))
text = open(check_path, encoding="utf-8").read()
check = json.loads(text)
errors = []
if text != json.dumps(check, indent=2, sort_keys=True, ensure_ascii=False) + "\n":
    errors.append("not in the one JSON style")

replicates = study["replicates"]
data_seeds = replicates.get("dataSeeds", [None])
study_seeds = replicates.get("studySeeds", [study["seed"]])
folds = replicates.get("splits", {}).get("walkForward")
cells = []
for d in data_seeds:
    for s in study_seeds:
        for f in (range(1, folds + 1) if folds else [None]):
            parts = ([f"data{d}"] if d is not None else []) + ([f"seed{s}"] if "studySeeds" in replicates else []) \
                + ([f"fold{f}of{folds}"] if f else [])
            cells.append((d, s, f, "-".join(parts)))

got = check.get("replicates", [])
if [r["label"] for r in got] != [c[3] for c in cells]:
    errors.append(f"labels {[r['label'] for r in got]} vs {[c[3] for c in cells]}")
models = study["models"] * max(1, len(study.get("arms", [])))
eras = study["data"]["synthetic"]["eras"]
embargo = study.get("evaluation", {}).get("embargoEras", 4)
cuts = list(TimeSeriesSplit(n_splits=folds, gap=embargo).split(np.zeros(eras))) if folds else []
for r, (d, s, f, label) in zip(got, cells):
    if r["data_seed"] != d or r["study_seed"] != s or r["seed"] != s:
        errors.append(f"{label}: seeds {r['data_seed']} {r['study_seed']} {r['seed']}")
    if r["study"] != f"{study['name']}-{label}" or r["models"] != models:
        errors.append(f"{label}: study {r['study']} models {r['models']}")
    if r["jobs"] != min(jobs, models + 1):
        errors.append(f"{label}: jobs {r['jobs']}")
    if not (isinstance(r["memory_bytes"], int) and 0 < r["memory_bytes"] < check["machine_memory_bytes"]):
        errors.append(f"{label}: memory {r['memory_bytes']}")
    if f is None:
        if r["fold"] is not None:
            errors.append(f"{label}: fold {r['fold']}")
        continue
    train, test = cuts[f - 1]
    fold = r["fold"]
    if (fold["index"], fold["of"]) != (f, folds):
        errors.append(f"{label}: fold {fold['index']}/{fold['of']}")
    if fold["train"]["count"] != len(train) or fold["evaluation"]["count"] != len(test):
        errors.append(f"{label}: train {fold['train']['count']} evaluation {fold['evaluation']['count']} eras, "
                      f"TimeSeriesSplit {len(train)} and {len(test)}")
    if r["data"]["train_eras"] != len(train) or r["data"]["eras"] != len(train) + len(test):
        errors.append(f"{label}: data {r['data']}")
if check.get("jobs") != max(r["jobs"] for r in got) or check.get("memory_bytes") != max(r["memory_bytes"] for r in got):
    errors.append(f"top level jobs {check.get('jobs')} memory {check.get('memory_bytes')}")
print(json.dumps({"errors": errors}))
