# Oracle of Tests/EndToEndTests/MemoryEstimateTests.swift; run alone: python Tests/Oracles/EndToEndTests/MemoryEstimateTests-PeakResidentMemory.py ARGS
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)   # KiB on Linux
