import ArgumentParser
import EraData
import Foundation
import Node
import Pipeline
import Reports
import Studies
import Support

/// The CLI's own failures (what no library reports): every text is here, in `description`, and
/// `exitCode` says which are usage errors (2) and interruptions (130); the rest exit 1.
public enum WorkbenchError: Error, CustomStringConvertible {
    // The command line does not fit the inputs (exit 2).
    /// `--feature-set` given with inputs other than Numerai parquet files.
    case featureSetNeedsParquet
    case badParameters(String)
    case parametersNotFound(String)
    case parametersNotAnObject(origin: String)
    case parametersNotJSON(origin: String, reason: String)
    case parameterNotANumber(origin: String, name: String, value: String)
    case tooManyShards(Int, models: Int)
    case replicateWithoutReplicates
    /// A library error that is a usage error here (a bad `--shard`, an output onto an input, a bad `--vary`).
    case usage(String)
    case noSuchDirectory(String)
    case noPredictionsIn(String)
    case noStudyRecord(String)
    case outputHoldsInputs(String)
    case unknownSplit(String)
    case varyNotKeyValues(String)
    case varyWithoutValues(String)
    case varyUnknownSetting(String, key: String, known: [String])
    /// An output (`flag` PATH) that would replace `file` of the input study `study`.
    case outputOntoInputStudy(flag: String, output: String, file: String, study: String)
    case outputDirectoryMissing(flag: String, output: String, directory: String)
    case outputDirectoryIsFile(flag: String, output: String, directory: String)

    // Failures (exit 1).
    case noTargets(String)
    case unknownTarget(String, data: String, targets: [String])
    case noTrainRows(String, target: String)
    case noValidationRows(String)
    case noRowsInSplit(String, split: String)
    case unreadableParameters(String, reason: String)
    case cannotWrite(what: String, reason: String)
    case outputDirectoryNotWritable(flag: String, output: String, directory: String, reason: String)
    case noBinaryPath(String)
    case sbatchNotFound
    case cannotStart(String, reason: String)
    case sbatchFailed(what: String, exitCode: Int32, message: String, command: String)
    case submitting(what: String, reason: String)
    /// The shard array is submitted but its merge job is not: how to submit it by hand.
    case mergeNotSubmitted(String, arrayJob: String, mergeCommand: String)
    case modelsFailed([String])
    /// Ctrl-C: what is stored stays; the same command resumes (exit 130).
    case interrupted
    /// A failure at a place (a file, a sensitivity setting): `PLACE: what`.
    case at(String, String)
    /// One of these failures at a place, keeping its exit code.
    indirect case located(String, WorkbenchError)
    case studyRecordUnreadable(String)
    case reportDataNotFound(String, withoutStudy: Bool)
    case notSubmitted(round: Int, [String])
    case predictionInput(model: String, inputs: [String], reason: String)
    case tournamentInputMissing(spec: String, study: String, farm: Bool)
    case farmWithoutStakers(spec: String, study: String)
    case sensitivityNeedsSynthetic(String)
    case studyNotAnObject
    case v2SettingOnV1(setting: String)

