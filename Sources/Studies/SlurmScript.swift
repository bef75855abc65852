import EraData
import Foundation
import Support

/// The Slurm job scripts of a sharded study: a job array with one task per shard
/// (`sbatch --array=0-(N-1)`), a merge job that runs after the whole array
/// (`--dependency=afterany:<array job>`, so it also runs — and lists what is missing — when a
/// shard failed), and a `submit.sh` that submits both. Every path is absolute, so the scripts
/// run from any working directory on any node that sees the same file system.
///
/// Layout under the study directory `DIR`:
/// `DIR/slurm/shards.sbatch`, `DIR/slurm/merge.sbatch`, `DIR/slurm/submit.sh`,
/// `DIR/logs/shard-III-job-<array job>.out`, `DIR/logs/merge-job-<job>.out`.
public struct SlurmScript: Equatable, Sendable {
    public var studyName: String
    public var studyHash: String
    /// Absolute path of the `workbench` binary the jobs run.
    public var workbench: String
    /// Absolute path of the study file.
    public var study: String
    /// Absolute path of the study's output directory.
    public var directory: String
    public var shards: Int
    public var partition: String?
    /// Wall-clock limit in one of Slurm's forms (`M`, `M:S`, `H:M:S`, `D-H`, `D-H:M`, `D-H:M:S`).
    public var time: String?
    /// Memory requested per shard task (`--mem`), in bytes; rendered in whole MiB, rounded up.
    public var memoryBytes: Int
    /// Memory requested by the merge job, in bytes.
    public var mergeMemoryBytes: Int
    /// CPUs per shard task (`--cpus-per-task`); the task trains that many models at once (`--jobs`).
    public var cpusPerTask: Int

    public init(studyName: String, studyHash: String, workbench: String, study: String, directory: String,
                shards: Int, partition: String? = nil, time: String? = nil, memoryBytes: Int,
                mergeMemoryBytes: Int? = nil, cpusPerTask: Int = 1) throws {
        for (label, path) in [("workbench binary", workbench), ("study file", study), ("output directory", directory)] {
            guard path.hasPrefix("/") else { throw StudiesError.slurmPathNotAbsolute(label: label, path: path) }
            // Paths also go into `#SBATCH` lines, where Slurm gives a backslash its own meaning
            // (no % patterns) and a line break ends the option.
            guard !path.contains("\\"), !path.contains("\n"), !path.contains("\r") else {
                throw StudiesError.slurmPathUnsafe(label: label, path: path)
            }
        }
        guard shards >= 1 else { throw StudiesError.shardCountBelowOne(shards) }
        guard cpusPerTask >= 1 else { throw StudiesError.cpusBelowOne(cpusPerTask) }
        guard memoryBytes > 0 else { throw StudiesError.memoryNotPositive }
        if let partition { try Self.validatePartition(partition) }
        if let time { try Self.validateTime(time) }
        self.studyName = studyName
        self.studyHash = studyHash
        self.workbench = workbench
        self.study = study
        self.directory = directory
        self.shards = shards
        self.partition = partition
        self.time = time
        self.memoryBytes = memoryBytes
        self.mergeMemoryBytes = mergeMemoryBytes ?? memoryBytes
        self.cpusPerTask = cpusPerTask
    }

    // MARK: Paths

    public var scriptDirectory: String { directory + "/slurm" }
    public var logDirectory: String { directory + "/logs" }
    public var shardsScriptPath: String { scriptDirectory + "/shards.sbatch" }
    public var mergeScriptPath: String { scriptDirectory + "/merge.sbatch" }
    public var submitScriptPath: String { scriptDirectory + "/submit.sh" }

    /// `--array` value: every shard.
    public var arrayRange: String { shards == 1 ? "0" : "0-\(shards - 1)" }

    // MARK: Scripts

    /// The job-array script: task `SLURM_ARRAY_TASK_ID` trains shard `ID/N`. The shard is passed
    /// explicitly (not read from `SLURM_ARRAY_TASK_COUNT`), so re-submitting a single task with
    /// `sbatch --array=I shards.sbatch` re-runs exactly shard I of N.
    public func shardsScript() -> String {
        jobScript(header: [
            "# Study '\(studyName)' (hash \(studyHash)) in \(shards) shard(s), one Slurm array task each.",
            "# Written by `workbench slurm`. Submit with the merge job: bash \(Self.bashQuoted(submitScriptPath))",
            "# Re-run shard I alone: sbatch --array=I \(Self.bashQuoted(shardsScriptPath))",
            "#SBATCH --job-name=wb-\(studyName)",
            "#SBATCH --array=\(arrayRange)",
        ], memoryBytes: memoryBytes, log: "shard-%3a-job-%A.out", body: [
            ": \"${SLURM_ARRAY_TASK_ID:?submit this script with sbatch: each array task trains one shard}\"",
            "exec \(Self.bashQuoted(workbench)) run \(Self.bashQuoted(study)) --out \(Self.bashQuoted(directory))"
                + " --shard \"${SLURM_ARRAY_TASK_ID}/\(shards)\" --jobs \(cpusPerTask)",
        ])
    }

