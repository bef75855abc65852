import Foundation
import TestSupport
import XCTest

/// A sharded study on a real single-node Slurm (scripts/slurm-local: Debian's slurm-wlm and munge
/// on loopback), merged, must equal the single-machine run bit for bit.
///
/// Needs root and apt (or Slurm already installed): CI runs as root. Without them the test FAILS
/// with the reason — it never skips.
final class SlurmTests: XCTestCase {
    /// The test's own cluster: its state dir and ports differ from a developer's `slurm-local up`.
    static let clusterDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("workbench-slurm-test").path
    static let clusterEnvironment: [String: String] = [
        "SLURM_LOCAL_DIR": clusterDirectory,
        "SLURM_LOCAL_CTLD_PORT": "16827",
        "SLURM_LOCAL_SLURMD_PORT": "16828",
        "SLURM_CONF": clusterDirectory + "/slurm.conf",
    ]
    nonisolated(unsafe) static var clusterProblem: String? = "the cluster was not started"
    static let script = TestSupport.repoRoot.appendingPathComponent("scripts/slurm-local").path

    override class func setUp() {
        super.setUp()
        guard getuid() == 0 else {
            clusterProblem = "the Slurm test needs root (it installs slurm-wlm and munge with apt and starts their daemons); run scripts/test as root, as CI does"
            return
        }
        let haveApt = FileManager.default.isExecutableFile(atPath: "/usr/bin/apt-get")
        let haveSlurm = FileManager.default.isExecutableFile(atPath: "/usr/sbin/slurmctld")
        guard haveApt || haveSlurm else {
            clusterProblem = "the Slurm test needs apt-get to install slurm-wlm and munge (or them installed); neither is available"
            return
        }
        do {
            let up = try TestSupport.run(script, ["up"], environment: clusterEnvironment)
            clusterProblem = up.status == 0 ? nil
                : "scripts/slurm-local up failed (exit \(up.status)):\n\(up.stdout)\n\(up.stderr)"
        } catch {
            clusterProblem = "cannot run scripts/slurm-local: \(error)"
        }
    }

    override class func tearDown() {
        // Always: stops only the daemons `up` started (by pid) and removes the cluster's state.
        _ = try? TestSupport.run(script, ["down"], environment: clusterEnvironment)
        super.tearDown()
    }

    /// A thrown error fails the test (it is not a skip).
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    func requireCluster() throws {
        if let problem = Self.clusterProblem { throw Failure(problem) }
    }