    public var description: String {
        switch self {
        case .featureSetNeedsParquet: return "--feature-set applies to Numerai parquet inputs only"
        case let .badParameters(reason): return "--params: \(reason)"
        case let .parametersNotFound(argument): return "--params: '\(argument)' is neither a JSON object nor an existing file"
        case let .parametersNotAnObject(origin): return "\(origin): expected a JSON object of parameters, e.g. {\"num_leaves\": 31}"
        case let .parametersNotJSON(origin, reason): return "\(origin): not valid JSON (\(reason))"
        case let .parameterNotANumber(origin, name, value): return "\(origin): parameter '\(name)' must be a number, got \(value)"
        case let .tooManyShards(shards, models): return "--shards \(shards) is more than the study's \(models) models; use at most \(models)"
        case .replicateWithoutReplicates: return "--replicate needs a study with 'replicates'"
        case let .usage(text): return text
        case let .noSuchDirectory(directory): return "\(directory): no such directory"
        case let .noPredictionsIn(directory): return "\(directory)/predictions.h5 not found: run `workbench run` on the study first"
        case let .noStudyRecord(file): return "\(file) not found: give the study file with --study"
        case let .outputHoldsInputs(out):
            return "--out \(out) holds a study's predictions or a farm; choose another directory (inputs are never overwritten)"
        case let .unknownSplit(split):
            return "unknown split `\(split)`; choose one of \(Split.allCases.map(\.rawValue).joined(separator: ", "))"
        case let .varyNotKeyValues(text): return "--vary \(text): expected KEY=V1,V2,…"
        case let .varyWithoutValues(text): return "--vary \(text): give one or more comma-separated values"
        case let .varyUnknownSetting(text, key, known):
            return "--vary \(text): unknown generator setting '\(key)' (known: \(known.joined(separator: ", ")))"
        case let .noTargets(data): return "\(data): the data has no targets"
        case let .unknownTarget(target, data, targets): return "target `\(target)` is not in \(data); targets: \(targets.joined(separator: ", "))"
        case let .noTrainRows(data, target): return "\(data): no train rows with a known \(target)"
        case let .noValidationRows(data): return "\(data): the dataset has no validation rows"
        case let .noRowsInSplit(data, split): return "\(data): no rows in split \(split)"
        case let .unreadableParameters(argument, reason): return "--params: cannot read \(argument): \(reason)"
        case let .cannotWrite(what, reason): return "cannot write the \(what): \(reason)"
        case let .noBinaryPath(argument):
            return "cannot find the path of this workbench binary ('\(argument)') to put into the job scripts"
        case .sbatchNotFound:
            return "sbatch not found on PATH: run this on a Slurm submit host (or install Slurm's client), "
                + "or copy the scripts there and run the submit script"
        case let .cannotStart(executable, reason): return "could not start \(executable): \(reason)"
        case let .sbatchFailed(what, exitCode, message, command):
            return "sbatch failed to submit \(what) (exit \(exitCode)): " + (message.isEmpty ? "no message" : message) + "\ncommand: \(command)"
        case let .submitting(what, reason): return "submitting \(what): \(reason)"
        case let .mergeNotSubmitted(reason, arrayJob, mergeCommand):
            return reason + "\nthe shard array is submitted as job \(arrayJob); submit the merge with: \(mergeCommand)"
        case let .modelsFailed(failures): return "\(failures.count) model(s) failed: " + failures.joined(separator: "; ")
        case .interrupted: return "interrupted; run the same command again to resume"
        case let .at(place, what): return "\(place): \(what)"
        case let .outputOntoInputStudy(flag, output, file, study):
            return "\(flag) \(output) would replace \(file), a file of the input study \(study); choose a path outside the study or a new name in it"
        case let .outputDirectoryMissing(flag, output, directory): return "\(flag) \(output): directory \(directory) does not exist"
        case let .outputDirectoryIsFile(flag, output, directory): return "\(flag) \(output): \(directory) is a file, not a directory"
        case let .outputDirectoryNotWritable(flag, output, directory, reason): return "\(flag) \(output): cannot write in \(directory) (\(reason))"
        case let .located(place, error): return "\(place): \(error.description)"
        case let .studyRecordUnreadable(file): return "\(file): not a study record written by `workbench run`"
        case let .reportDataNotFound(reason, withoutStudy):
            return reason + (withoutStudy ? " (give the original study file with --study so relative data paths resolve)" : "")
        case let .notSubmitted(round, failures):
            return "round \(round): not submitted: " + failures.joined(separator: "; ") + "; run the same command again to retry only these"
        case let .predictionInput(model, inputs, reason): return "\(model) on \(inputs.joined(separator: ", ")): \(reason)"
        case let .tournamentInputMissing(spec, study, farm):
            return farm ? "\(spec): $.farm: \(study)/farm.json not found: run `workbench mine` first"
                : "\(spec): $.study: \(study)/predictions.h5 not found: run `workbench run` on the study first"
        case let .farmWithoutStakers(spec, study): return "\(spec): $.farm: \(study) holds no accepted staker"
        case let .sensitivityNeedsSynthetic(study):
            return "\(study): sensitivity varies the synthetic generator, but the study reads files ($.data)"
        case .studyNotAnObject: return "the study is not a JSON object"
        case let .v2SettingOnV1(setting): return "setting \(setting): v2 settings have no effect on generator v1"
        }
    }

    /// The place an `at` or `located` failure names (nil for the others).
    public var place: String? {
        switch self {
        case let .at(place, _), let .located(place, _): return place
        default: return nil
        }
    }

