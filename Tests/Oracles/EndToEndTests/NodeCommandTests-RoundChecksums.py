# Oracle of Tests/EndToEndTests/NodeCommandTests.swift (round.json checksums);
# run alone: python Tests/Oracles/EndToEndTests/NodeCommandTests-RoundChecksums.py ROUND_DIR STATE_DIR
# round.json's checksums (byte-wise FNV-1a 64) are those of the files it names, and the bytes the
# fake Numerai server received are the submission files. Prints "ok".
import json
import sys


def fnv(b):
    h = 0xcbf29ce484222325
    for x in b:
        h = ((h ^ x) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return format(h, "016x")


rd, state = sys.argv[1], sys.argv[2]
rec = json.load(open(f"{rd}/round.json"))
subs = {s["modelId"]: s for s in json.load(open(f"{state}/submissions.json"))}
assert rec["live"]["file"]["fnv1a64"] == fnv(open(f"{rd}/{rec['live']['file']['path']}", "rb").read())
for s in rec["stakers"]:
    data = open(f"{rd}/{s['submission']['path']}", "rb").read()
    assert s["submission"]["fnv1a64"] == fnv(data), s["id"]
    assert open(f"{state}/uploads/{subs[s['model_id']]['filename']}", "rb").read() == data, s["id"]
    assert s["upload_filename"] == subs[s["model_id"]]["filename"]
print("ok")