    func testShardedStudyOnSlurmEqualsSingleMachineRun() throws {
        try requireCluster()
        let temp = TestSupport.temporaryDirectory("slurm-e2e")
        defer { try? FileManager.default.removeItem(at: temp) }
        // A space and a quote in the path: the job scripts must quote it for bash and for #SBATCH.
        let sharded = temp.appendingPathComponent("sharded run's out").path
        let single = temp.appendingPathComponent("single").path
        let study = TestSupport.repoRoot.appendingPathComponent("experiments/ci.json").path

        let submitted = try TestSupport.workbench(["slurm", study, "--shards", "3", "--out", sharded, "--submit"],
                                                  environment: Self.clusterEnvironment)
        guard submitted.status == 0,
              let arrayJob = Self.value(after: "array job:", in: submitted.stdout),
              let mergeJob = Self.value(after: "merge job:", in: submitted.stdout) else {
            throw Failure("workbench slurm --submit failed (exit \(submitted.status)):\n\(submitted.stdout)\n\(submitted.stderr)")
        }
        for script in ["shards.sbatch", "merge.sbatch", "submit.sh"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(sharded)/slurm/\(script)"), script)
        }

        // Meanwhile, the same study on one machine.
        let local = try TestSupport.workbench(["run", study, "--out", single, "--quiet"])
        guard local.status == 0 else {
            throw Failure("single-machine run failed (exit \(local.status)):\n\(local.stdout)\n\(local.stderr)")
        }

        try waitForJobs([arrayJob, mergeJob], timeout: 600, logs: sharded + "/logs")
        for task in 0..<3 {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(sharded)/logs/shard-\(String(format: "%03d", task))-job-\(arrayJob).out"),
                          "no log of array task \(task)")
        }
        let state = try jobState(mergeJob)
        guard state == "COMPLETED" else {
            throw Failure("merge job \(mergeJob) ended \(state ?? "in an unknown state"); logs:\n\(Self.logs(sharded + "/logs"))")
        }
        guard FileManager.default.fileExists(atPath: sharded + "/predictions.h5") else {
            throw Failure("the merge job left no predictions.h5; logs:\n\(Self.logs(sharded + "/logs"))")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: sharded + "/metrics.json"),
                      "the merge job must analyse and report like a single run (metrics.json); logs:\n\(Self.logs(sharded + "/logs"))")

        let compared = try TestSupport.python(Self.compareScript, [sharded, single])
        XCTAssertEqual(compared.status, 0, "sharded and single-machine results differ:\n\(compared.stdout)\n\(compared.stderr)")
        XCTAssertTrue(compared.stdout.contains("identical"), compared.stdout + compared.stderr)
    }

    /// Polls `squeue` until none of `jobs` is pending or running (no accounting database needed).
    func waitForJobs(_ jobs: [String], timeout: TimeInterval, logs: String) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let q = try TestSupport.run("/usr/bin/squeue", ["-h", "-o", "%i %T", "-j", jobs.joined(separator: ",")],
                                        environment: Self.clusterEnvironment)
            // A job already purged from the controller makes squeue fail with "Invalid job id": done.
            if q.status != 0 && !q.stderr.contains("Invalid job id") { throw Failure("squeue failed: \(q.stderr)") }
            if q.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return }
            Thread.sleep(forTimeInterval: 1)
        }
        let q = try? TestSupport.run("/usr/bin/squeue", [], environment: Self.clusterEnvironment)
        _ = try? TestSupport.run("/usr/bin/scancel", jobs, environment: Self.clusterEnvironment)
        throw Failure("jobs \(jobs) still queued or running after \(Int(timeout)) s:\n\(q?.stdout ?? "")\nlogs:\n\(Self.logs(logs))")
    }

    /// `JobState` from `scontrol show job` (the controller keeps finished jobs for MinJobAge).
    func jobState(_ job: String) throws -> String? {
        let r = try TestSupport.run("/usr/bin/scontrol", ["show", "job", job], environment: Self.clusterEnvironment)
        return Self.value(after: "JobState=", in: r.stdout)
    }

    /// The word after `key` in `text` (up to a space or line end).
    static func value(after key: String, in text: String) -> String? {
        guard let range = text.range(of: key) else { return nil }
        return text[range.upperBound...].split(whereSeparator: { $0 == " " || $0 == "\n" }).first.map(String.init)
    }

    static func logs(_ directory: String) -> String {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory))?.sorted() ?? []
        return names.map { "--- \($0)\n" + ((try? String(contentsOfFile: directory + "/" + $0, encoding: .utf8)) ?? "") }
            .joined(separator: "\n")
    }

    /// h5py oracle: the stores must be bit-identical in every deterministic dataset; metrics.json
    /// equal in every number (timings excepted).
    static let compareScript = TestSupport.oracleScript("EndToEndTests/SlurmTests-compareScript.py")
}

/// Merge of shard stores without a scheduler: a killed shard is reported and completes on
/// re-run; shards of two different studies are refused.
final class ShardMergeCommandTests: XCTestCase {
    let study = TestSupport.repoRoot.appendingPathComponent("experiments/ci.json").path

