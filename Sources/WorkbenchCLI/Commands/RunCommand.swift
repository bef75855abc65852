import ArgumentParser
import EraData
import Foundation
import Studies

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a study: train its models in parallel, store predictions, analyse, report.",
        discussion: """
        Results go to --out (default results/<study name>/): predictions.h5, metrics.json, report.md,
        charts/. Interrupting (Ctrl-C) keeps every finished model; the same command resumes.
        """
    )

    @Argument(help: "The study file (JSON), e.g. experiments/quickstart.json.")
    var study: String

    @Option(help: "Output directory (default: results/<study name>).")
    var out: String?

    @Option(help: "Models trained at once (default: the number of cores).")
    var jobs: Int?

    @Flag(help: "Validate the study and print the resolved plan without training.")
    var check = false

    @Flag(help: "Replace results of a different study in the output directory.")
    var force = false

    @Flag(help: "No progress output.")
    var quiet = false

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be ≥ 1") }
    }

    func run() throws {
        let spec = try studyOrFail()
        let dataset = try spec.data.load()
        let planner = try Planner(spec: spec, dataset: dataset)
        if check {
            print(PlanSummary(spec: spec, plans: planner.plans()).render())
            print("data: \(dataset.rowCount) rows, \(dataset.eras.count) eras, \(dataset.featureCount) features, targets \(dataset.targetNames.joined(separator: ", "))")
            return
        }
        let directory = URL(fileURLWithPath: out ?? "results/\(spec.name)")
        var options = RunOptions()
        if let jobs { options.jobs = jobs }
        options.force = force
        let runner = try StudyRunner(spec: spec, dataset: dataset, directory: directory, options: options,
                                     progress: ProgressReporter(quiet: quiet))
        let summary = try runner.run()
        if summary.interrupted { throw WorkbenchError("interrupted; run the same command again to resume", exitCode: 130) }
        if !summary.failed.isEmpty {
            throw WorkbenchError("\(summary.failed.count) model(s) failed: " + summary.failed.map { "\($0.id): \($0.error ?? "")" }.joined(separator: "; "))
        }
        print("predictions: \(runner.store.predictionsPath)")
    }

    func studyOrFail() throws -> StudySpec {
        do { return try StudySpec.load(study) } catch let error as StudyError {
            throw WorkbenchError(error.description)
        }
    }
}
