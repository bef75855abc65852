# Oracle of Tests/EndToEndTests/EndToEndTests.swift (`testStudyOnANumeraiParquetDirectory`); run alone: python Tests/Oracles/EndToEndTests/EndToEndTests-StudyOnANumeraiParquetDirectory.py ARGS
import json, os, sys, numpy as np, pandas as pd
d = sys.argv[1]; os.makedirs(d)
rng = np.random.default_rng(0)
def frame(eras, kind):
    rows = []
    for e in eras:
        n = 120
        X = rng.integers(0, 5, size=(n, 12)).astype('int8')
        signal = X[:, 0].astype(float) - X[:, 3] + rng.normal(0, 2, n)
        t = pd.qcut(pd.Series(signal).rank(method='first'), [0, .05, .25, .75, .95, 1], labels=False) / 4
        df = pd.DataFrame(X, columns=[f'feature_{i:02d}' for i in range(12)])
        df['era'] = f'{e:04d}'; df['data_type'] = kind; df['target'] = t.astype('float32')
        df['target_aux'] = np.where(rng.random(n) < .1, np.nan, t).astype('float32')
        df.index = [f'id{e}_{i}' for i in range(n)]; rows.append(df)
    out = pd.concat(rows); out.index.name = 'id'; return out
frame(range(1, 31), 'train').to_parquet(f'{d}/train.parquet')
frame(range(35, 51), 'validation').to_parquet(f'{d}/validation.parquet')
json.dump({'feature_sets': {'small': [f'feature_{i:02d}' for i in range(6)], 'all': [f'feature_{i:02d}' for i in range(12)]},
           'targets': ['target', 'target_aux']}, open(f'{d}/features.json', 'w'))
print('ok')
