# Oracle of Tests/EndToEndTests/ResultsDataCommandTests.swift (`testReadmeSnippetReadsPredictionsIntoPandasAndMatchesModelsCSV`);
# run alone: python Tests/Oracles/EndToEndTests/ResultsDataCommandTests-ReadmeSnippet.py README.md STUDY_DIR
# Runs README's tested h5py → pandas block verbatim (its study path pointed at STUDY_DIR), then
# checks what it computed: numerai-tools' per-era corr means equal models.csv's test_corr_mean,
# per_era.csv has its columns, and the frame has validation rows in the test part.
import json
import sys

readme, study_dir = sys.argv[1], sys.argv[2]
marker = "<!-- tested: Tests/EndToEndTests/ResultsDataCommandTests.swift runs this block -->\n```python\n"
text = open(readme, encoding="utf-8").read()
start = text.index(marker) + len(marker)
snippet = text[start:text.index("\n```", start)]
errors = []
if 'study = "results/quickstart"' not in snippet:
    errors.append("the README block no longer sets study = \"results/quickstart\"")
scope = {}
exec(snippet.replace('study = "results/quickstart"', "study = " + json.dumps(study_dir)), scope)
per_era, table, eras, df = scope["per_era"], scope["table"], scope["eras"], scope["df"]

got = per_era.mean()
ours = table.set_index("id")["test_corr_mean"]
if sorted(got.index) != sorted(ours.index):
    errors.append(f"models {sorted(got.index)} vs {sorted(ours.index)}")
for mid in ours.index:
    a, b = float(got[mid]), float(ours[mid])
    if not abs(a - b) <= 1e-10 * max(abs(a), abs(b), 1e-12):
        errors.append(f"{mid}: numerai-tools {a} vs models.csv {b}")
if set(eras.columns) != {"model", "era", "part", "corr", "bmc"}:
    errors.append(f"per_era.csv columns {list(eras.columns)}")
if not (df["split"] == "validation").any() or df["part"].eq("test").sum() == 0:
    errors.append("no validation/test rows in the frame")
print(json.dumps({"errors": errors}))
