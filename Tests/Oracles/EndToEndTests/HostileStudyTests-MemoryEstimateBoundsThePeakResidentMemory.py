# Oracle of Tests/EndToEndTests/HostileStudyTests.swift (`testMemoryEstimateBoundsThePeakResidentMemory`); run alone: python Tests/Oracles/EndToEndTests/HostileStudyTests-MemoryEstimateBoundsThePeakResidentMemory.py ARGS
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1000)