    func testKilledShardIsReportedByMergeAndCompletesOnRerun() throws {
        let temp = TestSupport.temporaryDirectory("shard-kill")
        defer { try? FileManager.default.removeItem(at: temp) }
        let out = temp.path
        for shard in [0, 2] {
            let r = try TestSupport.workbench(["run", study, "--shard", "\(shard)/3", "--out", out, "--quiet"])
            XCTAssertEqual(r.status, 0, "shard \(shard): \(r.stderr)")
        }
        // Shard 1 dies by SIGKILL as soon as it has recorded its study (its store has begun).
        let shardDirectory = out + "/shards/shard-001-of-003"
        let process = try TestSupport.startWorkbench(["run", study, "--shard", "1/3", "--out", out, "--quiet"])
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && !FileManager.default.fileExists(atPath: shardDirectory + "/study.json") && Date() < deadline {
            usleep(2_000)
        }
        let killedMidway = process.isRunning
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        print("shard 1 " + (killedMidway ? "was killed mid-run" : "had finished before the kill; its store is deleted instead"))
        if !killedMidway {
            // It finished before the kill landed (a fast machine): lose its store instead.
            try? FileManager.default.removeItem(atPath: shardDirectory)
        }

        let merge = try TestSupport.workbench(["merge", out])
        let text = merge.stdout + merge.stderr
        XCTAssertEqual(merge.status, 1, "merge must fail while shard 1 is incomplete:\n\(text)")
        XCTAssertTrue(text.contains("--shard 1/3"), "merge must give the command that re-runs shard 1:\n\(text)")
        XCTAssertFalse(text.contains("--shard 0/3") || text.contains("--shard 2/3"), "only shard 1 is missing:\n\(text)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/predictions.h5"), "nothing merged while a shard is missing")

        let rerun = try TestSupport.workbench(["run", study, "--shard", "1/3", "--out", out, "--quiet"])
        XCTAssertEqual(rerun.status, 0, "re-run of shard 1: \(rerun.stderr)")
        let merged = try TestSupport.workbench(["merge", out])
        XCTAssertEqual(merged.status, 0, "merge after the re-run:\n\(merged.stdout)\n\(merged.stderr)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/predictions.h5"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/metrics.json"))
    }

    func testMergeRefusesShardsOfDifferentStudies() throws {
        let temp = TestSupport.temporaryDirectory("shard-mix")
        defer { try? FileManager.default.removeItem(at: temp) }
        // Study B: the CI study with another seed (same name, same shard count).
        let original = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: study))) as! [String: Any]
        var changed = original
        changed["seed"] = ((original["seed"] as? Int) ?? 0) + 1
        let studyB = temp.appendingPathComponent("ci-other-seed.json")
        try JSONSerialization.data(withJSONObject: changed, options: [.sortedKeys]).write(to: studyB)

        let a = temp.appendingPathComponent("a").path, b = temp.appendingPathComponent("b").path
        let runA = try TestSupport.workbench(["run", study, "--shard", "0/2", "--out", a, "--quiet"])
        XCTAssertEqual(runA.status, 0, runA.stderr)
        let runB = try TestSupport.workbench(["run", studyB.path, "--shard", "1/2", "--out", b, "--quiet"])
        XCTAssertEqual(runB.status, 0, runB.stderr)
        try FileManager.default.copyItem(atPath: b + "/shards/shard-001-of-002", toPath: a + "/shards/shard-001-of-002")

        let merge = try TestSupport.workbench(["merge", a])
        let text = merge.stdout + merge.stderr
        XCTAssertEqual(merge.status, 1, "merge must refuse shards of two studies:\n\(text)")
        XCTAssertTrue(text.lowercased().contains("study"), "the refusal must say the shards belong to different studies:\n\(text)")
        XCTAssertTrue(text.contains("shard-001-of-002") || text.contains("shard 1"), "the refusal must name the foreign shard:\n\(text)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: a + "/predictions.h5"), "nothing merged")
    }
}

/// `workbench slurm` without a cluster: the scripts it writes, and its errors.
final class SlurmCommandTests: XCTestCase {
    let study = TestSupport.repoRoot.appendingPathComponent("experiments/ci.json").path