    public var exitCode: Int32 {
        switch self {
        case .featureSetNeedsParquet, .badParameters, .parametersNotFound, .parametersNotAnObject, .parametersNotJSON,
             .parameterNotANumber, .tooManyShards, .replicateWithoutReplicates, .usage, .noSuchDirectory, .noPredictionsIn,
             .noStudyRecord, .outputHoldsInputs, .unknownSplit, .varyNotKeyValues, .varyWithoutValues, .varyUnknownSetting,
             .outputOntoInputStudy, .outputDirectoryMissing, .outputDirectoryIsFile:
            return ErrorReport.usage
        case .interrupted: return ErrorReport.interrupted
        case let .located(_, error): return error.exitCode
        default: return ErrorReport.failure
        }
    }
}

/// The one mapping from an error to what the user reads and the process's exit code:
/// 0 success (`--help`, `--version`), 1 failure (bad data, failed run, regression; every library
/// error, printed as `error: ` + its description), 2 usage (ArgumentParser's parse and validation
/// errors with the usage text, `WorkbenchError.usage`, inputs that do not fit together:
/// `EraDataError` of kind `inputs`, metrics files `compare`/`table` cannot read, a NODE.json that
/// cannot work, an unknown `--replicate`), 130 interrupted. Each module has one error type whose
/// `description` holds its texts; commands throw library errors as they are and rewrap only to
/// add context (which file, which replicate) or to make a library error a usage error. Only a
/// study-file error (`StudiesError.studyFile`) shows a JSON path.
public struct ErrorReport: Equatable {
    public static let success: Int32 = 0, failure: Int32 = 1, usage: Int32 = 2, interrupted: Int32 = 130

    public let message: String
    /// `message` without the `error: ` a failure's message starts with.
    public let text: String
    public let exitCode: Int32
    /// `--help` and `--version` text goes to standard output; everything else to standard error.
    public let toStandardOutput: Bool

    public init(_ error: Error) {
        switch error {
        case let error as WorkbenchError:
            self.init(error: error.description, error.exitCode)
        case let error as EraDataError where error.kind == .inputs:
            self.init(error: error.description, Self.usage)
        case let error as NodeError:
            // A NODE.json that cannot work is a usage error; a failed round is a failure.
            self.init(error: error.description, error.kind == .config ? Self.usage : Self.failure)
        case let error as ReportsError:
            self.init(error: error.description, error.isUsage ? Self.usage : Self.failure)
        case let error as PipelineError:
            switch error {
            case .interrupted: self.init(error: error.description, Self.interrupted)
            case .unknownReplicate: self.init(error: error.description, Self.usage)
            default: self.init(error: error.description, Self.failure)
            }
        case let error as StudiesError:
            // A study file that is wrong, a run or merge that cannot go on: a failure. (A bad
            // `--shard` or an output onto an input reaches here as `WorkbenchError.usage`.)
            self.init(error: error.description, Self.failure)
        default:
            switch Workbench.exitCode(for: error) {
            case .success: self.init(text: Workbench.fullMessage(for: error), Self.success, toStandardOutput: true)
            case .validationFailure: self.init(text: Workbench.fullMessage(for: error), Self.usage)
            default: self.init(error: readableFailure(error), Self.failure)
            }
        }
    }

    /// A failure's report: `error: ` + `text`.
    init(error text: String, _ exitCode: Int32) {
        self.message = "error: " + text
        self.text = text
        self.exitCode = exitCode
        self.toStandardOutput = false
    }

    /// A report printed as it is (`--help`, `--version`, ArgumentParser's usage errors).
    init(text: String, _ exitCode: Int32, toStandardOutput: Bool = false) {
        self.message = text
        self.text = text
        self.exitCode = exitCode
        self.toStandardOutput = toStandardOutput
    }
}

/// A Foundation error (`NSCocoaErrorDomain …` dumps) as one sentence naming the file; other
/// errors as they describe themselves.
func readableFailure(_ error: Error) -> String {
    let ns = error as NSError
    guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return "\(error)" }
    let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path ?? "a file"
    if ns.domain == NSCocoaErrorDomain, CocoaError.Code(rawValue: ns.code) == .fileNoSuchFile
        || CocoaError.Code(rawValue: ns.code) == .fileReadNoSuchFile {
        return "\(path): no such file or directory"
    }
    return AtomicFile.explained(error, path: path).localizedDescriptionOrText
}

private extension Error {
    var localizedDescriptionOrText: String {
        (self as? CustomStringConvertible)?.description ?? (self as NSError).localizedDescription
    }
}
