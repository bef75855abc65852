# Oracle of Tests/ReportsTests/ReportSummaryTests.swift (`testChartCSVsHoldTheChartedNumbers`); run alone: python Tests/Oracles/ReportsTests/ReportSummaryTests-ChartCSVsHoldTheChartedNumbers.py ARGS
import sys, json, glob, os
import pandas as pd
out = {}
for path in sorted(glob.glob(os.path.join(sys.argv[1], '*.csv'))):
    # Strings as written (era names like 0001 stay text); numbers are parsed in Swift.
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    out[os.path.basename(path)] = {c: list(df[c]) for c in df.columns}
print(json.dumps(out))
