# Oracle of Tests/EndToEndTests/EndToEndTests.swift (`testInterruptedRunResumesToTheSameResult`); run alone: python Tests/Oracles/EndToEndTests/EndToEndTests-InterruptedRunResumesToTheSameResult.py ARGS
import h5py, numpy as np, sys
a, b = h5py.File(sys.argv[1]), h5py.File(sys.argv[2])
pa, pb = a['predictions'][...], b['predictions'][...]
assert pa.shape == (24, pb.shape[1]), pa.shape
assert not np.isnan(pa).any()
assert pa.view(np.uint32).tolist() == pb.view(np.uint32).tolist(), 'predictions differ'
assert (a['benchmark/predictions'][...] == b['benchmark/predictions'][...]).all()
assert [s for s in a['models/status'].asstr()] == ['done'] * 24
print('ok')
