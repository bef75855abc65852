import ArgumentParser
import Diversity
import EraData
import Foundation
import Pipeline
import Reports
import Studies
import Support

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a study: train its models in parallel, store predictions, analyse, report.",
        discussion: """
        Results go to --out (default results/<study name>/): predictions.h5, metrics.json, report.md, \
        charts/. Interrupting (Ctrl-C) keeps every finished model; the same command resumes.
        """
    )

    @Argument(help: "The study file (JSON), e.g. experiments/quickstart.json.")
    var study: String

    @Option(name: [.customShort("o"), .long], help: "Output directory (default: results/<study name>).")
    var out: String?

    @Option(name: [.customShort("j"), .long], parsing: .unconditional, help: "Models trained at once (default: the number of cores).")
    var jobs: Int?

    @Flag(help: "Validate the study and print the resolved plan without training.")
    var check = false

    @Flag(help: "With --check: also list every model's drawn recipe (one line per model).")
    var models = false

    @Flag(help: "With --check: print the check as JSON (plan, data, jobs, memory estimate; on failure the errors).")
    var json = false

    @Flag(help: "Replace results of a different study in the output directory.")
    var force = false

    @Flag(name: [.customShort("q"), .long], help: "No progress or informational output (errors are still printed).")
    var quiet = false

    @Option(help: ArgumentHelp("Train only shard I of N (e.g. 0/4) into OUT/shards/; default from SLURM_ARRAY_TASK_ID/COUNT, JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX with WORKBENCH_SHARD_COUNT.", valueName: "I/N"))
    var shard: String?

    @Option(help: ArgumentHelp("Run only this replicate of a study with `replicates` (how `workbench run` runs each one).", visibility: .hidden))
    var replicate: String?

    mutating func validate() throws {
        jobs = try validatedJobs(jobs)
        if models && !check { throw ValidationError("--models lists the plan and needs --check") }
        if json && !check { throw ValidationError("--json prints the check and needs --check") }
    }

    func run() throws {
        do {
            let spec = try studyOrFail()
            if spec.replicates != nil { return try runReplicates(spec) }
            if replicate != nil { throw WorkbenchError.replicateWithoutReplicates }
            do { try run(spec) } catch { throw locatedInStudy(error) }
        } catch let error where check && json {
            print(RunCheckJSON.failure(error), terminator: "")
            throw error
        }
    }

    /// An error after the study file was read, prefixed with the study file's name so the user
    /// knows which study failed (interruptions and already-located messages unchanged).
    func locatedInStudy(_ error: Error) -> Error {
        switch error {
        case let e as WorkbenchError:
            if e.exitCode == ErrorReport.interrupted || e.place == study { return e }
            return WorkbenchError.located(study, e)
        case let e as StudiesError where e.studyFileProblem != nil:
            return e.inFile(study)
        default:
            return WorkbenchError.at(study, "\(error)")
        }
    }

    func run(_ spec: StudySpec) throws {
        let phases = PhaseProgress(quiet: quiet || check)
        let dataset = try phases.loadingData { try spec.loadData() }
        let planner = try Planner(spec: spec, dataset: dataset)
        // Fails now what would otherwise fail only after all training, in the analysis.
        try spec.checkEvaluation(on: dataset)
        if check {
            let plans = planner.plans()
            let summary = PlanSummary(spec: planner.spec, plans: plans)   // planner.spec: data feature groups resolved
            let (jobs, bytes) = checkEstimate(spec, dataset: dataset, plans: plans)
            if json {
                return print(try RunCheckJSON.render(summary: summary, models: models, dataset: dataset, jobs: jobs, memoryBytes: bytes),
                             terminator: "")
            }
            print(summary.render())
            if models { print(summary.renderModels()) }
            print("data: \(dataset.rowCount) rows, \(dataset.eras.count) eras, \(dataset.featureCount) features, targets \(dataset.targetNames.joined(separator: ", "))")
            print(String(format: "memory: about %.0f MB at --jobs %d (this machine has %.1f GB)", Double(bytes) / 1e6, jobs,
                         Double(ProcessInfo.processInfo.physicalMemory) / 1e9))
            return
        }
        let studyDirectory = URL(fileURLWithPath: out ?? "results/\(spec.name)")
        var options = RunOptions()
        if let jobs { options.jobs = jobs }
        options.force = force
        var directory = studyDirectory
        let shard = try resolvedShard()
        if let shard {
            options.only = planner.models(of: shard)
            options.includeBenchmark = shard.index == 0
            directory = shard.directory(in: studyDirectory)
            if !quiet { FileHandle.standardError.write(Data("shard \(shard): \(options.only!.count) of \(spec.modelCount) models\n".utf8)) }
        }
        // One writer per output directory: a second run (or merge, report) there is refused.
        let lock = try DirectoryLock(directory: directory, command: "run")
        defer { withExtendedLifetime(lock) {} }
        let runner = try StudyRunner(spec: spec, dataset: dataset, directory: directory, options: options,
                                     progress: ProgressReporter(quiet: quiet))
        runner.score = StudyPipeline.progressScore(dataset: dataset, rows: runner.evalRows, target: spec.benchmarkTarget)
        runner.selectionScore = try StudyPipeline.selectionScore(spec: spec, dataset: dataset, evaluationRows: runner.evalRows)
        let summary = try runner.run()
        if summary.interrupted { throw WorkbenchError.interrupted }
        if !summary.failed.isEmpty { throw WorkbenchError.modelsFailed(summary.failed.map { "\($0.id): \($0.error ?? "")" }) }
        if let shard {
            print("shard \(shard) stored in \(directory.path); when every shard is done: workbench merge \(shellQuote(studyDirectory.path))")
            return
        }
        let report = try phases.run("analysing") { try StudyPipeline.analyseAndReport(spec: spec, dataset: dataset, directory: directory) }
        print("predictions: \(runner.store.predictionsPath)")
        print("report: \(report.path)")
        let contrasts = try StudyPipeline.contrastLines(directory: directory)
        if !contrasts.isEmpty { print(contrasts) }
        // The report's five-line summary (what to submit), last so it is what the terminal shows.
        print(try StudyReport.summaryText(directory: directory))
    }

    /// `--check`: the models trained at once (`--jobs`, default every core, at most one per model
    /// and the benchmark) and the memory estimate of the run at that count.
    func checkEstimate(_ spec: StudySpec, dataset: Dataset, plans: [ModelPlan]) -> (jobs: Int, bytes: Int) {
        let jobs = max(1, min(self.jobs ?? ProcessInfo.processInfo.activeProcessorCount, plans.count + 1))
        let bytes = MemoryEstimate(dataset: dataset, plans: plans, evaluationRows: evaluationRows(dataset).count, jobs: jobs,
                                   generated: spec.data.isGenerated, pruning: spec.pruning).peak
        return (jobs, bytes)
    }

    /// A study with `replicates`: every replicate in DIR/replicates/<label>/, then pooled (ReplicateRun).
    func runReplicates(_ spec: StudySpec) throws {
        if check {
            let dataset = try spec.loadData()
            let summary = PlanSummary(spec: spec, plans: try Planner(spec: spec, dataset: dataset).plans())
            if json {
                // Each replicate's own plan and estimate (they run one after another: the peak is the largest).
                var replicates: [RunCheckJSON.Replicate] = []
                try ReplicateRun.checkEach(spec) { cell, child, data in
                    let plans = try Planner(spec: child, dataset: data).plans()
                    let (jobs, bytes) = checkEstimate(child, dataset: data, plans: plans)
                    replicates.append(.init(cell: cell, summary: PlanSummary(spec: child, plans: plans), dataset: data,
                                            spans: cell.fold == nil ? nil : ReplicateRun.foldSpans(data, child), jobs: jobs, memoryBytes: bytes))
                }
                return print(try RunCheckJSON.render(summary: summary, models: models, dataset: dataset,
                                                     jobs: replicates.map(\.jobs).max(), memoryBytes: replicates.map(\.memoryBytes).max(),
                                                     replicates: replicates), terminator: "")
            }
            print(summary.render())
            if models { print(summary.renderModels()) }   // the first replicate's draw
            print(try ReplicateRun.check(spec))
            return
        }
        var options = RunOptions()
        if let jobs { options.jobs = jobs }
        options.force = force
        let directory = URL(fileURLWithPath: out ?? "results/\(spec.name)")
        if let replicate {
            return try ReplicateRun.runOne(spec: spec, label: replicate, directory: directory, options: options,
                                           shard: try resolvedShard(), quiet: quiet)
        }
        printLines(try ReplicateRun.run(spec: spec, directory: directory, options: options, shard: try resolvedShard(), quiet: quiet,
                                        executable: try SlurmCommand.executablePath()))
    }

    func resolvedShard() throws -> Shard? {
        do {
            if let shard { return try Shard(parsing: shard) }
            return try Shard.fromEnvironment()
        } catch let error as StudiesError {
            throw WorkbenchError.usage(error.description)   // a bad --shard (or environment) is a usage error
        }
    }

    func studyOrFail() throws -> StudySpec { try StudySpec.load(study) }
}
