import Foundation

/// A failure of running, resuming or merging a study that is not about the study file's JSON
/// (those are `StudyError`s, located by JSON path): outputs that cannot safely be written, Slurm
/// scripts that cannot be written as asked, runs and shards that do not fit. Every message text
/// lives here.
public enum StudiesError: Error, Equatable, CustomStringConvertible {
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

    public var description: String {
        switch self {
        case let .unreadableFile(path):
            return "\(path): cannot read the file"
        case let .foreignStudyRecord(file, directory):
            return "\(file) is not a study record written by workbench, so \(directory) is not a study output directory; choose another --out (nothing was removed)"
        case let .differentStudy(directory, stored, study):
            return "\(directory) holds results of a different study (hash \(stored), this study \(study)); use --force to replace them or choose another --out"
        case let .dataChanged(directory, stored, now):
            return "the data changed since the models in \(directory) were trained (data fingerprint \(stored), now \(now)); resuming would mix models of old and new data. Restore the data, choose another --out, or use --force to discard the stored models and train again"
        case let .noStudyRecord(file):
            return "\(file): no such file (not a study directory)"
        case let .unreadableStudyRecord(file, reason):
            return "\(file): not a study record (\(reason))"
        case let .unknownTarget(target):
            return "unknown target '\(target)'"
        case .pruningWithoutSelectionScore:
            return "successive halving needs the selection-era scorer (StudyRunner.selectionScore, from StudyPipeline.selectionScore)"
        case let .notEnoughMemory(needed, available):
            return String(format: "the study needs about %.1f GB of memory but this machine has %.1f GB; use fewer --jobs, fewer models or a smaller dataset",
                          Double(needed) / 1e9, Double(available) / 1e9)
        case let .noShards(root, directory):
            return "\(root): no shards here (run `workbench run STUDY --shard I/N --out \(directory)` first)"
        case let .noShardDirectories(root):
            return "\(root): no shard directories"
        case let .mixedShardCounts(root, counts):
            return "\(root) mixes shard counts \(counts); keep the shards of one split"
        case let .noRecordedShard(shards):
            return "\(shards): no shard has recorded its study yet; run the shards first"
        case let .shardsDisagree(shard, name, hash, firstShard, firstName, firstHash):
            return "shard \(shard) holds study '\(name)' (hash \(hash)) but shard \(firstShard) holds '\(firstName)' (hash \(firstHash)): shards of different studies cannot be merged"
        case let .shardOfOtherStudy(shard, name, hash, studyName, studyHash):
            return "shard \(shard) holds study '\(name)' (hash \(hash)), not '\(studyName)' (hash \(studyHash)): shards of different studies cannot be merged"
        case let .shardOnOtherData(shard, trainedOn, now):
            return "shard \(shard) was trained on other data (data fingerprint \(trainedOn), the data now \(now)): restore the data, or re-run that shard with --force"
        case let .modelInWrongShard(shard, model, owner):
            return "shard \(shard) stored model \(model), which belongs to shard \(owner): the shard directories were mixed up"
        case let .modelStoredTwice(model, first, second):
            return "model \(model) is stored by shards \(first) and \(second)"
        case let .outputIsAFile(path):
            return "\(path) is an existing file, not a directory; give --out a directory (new or a study's)"
        case let .cannotCreateOutput(reason): return "cannot create the output directory: \(reason)"
        case let .cannotOpenLock(path, reason): return "\(path): cannot open the lock file (\(reason))"
        case let .directoryBusy(directory, command):
            return "another workbench command is writing into \(directory); wait for it to finish or choose another --out (\(command) refused)"
        case let .outputIsInput(flag, output, input):
            return "\(flag) \(output) is the input \(input): writing it would destroy the input; choose another output path"
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
        case let .badTime(text):
            return "--time '\(text)': expected minutes, M:S, H:M:S, D-H, D-H:M or D-H:M:S (e.g. 90, 4:00:00, 2-12)"
        case let .notAJobID(output): return "sbatch --parsable printed '\(output)', not a job id"
        }
    }
}
