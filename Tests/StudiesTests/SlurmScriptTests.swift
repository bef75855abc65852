import EraData
import Foundation
import Studies
import TestSupport
import XCTest

/// The Slurm scripts are checked by running them: bash executes the rendered script with a fake
/// `workbench` (and a fake `sbatch` for submit.sh) that records the arguments it received.
final class SlurmScriptTests: XCTestCase {
    /// A path with every character bash or sbatch would mangle if unquoted.
    static let nasty = "dir with 'quote' \"dq\" $HOME `x` ; & 50% *"

    var temp: URL!
    override func setUp() { temp = TestSupport.temporaryDirectory("slurmscript") }
    override func tearDown() { try? FileManager.default.removeItem(at: temp) }

    func makeScript(shards: Int = 3, partition: String? = "batch", time: String? = "4:00:00",
                    memory: Int = 300_000_000, cpus: Int = 2) throws -> (SlurmScript, String) {
        let base = temp.appendingPathComponent(Self.nasty).path
        try FileManager.default.createDirectory(atPath: base + "/bin", withIntermediateDirectories: true)
        let recorder = base + "/bin/work bench"
        // Records each argument NUL-terminated, then the shard variable it saw.
        try """
        #!/bin/bash
        printf '%s\\0' "$@" > "$(dirname "$0")/args"
        """.write(toFile: recorder, atomically: true, encoding: .utf8)
        chmod(recorder, 0o755)
        let script = try SlurmScript(studyName: "ci", studyHash: "abc123", workbench: recorder,
                                     study: base + "/study's.json", directory: base + "/out",
                                     shards: shards, partition: partition, time: time, memoryBytes: memory,
                                     mergeMemoryBytes: 2 * memory, cpusPerTask: cpus)
        return (script, base)
    }