    /// The merge job: checks and merges the shards, then analyses and reports.
    public func mergeScript() -> String {
        jobScript(header: [
            "# Merges the \(shards) shard(s) of study '\(studyName)' (hash \(studyHash)), then analyses and reports.",
            "# Submitted by submit.sh to run after the whole shard array (afterany): when a shard failed,",
            "# the merge lists it with the command that re-runs it.",
            "#SBATCH --job-name=wb-\(studyName)-merge",
        ], memoryBytes: mergeMemoryBytes, log: "merge-job-%j.out", body: [
            "exec \(Self.bashQuoted(workbench)) merge \(Self.bashQuoted(directory))",
        ])
    }

    /// A job script: the shebang, `header` (comments and job-specific options), the options both
    /// jobs share, the output file `log` (a Slurm filename pattern) in the log directory, strict
    /// bash, then `body`.
    func jobScript(header: [String], memoryBytes: Int, log: String, body: [String]) -> String {
        let lines = ["#!/bin/bash"] + header + commonOptions(memoryBytes: memoryBytes) + [
            "#SBATCH --output=" + Self.sbatchQuoted(Self.slurmPatternEscaped(logDirectory) + "/" + log),
            "set -euo pipefail",
        ] + body
        return lines.joined(separator: "\n") + "\n"
    }

    /// Submits the array, then the merge job depending on it; prints both job ids.
    public func submitScript() -> String {
        """
        #!/bin/bash
        # Submits the shard array of study '\(studyName)', then the merge job that runs after it.
        set -euo pipefail
        array=$(sbatch --parsable \(Self.bashQuoted(shardsScriptPath)))
        array=${array%%;*}
        merge=$(sbatch --parsable --dependency="afterany:$array" \(Self.bashQuoted(mergeScriptPath)))
        merge=${merge%%;*}
        echo "shards: job array $array (\(shards) task(s)); logs in "\(Self.bashQuoted(logDirectory))
        echo "merge:  job $merge, runs after job array $array"

        """
    }

    /// `sbatch` arguments that submit the array.
    public var arraySubmissionArguments: [String] { ["--parsable", shardsScriptPath] }

    /// `sbatch` arguments that submit the merge job after every task of `arrayJob` ended, however.
    public func mergeSubmissionArguments(afterArrayJob arrayJob: String) -> [String] {
        ["--parsable", "--dependency=afterany:\(arrayJob)", mergeScriptPath]
    }

    /// Options shared by both jobs.
    func commonOptions(memoryBytes: Int) -> [String] {
        var lines = [
            "#SBATCH --ntasks=1",
            "#SBATCH --cpus-per-task=\(cpusPerTask)",
            "#SBATCH --mem=\(Self.mebibytes(memoryBytes))M",
        ]
        if let time { lines.append("#SBATCH --time=\(time)") }
        if let partition { lines.append("#SBATCH --partition=\(partition)") }
        lines.append("#SBATCH --chdir=" + Self.sbatchQuoted(directory))
        return lines
    }

    // MARK: Writing

