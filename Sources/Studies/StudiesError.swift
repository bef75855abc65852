import Foundation
import Support

/// The one error of the Studies module; every text it shows is composed in `description` (a
/// study-file problem's message is the parser's complaint, written at its check, next to the path).
/// Only a study-file error (`studyFile`) names a JSON path (`FILE: $.arms[1].vary.x: …`); the
/// others are failures of running, resuming or merging a study that are not about the file's JSON:
/// outputs that cannot safely be written, Slurm scripts that cannot be written as asked, shards and
/// runs that do not fit, a bad `--shard`.
public enum StudiesError: Error, Equatable, CustomStringConvertible {
    /// The study (or tournament) file is wrong at a JSON path, with its further problems.
    case studyFile(StudyFileProblem)
    /// `merge` found shards missing, unfinished or failed: which, why, and how to finish them.
    case incompleteShards(IncompleteShards)
    /// A study (or tournament) file that does not exist or cannot be read.
    case unreadableFile(String)
    /// `DIR/study.json` exists but workbench did not write it; nothing is removed.
    case foreignStudyRecord(file: String, directory: String)
    /// The output directory holds another study (different hash).
    case differentStudy(directory: String, stored: String, study: String)
    /// The output directory's models were trained on other data (different fingerprint).
    case dataChanged(directory: String, stored: String, now: String)
    /// `DIR/study.json` is missing.
    case noStudyRecord(file: String)
    /// `DIR/study.json` does not decode.
    case unreadableStudyRecord(file: String, reason: String)
    /// `DIR/pruning.json` records other pruning settings than the study's.
    case otherPruningSettings(file: String)
    /// A plan names a target the dataset does not have.
    case unknownTarget(String)
    /// The memory estimate exceeds what the machine has (bytes).
    case notEnoughMemory(needed: Int, available: Int)
    /// A pruned study's runner was given no selection-era scorer (`StudyRunner.selectionScore`).
    case pruningWithoutSelectionScore
    /// `DIR/shards` is missing or unreadable.
    case noShards(root: String, directory: String)
    /// `DIR/shards` holds no `shard-I-of-N` directory.
    case noShardDirectories(root: String)
    /// Shard directories of different splits.
    case mixedShardCounts(root: String, counts: [Int])
    /// No shard got as far as recording its study.
    case noRecordedShard(shards: String)
    /// Two shards hold different studies.
    case shardsDisagree(shard: Int, name: String, hash: String, firstShard: Int, firstName: String, firstHash: String)
    /// A shard holds another study than the one being merged.
    case shardOfOtherStudy(shard: Int, name: String, hash: String, studyName: String, studyHash: String)
    /// A shard was trained on other data than the data now.
    case shardOnOtherData(shard: Int, trainedOn: String, now: String)
    /// A shard stored a model assigned to another shard.
    case modelInWrongShard(shard: Int, model: String, owner: Int)
    /// Two shards stored the same model.
    case modelStoredTwice(model: String, first: Int, second: Int)

    // A shard that cannot be run as asked (`Shard`): a bad `--shard I/N` or array-job environment.
    case shardNotIOfN(String)
    case shardCountNotPositive
    case shardIndexOutside(index: Int, count: Int)
    /// An array-job environment variable that is not an integer.
    case environmentNotAnInteger(variable: String, value: String)
    case slurmTaskCountMissing
    /// An array-job index variable is set without `WORKBENCH_SHARD_COUNT`.
    case shardCountNotInEnvironment(indexVariable: String)

    // Outputs that cannot safely be written (`DirectoryLock`, `OutputPath`).
    case outputIsAFile(String)
    case cannotCreateOutput(String)
    case cannotOpenLock(String, reason: String)
    case directoryBusy(String, command: String)
    case outputIsInput(flag: String, output: String, input: String)
    case outputInsideInput(flag: String, output: String, input: String)

    // Slurm scripts that cannot be written as asked (`SlurmScript`).
    case slurmPathNotAbsolute(label: String, path: String)
    case slurmPathUnsafe(label: String, path: String)
    case shardCountBelowOne(Int)
    case cpusBelowOne(Int)
    case memoryNotPositive
    case slurmOutputOfOtherStudy(String, recorded: String?, hash: String)
    case badMemory(String)
    case memoryTooLarge(String)
    case badPartition(String)
    case badTime(String)
    case notAJobID(String)

    /// A study-file error at a JSON path (`$.arms[1].models`), with an optional did-you-mean.
    public static func at(_ path: String, _ message: String, suggestion: String? = nil) -> StudiesError {
        .studyFile(StudyFileProblem(path: path, message: message, suggestion: suggestion))
    }

    /// The study-file problem this error is, if it is one.
    public var studyFileProblem: StudyFileProblem? {
        if case let .studyFile(problem) = self { return problem }
        return nil
    }

