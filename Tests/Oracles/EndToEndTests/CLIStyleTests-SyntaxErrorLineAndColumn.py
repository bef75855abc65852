# Oracle of Tests/EndToEndTests/CLIStyleTests.swift; run alone: python Tests/Oracles/EndToEndTests/CLIStyleTests-SyntaxErrorLineAndColumn.py ARGS
import json, sys
try:
    json.loads(open(sys.argv[1]).read())
except json.JSONDecodeError as e:
    print(e.lineno, e.colno)
