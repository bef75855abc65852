# Oracle of Tests/TournamentTests/TournamentCommandTests.swift (`testTournamentOnATinyStudy`); run alone: python Tests/Oracles/TournamentTests/TournamentCommandTests-TournamentOnATinyStudy.py ARGS
import sys, numpy as np, pandas as pd
s = pd.read_csv(sys.argv[1])
assert len(s) == 12 * s["era"].nunique(), len(s)
assert np.allclose(s["payout"], np.clip(0.5 * s["corr"] + 2 * s["mmc"], -0.05, 0.05), atol=1e-15)
assert s[["corr", "mmc", "mmc_leave_self_out", "nc"]].notna().all().all()
print("ok")