    func testWritesScriptsWithTheMemoryEstimateAndPrintsHowToSubmit() throws {
        let temp = TestSupport.temporaryDirectory("slurm-cmd")
        defer { try? FileManager.default.removeItem(at: temp) }
        let out = temp.appendingPathComponent("out").path
        let r = try TestSupport.workbench(["slurm", study, "--shards", "3", "--out", out, "--partition", "long", "--time", "2:00:00",
                                           "--cpus-per-task", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("bash '\(out)/slurm/submit.sh'"), r.stdout)
        let script = try String(contentsOfFile: out + "/slurm/shards.sbatch", encoding: .utf8)
        for line in ["#SBATCH --array=0-2", "#SBATCH --partition=long", "#SBATCH --time=2:00:00", "#SBATCH --cpus-per-task=2",
                     "#SBATCH --job-name=wb-ci"] {
            XCTAssertTrue(script.contains(line + "\n"), "\(line) missing in:\n\(script)")
        }
        // The estimate is filled in: at least the 512 MiB floor, in whole MiB.
        let mem = try XCTUnwrap(script.split(separator: "\n").first { $0.hasPrefix("#SBATCH --mem=") })
        let mib = try XCTUnwrap(Int(mem.dropFirst("#SBATCH --mem=".count).dropLast()), String(mem))
        XCTAssertGreaterThanOrEqual(mib, 512)
        XCTAssertTrue(script.contains("run '\(study)' --out '\(out)' --shard \"${SLURM_ARRAY_TASK_ID}/3\" --jobs 2"), script)
        XCTAssertTrue(script.contains("exec '/"), "the binary's absolute path:\n\(script)")

        let fixed = try TestSupport.workbench(["slurm", study, "--shards", "2", "--out", out, "--mem", "6G"])
        XCTAssertEqual(fixed.status, 0, fixed.stderr)
        XCTAssertTrue(try String(contentsOfFile: out + "/slurm/shards.sbatch", encoding: .utf8).contains("#SBATCH --mem=6144M\n"))
    }

    func testSubmitErrorsCarrySbatchsMessage() throws {
        let temp = TestSupport.temporaryDirectory("slurm-cmd")
        defer { try? FileManager.default.removeItem(at: temp) }
        let out = temp.appendingPathComponent("out").path
        /// `slurm --submit` with PATH = a folder `bin` holding only `sbatch` (the shell script given; none if nil).
        func submit(bin: String, sbatch: String?) throws -> TestSupport.ProcessResult {
            let path = temp.appendingPathComponent(bin).path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            if let sbatch {
                try ("#!/bin/sh\n" + sbatch).write(toFile: path + "/sbatch", atomically: true, encoding: .utf8)
                chmod(path + "/sbatch", 0o755)
            }
            return try TestSupport.workbench(["slurm", study, "--shards", "2", "--out", out, "--submit"], environment: ["PATH": path])
        }
        let missing = try submit(bin: "empty-bin", sbatch: nil)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("sbatch not found"), missing.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/slurm/submit.sh"), "the scripts are written anyway")

        let refused = try submit(bin: "failing-bin",
                                 sbatch: "echo 'sbatch: error: Batch job submission failed: Invalid partition name specified' >&2\nexit 1\n")
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("Invalid partition name specified"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("the shard array"), refused.stderr)

        // The array is accepted, the merge refused: the message says what is queued and how to finish.
        let partial = try submit(bin: "half-bin",
                                 sbatch: "case \"$*\" in *dependency*) echo 'sbatch: error: Job dependency problem' >&2; exit 1;; esac\necho 77\n")
        XCTAssertEqual(partial.status, 1)
        XCTAssertTrue(partial.stderr.contains("Job dependency problem"), partial.stderr)
        XCTAssertTrue(partial.stderr.contains("submitted as job 77"), partial.stderr)
        XCTAssertTrue(partial.stderr.contains("--dependency=afterany:77"), partial.stderr)
    }

    func testUsageErrors() throws {
        let temp = TestSupport.temporaryDirectory("slurm-cmd")
        defer { try? FileManager.default.removeItem(at: temp) }
        let out = temp.appendingPathComponent("out").path
        for (arguments, message) in [(["--shards", "0"], "--shards"), (["--shards", "2", "--mem", "12X"], "--mem"),
                                     (["--shards", "2", "--time", "1:2:3:4"], "--time"), (["--shards", "999"], "models"),
                                     (["--shards", "2", "--partition", "a b"], "--partition")] {
            let r = try TestSupport.workbench(["slurm", study, "--out", out] + arguments)
            XCTAssertEqual(r.status, 2, "\(arguments): usage errors exit 2")
            XCTAssertTrue(r.stderr.contains(message), "\(arguments): \(r.stderr)")
        }
        // A directory of another study is refused before anything is written.
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try #"{"name": "other", "hash": "0badc0de", "study": "{}"}"#.write(toFile: out + "/study.json", atomically: true, encoding: .utf8)
        let r = try TestSupport.workbench(["slurm", study, "--shards", "2", "--out", out])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("different study"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/slurm"))
    }
}
