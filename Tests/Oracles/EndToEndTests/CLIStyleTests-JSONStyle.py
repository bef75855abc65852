# Oracle of Tests/EndToEndTests/CLIStyleTests.swift; run alone: python Tests/Oracles/EndToEndTests/CLIStyleTests-JSONStyle.py ARGS
import json, sys
print(json.dumps(json.loads(sys.argv[1]), indent=2, sort_keys=True))
