# Oracle of Tests/EndToEndTests/MineCommandTests.swift (`testMineWritesAFarmThatExtendsAndSubmissionsLightGBMReproduces`); run alone: python Tests/Oracles/EndToEndTests/MineCommandTests-MineWritesAFarmThatExtendsAndSubmissionsLightGBMReproduces.py ARGS
import sys, h5py, numpy as np, pandas as pd, lightgbm as lgb
f = h5py.File(sys.argv[1], "r")
names = f["split_names"][()] if "split_names" in f else f.attrs["split_names"]
names = (names.decode() if isinstance(names, bytes) else str(names)).split(",")
live = np.where(f["split_of_row"][:] == names.index("live"))[0]
x = f["features"][:][:, live].T.astype(np.float64)
ids = [s.decode() if isinstance(s, bytes) else s for s in f["ids"][:][live]]
for staker in sys.argv[3:]:
    sub = pd.read_csv(f"{sys.argv[2]}/stakers/{staker}/live.csv")
    assert list(sub.columns) == ["id", "prediction"], sub.columns
    assert list(sub["id"]) == ids, staker
    assert sub["prediction"].between(0, 1, inclusive="neither").all()
    p = lgb.Booster(model_file=f"{sys.argv[2]}/stakers/{staker}/model.txt").predict(x)
    ranked = (pd.Series(p).rank(method="average").to_numpy() - 0.5) / len(p)
    assert np.allclose(ranked, sub["prediction"].to_numpy(), atol=1e-9), staker
print("ok", len(ids))
