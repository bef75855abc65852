import ArgumentParser
import EraData
import Foundation
import Studies

struct SlurmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm",
        abstract: "Run a study on Slurm: a job array of shards, then a merge job.",
        discussion: """
        Writes DIR/slurm/shards.sbatch (sbatch --array=0-(N-1), one shard per task: \
        `workbench run STUDY --shard I/N --out DIR`), DIR/slurm/merge.sbatch (`workbench merge DIR`, \
        submitted with --dependency=afterany on the array) and DIR/slurm/submit.sh, which submits both. \
        Task logs go to DIR/logs/. Unless --mem is given, each task asks for the runner's memory \
        estimate of the largest shard plus headroom (this loads the study's data once, here). \
        DIR must be on a file system every node sees. With --submit, the scripts are submitted \
        at once and both job ids printed.
        """
    )

    @Argument(help: "The study file (JSON).")
    var study: String

    @Option(parsing: .unconditional, help: "Number of shards (array tasks).")
    var shards: Int

    @Option(help: "Slurm partition (default: the cluster's default partition).")
    var partition: String?

    @Option(help: "Wall-clock limit per task, in Slurm's form (e.g. 90, 4:00:00, 2-12).")
    var time: String?

    @Option(help: "Memory per task, e.g. 16G or 4000M (default: the estimate for the largest shard).")
    var mem: String?

    @Option(parsing: .unconditional, help: "CPUs per task; each task trains that many models at once.")
    var cpusPerTask = 1

    @Option(name: [.customShort("o"), .long], help: "Output directory (default: results/<study name>).")
    var out: String?

    @Flag(help: "Submit the array and the merge job with sbatch.")
    var submit = false

    func validate() throws {
        if shards < 1 { throw ValidationError("--shards must be ≥ 1") }
        if cpusPerTask < 1 { throw ValidationError("--cpus-per-task must be ≥ 1") }
        do {
            if let mem { _ = try SlurmScript.parseMemory(mem) }
            if let time { try SlurmScript.validateTime(time) }
            if let partition { try SlurmScript.validatePartition(partition) }
        } catch let error as StudiesError {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        let spec: StudySpec
        spec = try StudySpec.load(study)
        guard shards <= spec.modelCount else {
            throw WorkbenchError.tooManyShards(shards, models: spec.modelCount)
        }
        let directory = absolutePath(out ?? "results/\(spec.name)")
        try SlurmScript.checkDirectory(directory, holds: spec)
        let (shardBytes, mergeBytes, source) = try memoryRequests(spec)
        let script = try SlurmScript(
            studyName: spec.name, studyHash: spec.hash, workbench: Self.executablePath(), study: absolutePath(study),
            directory: directory, shards: shards, partition: partition, time: time,
            memoryBytes: shardBytes, mergeMemoryBytes: mergeBytes, cpusPerTask: cpusPerTask)
        try script.write()
        print("wrote \(script.shardsScriptPath): \(shards) shard(s) as array \(script.arrayRange), "
              + "\(cpusPerTask) CPU(s) and \(SlurmScript.mebibytes(shardBytes))M each (\(source))")
        print("      \(script.mergeScriptPath): \(SlurmScript.mebibytes(mergeBytes))M, runs after the array")
        print("      \(script.submitScriptPath)")
        guard submit else {
            print("submit with:  bash \(SlurmScript.bashQuoted(script.submitScriptPath))")
            print("   which runs: sbatch --parsable \(SlurmScript.bashQuoted(script.shardsScriptPath))")
            print("               sbatch --dependency=afterany:<array job id> \(SlurmScript.bashQuoted(script.mergeScriptPath))")
            return
        }
        let sbatch = try Self.findSbatch()
        let arrayJob = try Self.sbatch(sbatch, script.arraySubmissionArguments, what: "the shard array")
        let mergeJob: String
        do {
            mergeJob = try Self.sbatch(sbatch, script.mergeSubmissionArguments(afterArrayJob: arrayJob), what: "the merge job")
        } catch let error as WorkbenchError {
            throw WorkbenchError.mergeNotSubmitted(error.description, arrayJob: "\(arrayJob)",
                                                   mergeCommand: "sbatch --dependency=afterany:\(arrayJob) \(SlurmScript.bashQuoted(script.mergeScriptPath))")
        }
        print("submitted: shard array job \(arrayJob) (tasks \(script.arrayRange)), merge job \(mergeJob) (after \(arrayJob))")
        print("logs: \(script.logDirectory); results: \(directory)/predictions.h5 once job \(mergeJob) has run")
        print("array job: \(arrayJob)")
        print("merge job: \(mergeJob)")
    }

    /// Per-task and merge memory in bytes, and where the figure comes from.
    func memoryRequests(_ spec: StudySpec) throws -> (Int, Int, String) {
        if let mem {
            let bytes = try SlurmScript.parseMemory(mem)
            return (bytes, bytes, "--mem")
        }
        let dataset = try spec.loadData()
        let planner = try Planner(spec: spec, dataset: dataset)
        let estimate = try SlurmScript.memoryEstimates(planner: planner, dataset: dataset, shards: shards, jobs: cpusPerTask)
        return (SlurmScript.requestedMemory(forEstimate: estimate.shard), SlurmScript.requestedMemory(forEstimate: estimate.merge),
                "estimate \(SlurmScript.mebibytes(estimate.shard))M for the largest shard, plus headroom")
    }

    func absolutePath(_ path: String) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path)
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path)
        return url.standardizedFileURL.path
    }

    /// This binary's absolute path: the jobs run the same build.
    static func executablePath() throws -> String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"), path.hasPrefix("/") {
            return path
        }
        let argument = CommandLine.arguments[0]
        if argument.contains("/") {
            return URL(fileURLWithPath: argument, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
                .standardizedFileURL.path
        }
        if let found = searchPath(argument) { return found }
        throw WorkbenchError.noBinaryPath(argument)
    }

    static func searchPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func findSbatch() throws -> String {
        guard let sbatch = searchPath("sbatch") else {
            throw WorkbenchError.sbatchNotFound
        }
        return sbatch
    }

    /// Runs `sbatch ARGS`, returns the job id it printed; a failure carries sbatch's own message.
    static func sbatch(_ executable: String, _ arguments: [String], what: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch {
            throw WorkbenchError.cannotStart(executable, reason: error.localizedDescription)
        }
        // sbatch prints little; read stderr on the side so neither pipe can fill and block it.
        final class Box: @unchecked Sendable { var data = Data() }
        let errBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBox.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        group.wait()
        let stderr = String(decoding: errBox.data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0 else {
            let command = ([executable] + arguments).map(SlurmScript.bashQuoted).joined(separator: " ")
            throw WorkbenchError.sbatchFailed(what: what, exitCode: process.terminationStatus, message: stderr, command: command)
        }
        do { return try SlurmScript.jobID(fromParsable: stdout) } catch let error as StudiesError {
            throw WorkbenchError.submitting(what: what, reason: error.description)
        }
    }
}