    /// Writes the three scripts into `DIR/slurm/` (each atomically) and creates `DIR/logs/`,
    /// which Slurm needs to exist before a task opens its output file there.
    public func write() throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: scriptDirectory, withIntermediateDirectories: true)
        try fm.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        for (path, text) in [(shardsScriptPath, shardsScript()), (mergeScriptPath, mergeScript()),
                             (submitScriptPath, submitScript())] {
            try writeAtomically(to: path) { temporary in
                try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
                try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: temporary)
            }
        }
    }

    /// Refuses a study directory that already records a different study — in its own
    /// `study.json` (a merged or single-machine run) or in a shard's under `shards/` — the rule
    /// `workbench run` and `merge` apply, checked before any job is queued.
    public static func checkDirectory(_ directory: String, holds spec: StudySpec) throws {
        let root = URL(fileURLWithPath: directory)
        var candidates = [root]
        let shards = root.appendingPathComponent("shards")
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: shards.path)) ?? []).sorted() {
            candidates.append(shards.appendingPathComponent(name))
        }
        for candidate in candidates {
            guard let data = FileManager.default.contents(atPath: candidate.appendingPathComponent("study.json").path) else { continue }
            let recorded = (try? JSONDecoder().decode(StudyRunner.StudyRecordFile.self, from: data))?.hash
            guard recorded == spec.hash else {
                throw StudiesError.slurmOutputOfOtherStudy(candidate.path, recorded: recorded, hash: spec.hash)
            }
        }
    }

    /// The runner's memory estimates (bytes, before headroom) for the largest shard, trained
    /// `jobs` models at once (a shard does not analyse), and for the merge (the analysis of every
    /// model's predictions on `jobs` threads). The benchmark is counted in every shard as a model
    /// to train: whichever shard trains it, none is under-asked. The merge gets the study's plans
    /// alone: `MemoryEstimate` counts the benchmark's predictions itself ((models + 1) columns).
    public static func memoryEstimates(planner: Planner, dataset: Dataset, shards: Int, jobs: Int) throws -> (shard: Int, merge: Int) {
        let plans = planner.plans()
        let benchmark = planner.benchmarkPlan().map { [$0] } ?? []
        let rows = evaluationRows(dataset).count
        var largest = 0
        for index in 0..<shards {
            let mine = planner.models(of: try Shard(index: index, count: shards))
            let shardPlans = plans.filter { mine.contains($0.index) } + benchmark
            largest = max(largest, MemoryEstimate(dataset: dataset, plans: shardPlans, evaluationRows: rows, jobs: jobs,
                                                  analysisThreads: 0, generated: planner.spec.data.isGenerated).peak)
        }
        let merge = MemoryEstimate(dataset: dataset, plans: plans, evaluationRows: rows, jobs: 1,
                                   analysisThreads: jobs, generated: planner.spec.data.isGenerated).peak
        return (largest, merge)
    }

    // MARK: Helpers

    /// Memory to request for a run the runner estimates at `estimate` bytes: half as much again
    /// plus 256 MiB for the process itself (runtime, HDF5, loading buffers), at least 512 MiB.
    /// Measured peak RSS of a shard was 1.3–1.6× the estimate on synthetic data (0.4–0.8 M rows);
    /// Slurm kills a task that exceeds its `--mem`, so the margin errs on the large side.
    public static func requestedMemory(forEstimate estimate: Int) -> Int {
        max(512 << 20, estimate + estimate / 2 + (256 << 20))
    }

    /// Whole MiB, rounded up.
    public static func mebibytes(_ bytes: Int) -> Int { (bytes + (1 << 20) - 1) >> 20 }

    /// Parses a Slurm memory size (`--mem` syntax): an integer with an optional unit K, M, G or T
    /// (powers of 1024; no unit means M). Returns bytes.
    public static func parseMemory(_ text: String) throws -> Int {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var digits = Substring(text.uppercased())
        var unit = 1 << 20
        if let last = digits.last, let u = units[last] {
            unit = u
            digits = digits.dropLast()
        } else if digits.hasSuffix("B"), let u = units[digits.dropLast().last ?? " "] {
            unit = u // "4GB" as people write it
            digits = digits.dropLast(2)
        }
        guard let n = Int(digits), n > 0 else {
            throw StudiesError.badMemory(text)
        }
        let (bytes, overflow) = n.multipliedReportingOverflow(by: unit)
        guard !overflow else { throw StudiesError.memoryTooLarge(text) }
        return bytes
    }

    /// Checks a `--partition` value: one partition name, or several separated by commas.
    public static func validatePartition(_ text: String) throws {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.,".contains($0)) }) else {
            throw StudiesError.badPartition(text)
        }
    }

    /// Checks a `--time` value against Slurm's accepted forms.
    public static func validateTime(_ text: String) throws {
        let fail = StudiesError.badTime(text)
        if ["infinite", "unlimited"].contains(text.lowercased()) { return }
        let dayParts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard dayParts.count <= 2 else { throw fail }
        let clock = dayParts.last!.split(separator: ":", omittingEmptySubsequences: false)
        func number(_ s: Substring) -> Bool { !s.isEmpty && s.allSatisfy(\.isASCII) && s.allSatisfy(\.isNumber) }
        if dayParts.count == 2 {
            guard number(dayParts[0]), (1...3).contains(clock.count) else { throw fail }
        } else {
            guard (1...3).contains(clock.count) else { throw fail }
        }
        guard clock.allSatisfy(number) else { throw fail }
    }

    /// `sbatch --parsable` prints `jobid` or `jobid;cluster`; returns the job id.
    public static func jobID(fromParsable output: String) throws -> String {
        let first = output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
        guard !first.isEmpty, first.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw StudiesError.notAJobID(output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return first
    }

    /// A word for bash: single-quoted, each `'` written as `'\''`.
    public static func bashQuoted(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A value for an `#SBATCH` line: double-quoted, `"` escaped (sbatch's own parsing, not bash's).
    static func sbatchQuoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// A path inside a Slurm filename pattern: a literal `%` is written `%%`.
    static func slurmPatternEscaped(_ s: String) -> String {
        s.replacingOccurrences(of: "%", with: "%%")
    }
}

