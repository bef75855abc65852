import Support
import Studies

/// The one error of the shared orchestration: stored predictions that do not belong to the study
/// or its data, nothing to analyse, a replicated study's runs. Every text is here, in
/// `description`; the CLI prints it as `error: <description>` with the exit code `ErrorReport`
/// gives the case (interrupted 130, an unknown `--replicate` 2, else 1).
public enum PipelineError: Error, CustomStringConvertible, Equatable {
    case foreignPredictions(storedName: String, storedHash: String, name: String, hash: String)
    case rowsBeyondDataset(rowCount: Int)
    case idMismatch(column: Int, stored: String, dataset: String)
    case noEvaluationRows(split: String)
    case noFinishedModel
    /// A replicated study given as text, not as a file (each replicate runs the file again).
    case replicatedStudyWithoutFile
    case unknownReplicate(String, known: [String])
    /// Ctrl-C reached the replicate in flight (it kept what it stored).
    case interrupted(replicate: String)
    /// The replicate's process failed (it printed its own error).
    case replicateProcessFailed(replicate: String, exitCode: Int32)
    case modelsFailed(replicate: String, [String])
    /// A replicate's step failed: what and where, from the library that failed.
    case inReplicate(String, String)
    /// `merge` of a replicated study: the missing shards and the commands that complete them.
    case replicateShardsMissing([String], study: String, directory: String, shards: [Int], shardCount: Int, slurmScript: String?)

    public var description: String {
        switch self {
        case let .foreignPredictions(storedName, storedHash, name, hash):
            return "predictions.h5 holds study '\(storedName)' (hash \(storedHash)), not '\(name)' (hash \(hash))"
        case let .rowsBeyondDataset(rowCount):
            return "predictions.h5 refers to rows beyond the dataset's \(rowCount): the data changed since the run"
        case let .idMismatch(column, stored, dataset):
            return "predictions.h5 column \(column) is id \(stored) but the dataset has \(dataset) there: the data changed since the run"
        case let .noEvaluationRows(split):
            return "no stored prediction falls in the evaluation split '\(split)'"
        case .noFinishedModel:
            return "no finished model in predictions.h5 to analyse"
        case .replicatedStudyWithoutFile:
            return "a replicated study must be run from its file"
        case let .unknownReplicate(label, known):
            return "--replicate \(label): the study has no such replicate (\(known.joined(separator: ", ")))"
        case let .interrupted(replicate):
            return "interrupted in replicate \(replicate); run the same command again to resume"
        case let .replicateProcessFailed(replicate, exitCode):
            return "replicate \(replicate) failed (exit \(exitCode)); fix the cause and run the same command again to resume"
        case let .modelsFailed(replicate, failures):
            return "replicate \(replicate): \(failures.count) model(s) failed: " + failures.joined(separator: "; ")
        case let .inReplicate(replicate, reason):
            return "replicate \(replicate): \(reason)"
        case let .replicateShardsMissing(problems, study, directory, shards, shardCount, slurmScript):
            var lines = ["\(problems.count) replicate shard(s) missing or incomplete:"] + problems
            lines.append("re-run them (each resumes what it stored, in every replicate):")
            for s in shards {
                lines.append("  " + IncompleteShards.rerunCommand(study: study, shard: s, of: shardCount, directory: directory))
            }
            if let slurmScript {
                lines.append("or on Slurm: sbatch --array=\(shards.map(String.init).joined(separator: ",")) \(shellQuote(slurmScript)), then workbench merge again")
            }
            return lines.joined(separator: "\n")
        }
    }
}