    func recordedArguments(_ base: String) throws -> [String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: base + "/bin/args"))
        return String(decoding: data, as: UTF8.self).split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    func bash(_ path: String, environment: [String: String] = [:]) throws -> TestSupport.ProcessResult {
        try TestSupport.run("/bin/bash", [path], environment: environment)
    }

    func testShardTaskRunsItsShardWithExactArguments() throws {
        let (script, base) = try makeScript()
        try script.write()
        let r = try bash(script.shardsScriptPath, environment: ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "3"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try recordedArguments(base),
                       ["run", base + "/study's.json", "--out", base + "/out", "--shard", "2/3", "--jobs", "2"])
    }

    func testReRunOfOneTaskKeepsTheShardCount() throws {
        // `sbatch --array=1 shards.sbatch` gives SLURM_ARRAY_TASK_COUNT=1, MIN=1: still shard 1 of 3.
        let (script, base) = try makeScript()
        try script.write()
        let r = try bash(script.shardsScriptPath, environment: [
            "SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "1", "SLURM_ARRAY_TASK_MIN": "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try recordedArguments(base).suffix(4), ["--shard", "1/3", "--jobs", "2"])
    }

    func testShardScriptOutsideAnArrayFailsClearly() throws {
        let (script, base) = try makeScript()
        try script.write()
        var environment = ProcessInfo.processInfo.environment
        environment["SLURM_ARRAY_TASK_ID"] = nil
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script.shardsScriptPath]
        process.environment = environment
        let err = Pipe()
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        XCTAssertNotEqual(process.terminationStatus, 0)
        XCTAssertTrue(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("sbatch"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: base + "/bin/args"), "the binary must not run")
    }

    func testMergeScriptRunsMergeOnTheDirectory() throws {
        let (script, base) = try makeScript()
        try script.write()
        let r = try bash(script.mergeScriptPath)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try recordedArguments(base), ["merge", base + "/out"])
    }

    func testSubmitScriptSubmitsTheMergeAfterTheArray() throws {
        let (script, base) = try makeScript()
        try script.write()
        // A fake sbatch: logs its arguments (one call per line, NUL between arguments), prints a
        // `--parsable` answer with a cluster name.
        let bin = temp.appendingPathComponent("fakebin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let log = temp.appendingPathComponent("sbatch.log").path
        try """
        #!/bin/bash
        n=$(( $(cat '\(log).n' 2>/dev/null || echo 40) + 1 )); echo $n > '\(log).n'
        printf '%s\\0' "$@" >> '\(log)'; echo >> '\(log)'
        echo "$n;cluster"
        """.write(toFile: bin.path + "/sbatch", atomically: true, encoding: .utf8)
        chmod(bin.path + "/sbatch", 0o755)
        let path = bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let r = try bash(script.submitScriptPath, environment: ["PATH": path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let calls = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: "\0").map(String.init)
        }
        XCTAssertEqual(calls, [script.arraySubmissionArguments, script.mergeSubmissionArguments(afterArrayJob: "41")])
        XCTAssertEqual(calls.last, ["--parsable", "--dependency=afterany:41", base + "/out/slurm/merge.sbatch"])
        XCTAssertTrue(r.stdout.contains("job array 41"), r.stdout)
        XCTAssertTrue(r.stdout.contains("job 42, runs after job array 41"), r.stdout)
    }

    func testSbatchOptions() throws {
        let (script, base) = try makeScript()
        let out = base + "/out"
        let text = script.shardsScript()
        let options = text.split(separator: "\n").filter { $0.hasPrefix("#SBATCH ") }.map { String($0.dropFirst(8)) }
        XCTAssertEqual(options, [
            "--job-name=wb-ci",
            "--array=0-2",
            "--ntasks=1",
            "--cpus-per-task=2",
            "--mem=287M", // 300e6 bytes in MiB, rounded up
            "--time=4:00:00",
            "--partition=batch",
            "--chdir=\"" + out.replacingOccurrences(of: "\"", with: "\\\"") + "\"",
            // In a Slurm filename pattern a literal % is %%; sbatch unescapes \" inside "…".
            "--output=\"" + out.replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "%", with: "%%")
                + "/logs/shard-%3a-job-%A.out\"",
        ])
        let merge = script.mergeScript().split(separator: "\n").filter { $0.hasPrefix("#SBATCH ") }
        XCTAssertTrue(merge.contains("#SBATCH --mem=573M"), "merge memory: \(merge)")
        XCTAssertFalse(merge.contains { $0.contains("--array") })
        XCTAssertTrue(merge.contains { $0.hasPrefix("#SBATCH --output=") && $0.hasSuffix("/logs/merge-job-%j.out\"") })
        XCTAssertTrue(text.hasPrefix("#!/bin/bash\n"))
    }

    func testArrayRangeAndOptionalOptions() throws {
        XCTAssertEqual(try makeScript(shards: 1).0.arrayRange, "0")
        XCTAssertEqual(try makeScript(shards: 12).0.arrayRange, "0-11")
        let plain = try makeScript(partition: nil, time: nil).0.shardsScript()
        XCTAssertFalse(plain.contains("--partition"))
        XCTAssertFalse(plain.contains("--time"))
    }

    func testWriteCreatesExecutableScriptsAndLogDirectory() throws {
        let (script, _) = try makeScript()
        try script.write()
        for path in [script.shardsScriptPath, script.mergeScriptPath, script.submitScriptPath] {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o755, path)
        }
        var isDirectory: ObjCBool = false
        XCTAssertTrue(FileManager.default.fileExists(atPath: script.logDirectory, isDirectory: &isDirectory) && isDirectory.boolValue)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: script.scriptDirectory).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [], "no temporary files left")
    }

    func testInvalidInputsAreRefused() throws {
        func refuse(_ message: String, _ make: () throws -> SlurmScript) {
            XCTAssertThrowsError(try make()) { error in
                XCTAssertTrue("\(error)".contains(message), "\(error)")
            }
        }
        func script(workbench: String = "/bin/wb", directory: String = "/tmp/out", shards: Int = 2,
                    partition: String? = nil, time: String? = nil, cpus: Int = 1) throws -> SlurmScript {
            try SlurmScript(studyName: "s", studyHash: "h", workbench: workbench, study: "/s.json", directory: directory,
                            shards: shards, partition: partition, time: time, memoryBytes: 1 << 30, cpusPerTask: cpus)
        }
        refuse("must be absolute") { try script(directory: "results/out") }
        refuse("must be absolute") { try script(workbench: "workbench") }
        refuse("backslash") { try script(directory: "/tmp/a\\b") }
        refuse("line break") { try script(directory: "/tmp/a\nb") }
        refuse("--shards") { try script(shards: 0) }
        refuse("--cpus-per-task") { try script(cpus: 0) }
        refuse("--partition") { try script(partition: "a b") }
        refuse("--partition") { try script(partition: "x\n#SBATCH --mem=1") }
        refuse("--time") { try script(time: "1:2:3:4") }
        XCTAssertNoThrow(try script(partition: "gpu,cpu-long", time: "2-12:30"))
    }

    func testMemoryParsing() throws {
        XCTAssertEqual(try SlurmScript.parseMemory("4096"), 4096 << 20)
        XCTAssertEqual(try SlurmScript.parseMemory("4000M"), 4000 << 20)
        XCTAssertEqual(try SlurmScript.parseMemory("16G"), 16 << 30)
        XCTAssertEqual(try SlurmScript.parseMemory("16g"), 16 << 30)
        XCTAssertEqual(try SlurmScript.parseMemory("16GB"), 16 << 30)
        XCTAssertEqual(try SlurmScript.parseMemory("512K"), 512 << 10)
        XCTAssertEqual(try SlurmScript.parseMemory("1T"), 1 << 40)
        for bad in ["", "G", "1.5G", "-1G", "0", "12X", "lots"] {
            XCTAssertThrowsError(try SlurmScript.parseMemory(bad), bad)
        }
        XCTAssertEqual(SlurmScript.mebibytes(1), 1)
        XCTAssertEqual(SlurmScript.mebibytes(1 << 20), 1)
        XCTAssertEqual(SlurmScript.mebibytes((1 << 20) + 1), 2)
        XCTAssertEqual(SlurmScript.requestedMemory(forEstimate: 0), 512 << 20)
        XCTAssertEqual(SlurmScript.requestedMemory(forEstimate: 4 << 30), (6 << 30) + (256 << 20))
    }

    func testTimeValidation() {
        for good in ["90", "10:00", "4:00:00", "2-12", "2-12:30", "2-12:30:00", "infinite", "UNLIMITED"] {
            XCTAssertNoThrow(try SlurmScript.validateTime(good), good)
        }
        for bad in ["", "1:2:3:4", "abc", "-5", "1-", "1-2-3", "2-1:2:3:4", "4h", "1::0", "١٢"] {
            XCTAssertThrowsError(try SlurmScript.validateTime(bad), bad)
        }
    }

    func testParsableJobID() throws {
        XCTAssertEqual(try SlurmScript.jobID(fromParsable: "123\n"), "123")
        XCTAssertEqual(try SlurmScript.jobID(fromParsable: "4567;cluster\n"), "4567")
        XCTAssertThrowsError(try SlurmScript.jobID(fromParsable: "Submitted batch job 12"))
        XCTAssertThrowsError(try SlurmScript.jobID(fromParsable: ""))
    }

    func testBashQuoting() throws {
        // Round trip through bash: the quoted word comes back unchanged.
        let word = Self.nasty + " \\ \n tab\t!"
        let r = try TestSupport.run("/bin/bash", ["-c", "printf '%s' " + SlurmScript.bashQuoted(word)])
        XCTAssertEqual(r.stdout, word)
    }

    func testDirectoryOfAnotherStudyIsRefused() throws {
        let spec = try StudySpec.parse(Data("""
        {"name": "x", "data": {"synthetic": {"eras": 20, "rowsPerEra": 50}}, "seed": 1, "models": 2,
         "fixed": {"n_estimators": 5}}
        """.utf8))
        let dir = temp.appendingPathComponent("out").path
        XCTAssertNoThrow(try SlurmScript.checkDirectory(dir, holds: spec), "a missing directory is fine")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try #"{"name": "x", "hash": "\#(spec.hash)", "study": "{}"}"#.write(toFile: dir + "/study.json", atomically: true, encoding: .utf8)
        XCTAssertNoThrow(try SlurmScript.checkDirectory(dir, holds: spec))
        try #"{"name": "x", "hash": "0123abcd", "study": "{}"}"#.write(toFile: dir + "/study.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try SlurmScript.checkDirectory(dir, holds: spec)) { error in
            XCTAssertTrue("\(error)".contains("different study"), "\(error)")
            XCTAssertTrue("\(error)".contains("0123abcd"), "\(error)")
        }
        // A shard of another study under shards/ is refused as well.
        try #"{"name": "x", "hash": "\#(spec.hash)", "study": "{}"}"#.write(toFile: dir + "/study.json", atomically: true, encoding: .utf8)
        let shard = dir + "/shards/shard-001-of-002"
        try FileManager.default.createDirectory(atPath: shard, withIntermediateDirectories: true)
        try #"{"name": "x", "hash": "\#(spec.hash)", "study": "{}"}"#.write(toFile: shard + "/study.json", atomically: true, encoding: .utf8)
        XCTAssertNoThrow(try SlurmScript.checkDirectory(dir, holds: spec))
        try #"{"name": "y", "hash": "feedf00d", "study": "{}"}"#.write(toFile: shard + "/study.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try SlurmScript.checkDirectory(dir, holds: spec)) { error in
            XCTAssertTrue("\(error)".contains("shard-001-of-002"), "\(error)")
            XCTAssertTrue("\(error)".contains("feedf00d"), "\(error)")
        }
    }

    func testMemoryEstimatesCoverEveryShard() throws {
        let spec = try StudySpec.parse(Data("""
        {"name": "mem", "data": {"synthetic": {"eras": 30, "rowsPerEra": 100}}, "seed": 5, "models": 7,
         "fixed": {"n_estimators": 10}, "vary": {"num_leaves": {"intRange": [4, 31]}}}
        """.utf8))
        let dataset = try spec.data.load()
        let planner = try Planner(spec: spec, dataset: dataset)
        let plans = planner.plans()
        let rows = evaluationRows(dataset).count
        let (largest, merge) = try SlurmScript.memoryEstimates(planner: planner, dataset: dataset, shards: 3, jobs: 2)
        let benchmark = planner.benchmarkPlan().map { [$0] } ?? []
        var perShard: [MemoryEstimate] = []
        for i in 0..<3 {
            let mine = planner.models(of: try Shard(index: i, count: 3))
            perShard.append(MemoryEstimate(dataset: dataset, plans: plans.filter { mine.contains($0.index) } + benchmark,
                                           evaluationRows: rows, jobs: 2, analysisThreads: 0))
        }
        // A shard trains and stores; only the merge analyses.
        XCTAssertEqual(perShard.map(\.analysis), [0, 0, 0])
        XCTAssertEqual(largest, perShard.map(\.peak).max())
        let merged = MemoryEstimate(dataset: dataset, plans: plans, evaluationRows: rows, jobs: 1, analysisThreads: 2)
        XCTAssertEqual(merge, merged.peak)
        XCTAssertEqual(merge, merged.analysis, "the merge's peak is its analysis")
        XCTAssertGreaterThan(largest, dataset.rowCount * dataset.featureCount, "at least the shared feature matrix")
    }

    /// The merge analyses the 7 models' predictions and the benchmark's: (7 + 1) prediction
    /// columns in the formula of `MemoryEstimate` — the benchmark counted once, not twice.
    func testMergeEstimateCountsTheBenchmarkOnce() throws {
        let spec = try StudySpec.parse(Data("""
        {"name": "mem", "data": {"synthetic": {"eras": 30, "rowsPerEra": 100}}, "seed": 5, "models": 7,
         "fixed": {"n_estimators": 10}}
        """.utf8))
        let dataset = try spec.data.load()
        let planner = try Planner(spec: spec, dataset: dataset)
        XCTAssertNotNil(planner.benchmarkPlan())
        let (_, merge) = try SlurmScript.memoryEstimates(planner: planner, dataset: dataset, shards: 3, jobs: 2)
        // loading (generated data) + 26 MB + (models + 1)·evaluation rows·24 + threads·per-era feature scores.
        let rows = dataset.rowCount, f = dataset.featureCount, evaluation = evaluationRows(dataset)
        let loading = 44_000_000 + rows * f * 6 / 5 + rows * (4 * dataset.targetNames.count + 182)
        var eraSizes: [Int32: Int] = [:]
        for r in evaluation { eraSizes[dataset.eraOfRow[Int(r)], default: 0] += 1 }
        let perThread = 13 * eraSizes.values.max()! * (f + 1) + 8 * (f + 1) * (f + 1)
        let expected = loading + 26_000_000 + (7 + 1) * evaluation.count * 24 + min(2, eraSizes.count) * perThread
        XCTAssertEqual(merge, expected, "one model too many adds \(evaluation.count * 24) bytes")
    }
}