    /// A study-file error named by its file (and its further problems too); other errors unchanged,
    /// and so is a study-file error that already names one.
    public func inFile(_ file: String) -> StudiesError {
        guard case var .studyFile(problem) = self, problem.file == nil else { return self }
        problem.file = file
        problem.others = problem.others.map { var other = $0; other.file = file; return other }
        return .studyFile(problem)
    }

    public var description: String {
        switch self {
        case let .studyFile(problem):
            let file = problem.file.map { "\($0): " } ?? ""
            guard !problem.others.isEmpty else { return file + problem.located }
            // Several problems: a header naming the file, then one located problem a line.
            return file + "\(problem.others.count + 1) problems\n"
                + ([problem] + problem.others).map { "  " + $0.located }.joined(separator: "\n")
        case let .incompleteShards(shards):
            var lines = ["\(shards.problems.count) of \(shards.shardCount) shard(s) missing or incomplete:"]
            lines += shards.problems.map { "  shard \($0.shard): \($0.state)" }
            lines.append("re-run them (each resumes what it stored):")
            lines += shards.problems.map { "  " + IncompleteShards.rerunCommand(study: shards.study, shard: $0.shard, of: shards.shardCount, directory: shards.directory) }
            if let slurm = shards.slurmScript {
                lines.append("or on Slurm: sbatch --array=\(shards.problems.map { String($0.shard) }.joined(separator: ",")) \(shellQuote(slurm)), then workbench merge again")
            }
            return lines.joined(separator: "\n")
        case let .unreadableFile(path): return "\(path): cannot read the file"
        case let .foreignStudyRecord(file, directory):
            return "\(file) is not a study record written by workbench, so \(directory) is not a study output directory; choose another --out (nothing was removed)"
        case let .differentStudy(directory, stored, study): return "\(directory) holds results of a different study (hash \(stored), this study \(study)); use --force to replace them or choose another --out"
        case let .dataChanged(directory, stored, now):
            return "the data changed since the models in \(directory) were trained (data fingerprint \(stored), now \(now)); resuming would mix models of old and new data. Restore the data, choose another --out, or use --force to discard the stored models and train again"
        case let .noStudyRecord(file): return "\(file): no such file (not a study directory)"
        case let .unreadableStudyRecord(file, reason): return "\(file): not a study record (\(reason))"
        case let .otherPruningSettings(file): return "\(file) records other pruning settings; use --force to train again"
        case let .unknownTarget(target): return "unknown target '\(target)'"
        case .pruningWithoutSelectionScore:
            return "successive halving needs the selection-era scorer (StudyRunner.selectionScore, from StudyPipeline.selectionScore)"
        case let .notEnoughMemory(needed, available):
            return String(format: "the study needs about %.1f GB of memory but this machine has %.1f GB; use fewer --jobs, fewer models or a smaller dataset",
                          Double(needed) / 1e9, Double(available) / 1e9)
        case let .noShards(root, directory): return "\(root): no shards here (run `workbench run STUDY --shard I/N --out \(directory)` first)"
        case let .noShardDirectories(root): return "\(root): no shard directories"
        case let .mixedShardCounts(root, counts): return "\(root) mixes shard counts \(counts); keep the shards of one split"
        case let .noRecordedShard(shards): return "\(shards): no shard has recorded its study yet; run the shards first"
        case let .shardsDisagree(shard, name, hash, firstShard, firstName, firstHash):
            return "shard \(shard) holds study '\(name)' (hash \(hash)) but shard \(firstShard) holds '\(firstName)' (hash \(firstHash)): shards of different studies cannot be merged"
        case let .shardOfOtherStudy(shard, name, hash, studyName, studyHash):
            return "shard \(shard) holds study '\(name)' (hash \(hash)), not '\(studyName)' (hash \(studyHash)): shards of different studies cannot be merged"
        case let .shardOnOtherData(shard, trainedOn, now): return "shard \(shard) was trained on other data (data fingerprint \(trainedOn), the data now \(now)): restore the data, or re-run that shard with --force"
        case let .modelInWrongShard(shard, model, owner):
            return "shard \(shard) stored model \(model), which belongs to shard \(owner): the shard directories were mixed up"
        case let .modelStoredTwice(model, first, second): return "model \(model) is stored by shards \(first) and \(second)"
        case let .shardNotIOfN(text): return "--shard: expected I/N (e.g. 0/4), found '\(text)'"
        case .shardCountNotPositive: return "--shard: shard count must be ≥ 1"
        case let .shardIndexOutside(index, count): return "--shard: shard index \(index) outside 0…\(count - 1)"
        case let .environmentNotAnInteger(variable, value): return "$\(variable): not an integer: '\(value)'"
        case .slurmTaskCountMissing: return "$SLURM_ARRAY_TASK_COUNT: Slurm array task without a task count"
        case let .shardCountNotInEnvironment(variable):
            return "$WORKBENCH_SHARD_COUNT: \(variable) is set; give the shard count in WORKBENCH_SHARD_COUNT or --shard I/N"
        case let .outputIsAFile(path): return "\(path) is an existing file, not a directory; give --out a directory (new or a study's)"
        case let .cannotCreateOutput(reason): return "cannot create the output directory: \(reason)"
        case let .cannotOpenLock(path, reason): return "\(path): cannot open the lock file (\(reason))"
        case let .directoryBusy(directory, command):
            return "another workbench command is writing into \(directory); wait for it to finish or choose another --out (\(command) refused)"
        case let .outputIsInput(flag, output, input): return "\(flag) \(output) is the input \(input): writing it would destroy the input; choose another output path"
        case let .outputInsideInput(flag, output, input):
            return "\(flag) \(output) lies inside the input folder \(input); choose an output path outside it"
        case let .slurmPathNotAbsolute(label, path): return "the \(label) path must be absolute: '\(path)'"
        case let .slurmPathUnsafe(label, path):
            return "the \(label) path '\(path)' contains a backslash or line break, which Slurm's #SBATCH options cannot carry; choose another path"
        case let .shardCountBelowOne(n): return "--shards must be ≥ 1, found \(n)"
        case let .cpusBelowOne(n): return "--cpus-per-task must be ≥ 1, found \(n)"
        case .memoryNotPositive: return "memory per shard must be positive"
        case let .slurmOutputOfOtherStudy(path, recorded, hash):
            return "\(path) holds results of a different study (hash \(recorded ?? "unknown"), this study \(hash)); choose another --out"
        case let .badMemory(text): return "--mem '\(text)': expected a size such as 4000M, 16G or 4096 (MiB)"
        case let .memoryTooLarge(text): return "--mem '\(text)' is too large"
        case let .badPartition(text):
            return "--partition '\(text)': expected a partition name (letters, digits, '-', '_', '.'; several separated by ',')"
        case let .badTime(text): return "--time '\(text)': expected minutes, M:S, H:M:S, D-H, D-H:M or D-H:M:S (e.g. 90, 4:00:00, 2-12)"
        case let .notAJobID(output): return "sbatch --parsable printed '\(output)', not a job id"
        }
    }
}

