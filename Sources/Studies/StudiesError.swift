import Boosting
import EraData
import EvaluationRules
import Foundation
import Support

/// The one error of the Studies module; every text it shows is composed in this file: in
/// `description`, and a study-file problem's message in `StudyFileProblem.Reason.text` (checks
/// throw a typed reason, never a text).
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
    public static func at(_ path: String, _ reason: StudyFileProblem.Reason, suggestion: String? = nil) -> StudiesError {
        .studyFile(StudyFileProblem(path: path, reason: reason, suggestion: suggestion))
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

/// Where a study file is wrong: its JSON path (`$.arms[1].vary.learning_rate`), why (a typed
/// `Reason`, whose text is composed in `Reason.text` below), a hint, and the file's further
/// problems found by `StudyValidation` (empty: this is the only one).
public struct StudyFileProblem: Equatable, Sendable {
    /// The study file (nil until the caller that read it names it: `StudiesError.inFile`).
    public var file: String?
    public let path: String
    public let reason: Reason
    public let suggestion: String?
    public var others: [StudyFileProblem] = []

    public init(file: String? = nil, path: String, reason: Reason, suggestion: String? = nil) {
        self.file = file
        self.path = path
        self.reason = reason
        self.suggestion = suggestion
    }

    /// What is wrong, without the path (`reason.text`).
    public var message: String { reason.text }

    /// `PATH: MESSAGE[; did you mean 'X'?]`, without the file.
    public var located: String {
        var text = "\(path): \(message)"
        if let suggestion { text += "; did you mean '\(suggestion)'?" }
        return text
    }
}

/// The kinds of JSON value a study file holds, as a wrong-type message names them.
public enum JSONKind: Equatable, Sendable {
    case null, boolean, number, string, list, object, unknown

    var text: String {
        switch self {
        case .null: return "null"
        case .boolean: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .list: return "a list"
        case .object: return "an object"
        case .unknown: return "an unknown value"
        }
    }
}

extension StudyFileProblem {
    /// What a value should have been (`expected …, found …`).
    public enum Expected: Equatable, Sendable {
        case object, list, string, number, boolean
        /// A parameter's constant or distribution (strings are for targets only).
        case numberOrDistribution
        /// Any of a constant, a list of choices or a distribution object.
        case valueListOrDistribution
    }

    /// A bound a number must meet, its numbers as the message writes them (`"0"`, `"1e12"`).
    public enum Bound: Equatable, Sendable {
        case atLeast(String)
        case atMost(String)
        case above(String)
        /// Integers `low…high`, both included.
        case from(String, through: String)
        /// `(low, high)`, `[low, high]`, `(low, high]`, `[low, high)`.
        case open(String, String)
        case closed(String, String)
        case openClosed(String, String)
        case closedOpen(String, String)
    }

    /// Why a study (or tournament) file is wrong; every text is composed in `text`. Shapes that
    /// many checks share (a wrong type, a missing or unknown key, a number out of its bounds) are
    /// one case with parameters; the others name their own check. A few cases carry another
    /// module's typed error, which composes its own text (`parameterRejected`, `unreadableData`,
    /// …), and a few the text of an error from outside the project (Foundation's JSON and
    /// decoding errors) or of a module Studies does not depend on (`selectionUnscorable`).
    public enum Reason: Equatable, Sendable {
        // The JSON and its shapes (`Node`, `checkKeys`).
        case notJSON(String)
        case wrongType(expected: Expected, found: JSONKind)
        case notFinite
        case notAnInteger(Double)
        case notAnObject
        case unknownKey(String)
        case missingKey(String)
        /// A tournament file's required key.
        case missingRequiredKey(String)
        /// `SUBJECT must be BOUND` (no subject: `must be BOUND`).
        case mustBe(String?, Bound)
        /// `SUBJECT must lie BOUND` (no subject: `must lie BOUND`).
        case mustLie(String?, Bound)

        // The study's name, seed, evaluation and constraints (`StudySpec.parse`, `StudyLimits`).
        case badStudyName
        case nameIsDirectory(String)
        case nameTooLong(bytes: Int, max: Int)
        case unknownLeavesPolicy(String)
        case badEvaluationSplit(String)
        case unknownContributionReference(String, known: [String])

        // Arms and parameters (`parseArmBody`, `StudyLimits`).
        case emptyArms
        case duplicateArmName(String)
        case armWithoutModels(arm: String, models: Int)
        case tooManyModelsInArm(Int, max: Int)
        case tooManyModels(Int, max: Int)
        case unknownParameter(String)
        /// A parameter named twice in `vary`, once by an alias.
        case parameterGivenTwice(String, alias: String)
        case variedAndFixed(String)
        /// Boosting's own complaint about a parameter value.
        case parameterRejected(BoostingError)
        case integerTooLarge(String, Double)
        case targetNotAString

        // Distributions (`Distribution.parse`).
        case emptyChoice
        case distributionKeys([String])
        case unknownDistribution(String)
        case linspaceArity
        case linspaceWithoutValues
        case linspaceTooLong(Int, max: Int)
        case intRangeArity
        /// `uniform` or `logUniform` without two bounds.
        case rangeArity(String)
        case emptyIntRange(Int, Int)
        case emptyRange(Double, Double)
        case logUniformNotPositive
        case notIntegral(Double)

        // Dropped eras and features (`parseDropEras`, `parseDropFeatures`, `Planner`).
        case groupsNotDataOrObject
        case groupsWithoutCount
        case emptyGroup(String)
        case groupsToDropOutOfRange(max: Int)
        case groupsToDropWithoutGroups
        case noFractionOrGroups
        case tooFewFeatureGroups(Int)

        // The data (`parseData`, `parseSynthetic`, `DataSource.load`, `Planner`, `EvaluationCheck`).
        case syntheticWithFiles
        case noDataSource
        case unknownGenerator(known: [String])
        /// The generator's own complaint about its settings.
        case invalidSyntheticSettings(EraDataError)
        /// Settings Foundation's decoder cannot read (its error's text).
        case undecodableSyntheticSettings(String)
        case wrongSettingType(String)
        case noSuchDataFile(String)
        /// EraData's complaint about the data files.
        case unreadableData(EraDataError)
        case noTrainRows
        case unknownTarget(String, known: [String]?)
        case unknownFeature(String)
        case noEvaluationRows(split: String, present: [String])
        case noScorableEra(split: String, target: String)
        case tooFewEvaluationEras(split: String, eras: Int, selectionFraction: Double, embargoEras: Int)

        // Evaluation rules (`StudyInferenceSpec`).
        case hacLagOutOfRange
        case badEnsembleName
        case ensembleDefined(String)
        case unknownArm(String, known: [String])
        case badBMCReference(String)
        case badTopBy(String)
        case greedyOutOfRange
        case badWeights(String)
        case weightedGreedy
        case bmcWithoutBenchmark
        case emptyContrasts
        case badArmPrefix(String)
        case unknownContrastSide(String, known: [String])
        case contrastOfOneEnsemble
        case duplicateContrastName(String)

        // Replicates and folds (`Replicates.swift`).
        case noReplicateAxis
        case emptySeeds(String)
        case seedTwice(Int)
        case dataSeedsWithFiles
        case missingFoldCount
        case tooFewFolds
        case tooManyFolds(max: Int)
        case tooManyReplicates(Int, dataSeeds: Int, studySeeds: Int, folds: Int, max: Int)
        case foldInReplicatedStudy
        case tooFewErasForFolds(eras: Int, folds: Int, embargoEras: Int, fold: Int, trainEras: Int)
        /// A fold's window cannot hold the evaluation's ranges (the split's complaint).
        case foldWindowTooShort(folds: Int, eras: Int, reason: EvaluationRulesError)

        // Pruning (`Pruning.swift`, `PrunedRun`, Pipeline's `SelectionScorer`).
        case missingRungs
        case emptyRungs
        case tooManyRungs(Int, max: Int)
        case rungBelowOne(Int)
        case rungsNotIncreasing(Int, after: Int)
        case missingKeep
        case keepOutsideUnitInterval(Double)
        case unknownPruningScore(String, known: [String])
        case eraStrideBelowOne(Int)
        case prunedStudySharded
        case noSelectionEras
        /// The selection eras cannot be scored (Diversity's complaint, as text: Studies does not
        /// depend on Diversity).
        case selectionUnscorable(String)

        // Tournament files (`TournamentSpec`, `TournamentRunner`).
        case badTournamentName
        case studyAndFarm
        case farmWithoutStudyFile
        case notExampleOrArms
        case noArmNamed
        case noGroups
        case sharesNotSummingToOne(Double)
        case moreGroupsThanStakers(groups: Int, stakers: Int)
        case noCounts
        case unknownOption(String)
        case repeatedOptions
        case notOneStakeDistribution
        case unknownStudyArm(String, known: [String])
        case noExampleModel
        case noGridModel
        case exampleOptionWithoutExample

        public var text: String {
            switch self {
            case let .notJSON(detail): return "not valid JSON (\(detail))"
            case let .wrongType(expected, found): return "expected \(expected.text), found \(found.text)"
            case .notFinite: return "expected a finite number"
            case let .notAnInteger(d): return "expected an integer, found \(d)"
            case .notAnObject: return "expected an object"
            case let .unknownKey(key): return "unknown key '\(key)'"
            case let .missingKey(key): return "missing key '\(key)'"
            case let .missingRequiredKey(key): return "missing required key '\(key)'"
            case let .mustBe(subject, bound): return (subject.map { $0 + " " } ?? "") + "must be \(bound.text)"
            case let .mustLie(subject, bound): return (subject.map { $0 + " " } ?? "") + "must lie \(bound.text)"

            case .badStudyName: return "name must be non-empty letters, digits, '-', '_' or '.' (it names the output folder)"
            case let .nameIsDirectory(name): return "name '\(name)' would write into the current or parent directory; give the study a name of its own"
            case let .nameTooLong(bytes, max): return "name is \(bytes) bytes long; at most \(max) (it names the output folder)"
            case let .unknownLeavesPolicy(policy): return "unknown policy '\(policy)' (clamp, resample or none)"
            case let .badEvaluationSplit(split): return "evaluation split must be validation or test, found '\(split)'"
            case let .unknownContributionReference(name, known): return "no ensemble named '\(name)' (\(known.joined(separator: ", ")))"

            case .emptyArms: return "arms is empty: give at least one arm or remove the key"
            case let .duplicateArmName(name): return "duplicate arm name '\(name)'"
            case let .armWithoutModels(arm, models): return "each arm needs models ≥ 1 (arm '\(arm)' has \(models))"
            case let .tooManyModelsInArm(models, max):
                return "\(models) models is more than a study may hold (at most \(max) in all arms); split it into several studies"
            case let .tooManyModels(total, max):
                return "the arms hold \(total) models in all, more than a study may hold (at most \(max)); split it into several studies"
            case let .unknownParameter(key): return "unknown parameter '\(key)'"
            case let .parameterGivenTwice(name, alias): return "'\(name)' given twice (alias of '\(alias)')"
            case let .variedAndFixed(key): return "'\(key)' is both varied and fixed; keep one"
            case let .parameterRejected(error): return error.description
            case let .integerTooLarge(name, value): return "'\(name)' = \(value) is too large for an integer parameter (at most 9e15 in magnitude)"
            case .targetNotAString: return "targets are named by strings"

            case .emptyChoice: return "empty list: give at least one value"
            case let .distributionKeys(forms): return "a distribution object has exactly one key, one of \(forms.joined(separator: ", "))"
            case let .unknownDistribution(form): return "unknown distribution '\(form)'"
            case .linspaceArity: return "linspace takes [start, stop, num]"
            case .linspaceWithoutValues: return "linspace needs num ≥ 1"
            case let .linspaceTooLong(num, max):
                return "linspace of \(num) values is more than a grid axis may hold (at most \(max)); use uniform or logUniform for a continuous range"
            case .intRangeArity: return "intRange takes [low, high] (inclusive)"
            case let .rangeArity(form): return "\(form) takes [low, high]"
            case let .emptyIntRange(lo, hi): return "empty range: low \(lo) > high \(hi)"
            case let .emptyRange(lo, hi): return "empty range: low \(fmt(lo)) ≥ high \(fmt(hi))"
            case .logUniformNotPositive: return "logUniform needs low > 0"
            case let .notIntegral(v): return "this parameter takes integers, found \(fmt(v))"

            case .groupsNotDataOrObject: return "groups must be an object of named lists or \"data\" (the dataset's feature groups)"
            case .groupsWithoutCount: return "groups need 'groupsToDrop' (how many per model)"
            case let .emptyGroup(name): return "group '\(name)' is empty"
            case let .groupsToDropOutOfRange(max): return "groupsToDrop must be in 1…\(max) (keep at least one group)"
            case .groupsToDropWithoutGroups: return "groupsToDrop needs 'groups'"
            case .noFractionOrGroups: return "give 'fraction' or 'groups'"
            case let .tooFewFeatureGroups(groups):
                return "groupsToDrop must be in 1…\(max(0, groups - 1)): the data has \(groups) feature group(s)"

            case .syntheticWithFiles: return "'synthetic' cannot be combined with files"
            case .noDataSource: return "give 'synthetic', 'path' or 'paths'"
            case let .unknownGenerator(known): return "unknown generator (known: \(known.joined(separator: ", ")))"
            case let .invalidSyntheticSettings(error): return "invalid synthetic settings: \(error.description)"
            case let .undecodableSyntheticSettings(reason): return "invalid synthetic settings: \(reason)"
            case let .wrongSettingType(detail): return "wrong type: \(detail)"
            case let .noSuchDataFile(path): return "\(path): no such file or directory"
            case let .unreadableData(error): return error.description
            case .noTrainRows: return "the data has no train rows"
            case let .unknownTarget(target, known):
                return "unknown target '\(target)'" + (known.map { " (the data has \($0.joined(separator: ", ")))" } ?? "")
            case let .unknownFeature(feature): return "unknown feature '\(feature)'"
            case let .noEvaluationRows(split, present):
                return "the data has no \(split) rows to evaluate the models on (splits present: \(present.joined(separator: ", ")))"
            case let .noScorableEra(split, target):
                return "no \(split) era has two or more rows with a known '\(target)': per-era correlations cannot be computed"
            case let .tooFewEvaluationEras(split, eras, fraction, embargo):
                return "the \(split) split has \(eras) era(s) with scored rows, too few for a selection range (fraction \(fraction)), a \(embargo)-era embargo and a test range (at least \(embargo + 2) eras); lower evaluation.embargoEras or use data with more \(split) eras"

            case .hacLagOutOfRange: return "hacLag must be in 0…100 (eras)"
            case .badEnsembleName: return "ensemble name must be non-empty without '[' or ']'"
            case let .ensembleDefined(name):
                return "ensemble '\(name)' is already defined (defaults: each arm, ARM.filtered, all, benchmark, best_single)"
            case let .unknownArm(arm, known): return "unknown arm '\(arm)' (\(known.joined(separator: ", ")))"
            case let .badBMCReference(reference):
                return "bmcReference must be \"benchmark\" or an ensemble defined before this one, found '\(reference)'"
            case let .badTopBy(by): return "topBy must be corr or bmc, found '\(by)'"
            case .greedyOutOfRange: return "greedy must be in 1…100000 (picks)"
            case let .badWeights(text): return "weights must be equal or selectionCorr, found '\(text)'"
            case .weightedGreedy: return "greedy ensembles are weighted by pick counts; remove weights"
            case .bmcWithoutBenchmark:
                return "BMC against the benchmark needs a benchmark (\"benchmark\" is false): set bmcReference to an ensemble"
            case .emptyContrasts: return "contrasts is empty: remove the key for the defaults"
            case let .badArmPrefix(side): return "'\(side)': ARM[k] needs an arm name and 1 ≤ k ≤ its models"
            case let .unknownContrastSide(side, known): return "no ensemble named '\(side)' (\(known.joined(separator: ", ")), or ARM[k])"
            case .contrastOfOneEnsemble: return "a contrast needs two different ensembles"
            case let .duplicateContrastName(name): return "duplicate contrast name '\(name)'"

            case .noReplicateAxis: return "give at least one of 'dataSeeds', 'studySeeds', 'splits'"
            case let .emptySeeds(key): return "\(key) is empty: give at least one seed or remove the key"
            case let .seedTwice(seed): return "seed \(seed) is listed twice"
            case .dataSeedsWithFiles: return "dataSeeds need generated data ($.data.synthetic); this study reads files"
            case .missingFoldCount: return "missing key 'walkForward' (the number of folds)"
            case .tooFewFolds: return "walkForward must be ≥ 2 folds"
            case let .tooManyFolds(max): return "walkForward must be ≤ \(max) folds"
            case let .tooManyReplicates(count, dataSeeds, studySeeds, folds, max):
                return "\(count) replicates (\(dataSeeds) data seeds × \(studySeeds) study seeds × \(folds) folds) exceed the limit of \(max)"
            case .foldInReplicatedStudy: return "a study with 'replicates' cannot itself be a fold"
            case let .tooFewErasForFolds(eras, folds, embargo, fold, trainEras):
                return "\(eras) labelled eras are too few for \(folds) walk-forward folds with a \(embargo)-era embargo (fold \(fold) would train on \(trainEras) eras)"
            case let .foldWindowTooShort(folds, eras, error): return "each of \(folds) walk-forward folds evaluates on \(eras) eras: \(error.description)"

            case .missingRungs: return "missing key 'rungs' (tree counts at which models are judged, e.g. [100, 1000])"
            case .emptyRungs: return "rungs is empty: give at least one tree count"
            case let .tooManyRungs(count, max): return "\(count) rungs; at most \(max)"
            case let .rungBelowOne(value): return "a rung is a tree count ≥ 1, found \(value)"
            case let .rungsNotIncreasing(value, last): return "rungs must increase strictly (\(value) after \(last))"
            case .missingKeep: return "missing key 'keep' (share of models kept at each rung, e.g. 0.5)"
            case let .keepOutsideUnitInterval(keep): return "keep must lie in (0, 1), found \(keep)"
            case let .unknownPruningScore(by, known): return "unknown pruning score '\(by)' (known: \(known.joined(separator: ", ")))"
            case let .eraStrideBelowOne(k): return "eraStride must be ≥ 1 (1 keeps every era), found \(k)"
            case .prunedStudySharded:
                return "a pruned study ranks every model of an arm together, so it cannot be split into shards; run it without --shard"
            case .noSelectionEras: return "the evaluation has no selection eras to judge models on"
            case let .selectionUnscorable(reason): return "cannot score the selection eras: \(reason)"

            case .badTournamentName: return "must be a non-empty name without '/'"
            case .studyAndFarm: return "give either 'study' (a study output directory) or 'farm' (a `workbench mine` directory), not both"
            case .farmWithoutStudyFile: return "a farm needs 'studyFile', the study file it was mined from"
            case .notExampleOrArms: return "expected \"example\" or a list of arm names"
            case .noArmNamed: return "must name at least one arm"
            case .noGroups: return "must hold at least one group"
            case let .sharesNotSummingToOne(total): return "shares must sum to 1 (they sum to \(total))"
            case let .moreGroupsThanStakers(groups, stakers): return "\(groups) groups need at least as many stakers (have \(stakers))"
            case .noCounts: return "must hold at least one count"
            case let .unknownOption(option): return "unknown option '\(option)'"
            case .repeatedOptions: return "must list distinct options"
            case .notOneStakeDistribution: return "expected exactly one of logNormal, pareto"
            case let .unknownStudyArm(arm, known): return "unknown arm '\(arm)' (the study has \(known.joined(separator: ", ")))"
            case .noExampleModel: return "the study stored no example model (benchmark)"
            case .noGridModel: return "no grid model for newcomers"
            case .exampleOptionWithoutExample: return "option 'example' needs the study's example model (benchmark)"
            }
        }
    }
}

extension StudyFileProblem.Expected {
    var text: String {
        switch self {
        case .object: return "an object"
        case .list: return "a list"
        case .string: return "a string"
        case .number: return "a number"
        case .boolean: return "true or false"
        case .numberOrDistribution: return "a number or a distribution"
        case .valueListOrDistribution: return "a value, a list or a distribution object"
        }
    }
}

extension StudyFileProblem.Bound {
    var text: String {
        switch self {
        case let .atLeast(x): return "≥ \(x)"
        case let .atMost(x): return "≤ \(x)"
        case let .above(x): return "> \(x)"
        case let .from(lo, hi): return "in \(lo)…\(hi)"
        case let .open(lo, hi): return "in (\(lo), \(hi))"
        case let .closed(lo, hi): return "in [\(lo), \(hi)]"
        case let .openClosed(lo, hi): return "in (\(lo), \(hi)]"
        case let .closedOpen(lo, hi): return "in [\(lo), \(hi))"
        }
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
