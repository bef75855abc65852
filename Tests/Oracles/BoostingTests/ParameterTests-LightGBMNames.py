# Oracle of Tests/BoostingTests/ParameterTests.swift (`testLightGBMNamesAreLightGBMsCanonicalNames`);
# run alone: python Tests/Oracles/BoostingTests/ParameterTests-LightGBMNames.py
# LightGBM's own alias table (`_ConfigAliases`, from LGBM_DumpParamAliases): every name and alias → its canonical name.
import json
from lightgbm.basic import _ConfigAliases

aliases = _ConfigAliases._get_all_param_aliases()
print(json.dumps({a: k for k, v in aliases.items() for a in list(v) + [k]}))