/// Where a study file is wrong: its JSON path (`$.arms[1].vary.learning_rate`), what, a hint, and
/// the file's further problems found by `StudyValidation` (empty: this is the only one).
public struct StudyFileProblem: Equatable, Sendable {
    /// The study file (nil until the caller that read it names it: `StudiesError.inFile`).
    public var file: String?
    public let path: String
    public let message: String
    public let suggestion: String?
    public var others: [StudyFileProblem] = []

    public init(file: String? = nil, path: String, message: String, suggestion: String? = nil) {
        self.file = file
        self.path = path
        self.message = message
        self.suggestion = suggestion
    }

    /// `PATH: MESSAGE[; did you mean 'X'?]`, without the file.
    public var located: String {
        var text = "\(path): \(message)"
        if let suggestion { text += "; did you mean '\(suggestion)'?" }
        return text
    }
}

/// The shards `merge` cannot merge yet, shard by shard, and what the commands that finish them
/// need: the study file, the output directory and the Slurm script if the study was submitted.
public struct IncompleteShards: Equatable, Sendable {
    public struct Problem: Equatable, Sendable {
        public let shard: Int
        public let state: ShardState
        public init(shard: Int, state: ShardState) { self.shard = shard; self.state = state }
    }
    /// How far an unmergeable shard got.
    public enum ShardState: Equatable, Sendable, CustomStringConvertible {
        /// No shard directory (its expected name).
        case notStarted(directoryName: String)
        case stoppedBeforeRecording
        /// It recorded its study but stored `expected - missing - failed.count` of its `expected` models.
        case unfinished(expected: Int, missing: Int, failed: [String])

        public var description: String {
            switch self {
            case let .notStarted(name): return "not started (no \(name))"
            case .stoppedBeforeRecording: return "started but stopped before recording its study"
            case let .unfinished(expected, missing, failed):
                return "\(expected - missing - failed.count) of \(expected) model(s) stored"
                    + (missing > 0 ? ", \(missing) missing" : "") + (failed.isEmpty ? "" : ", failed: \(failed.joined(separator: ", "))")
            }
        }
    }
    public let problems: [Problem]
    public let shardCount: Int
    /// The study file the re-run commands name (`STUDY.json` when the study was not read from one).
    public let study: String
    public let directory: String
    /// `DIR/slurm/shards.sbatch` when the study was submitted with `workbench slurm`.
    public let slurmScript: String?

    public init(problems: [Problem], shardCount: Int, study: String, directory: String, slurmScript: String?) {
        self.problems = problems
        self.shardCount = shardCount
        self.study = study
        self.directory = directory
        self.slurmScript = slurmScript
    }

    /// The command that runs (or resumes) shard `shard` of `count`.
    public static func rerunCommand(study: String, shard: Int, of count: Int, directory: String) -> String {
        "workbench run \(shellQuote(study)) --shard \(shard)/\(count) --out \(shellQuote(directory))"
    }
}
