import ArgumentParser
import EraData
import Foundation
import Pipeline
import PredictionStore
import Studies

/// `workbench report DIR`: re-analyses a finished study's stored predictions and re-renders
/// metrics.json, report.md and charts/ without training.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Re-analyse a study's stored predictions and re-render metrics.json, report.md and charts/.",
        discussion: """
        DIR is a `workbench run` output directory (predictions.h5 and study.json). The dataset is \
        loaded again from the study's data source; relative data paths resolve against the current \
        directory, or against the study file's directory when --study gives it. The study must be \
        the one the predictions were made for (same hash).
        """
    )

    @Argument(help: "The study's output directory, e.g. results/quickstart.")
    var directory: String

    @Option(help: "The study file the run used (default: the copy in DIR/study.json).")
    var study: String?

    @Flag(name: [.customShort("q"), .long], help: "No progress or informational output (errors are still printed).")
    var quiet = false

    func run() throws {
        let dir = URL(fileURLWithPath: directory)
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: dir.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw WorkbenchError.noSuchDirectory(directory)
        }
        // A replicated study: every replicate re-analysed, then pooled (ReplicateRun).
        if let parent = try study.map({ _ in try loadSpec(dir) }) ?? ReplicateRun.parentSpec(in: dir), parent.replicates != nil {
            return printLines(try ReplicateRun.report(spec: parent, directory: dir))
        }
        guard fm.fileExists(atPath: dir.appendingPathComponent("predictions.h5").path) else {
            throw WorkbenchError.noPredictionsIn(directory)
        }
        let lock = try DirectoryLock(directory: dir, command: "report")
        defer { withExtendedLifetime(lock) {} }
        let spec = try loadSpec(dir)
        let dataset: Dataset
        let phases = PhaseProgress(quiet: quiet)
        do { dataset = try phases.loadingData { try spec.loadData() } } catch let error as StudiesError where error.studyFileProblem != nil {
            throw WorkbenchError.reportDataNotFound(error.description, withoutStudy: study == nil)
        }
        let report: URL
        do { report = try phases.run("analysing") { try StudyPipeline.analyseAndReport(spec: spec, dataset: dataset, directory: dir) } } catch let error as CustomStringConvertible
                    where !(error is StoreError || error is PipelineError) {
            // Store and pipeline errors say where they are; any other failed on the stored predictions.
            throw WorkbenchError.at(dir.appendingPathComponent("predictions.h5").path, error.description)
        }
        if quiet { return }
        print("metrics: \(dir.appendingPathComponent("metrics.json").path)")
        print("report: \(report.path)")
    }

    /// The study from --study, else from DIR/study.json (as `workbench run` recorded it).
    func loadSpec(_ dir: URL) throws -> StudySpec {
        if let study { return try StudySpec.load(study) }
        let file = dir.appendingPathComponent("study.json")
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw WorkbenchError.noStudyRecord(file.path)
        }
        struct Recorded: Decodable { let study: String }
        guard let recorded = try? JSONDecoder().decode(Recorded.self, from: data) else {
            throw WorkbenchError.studyRecordUnreadable(file.path)
        }
        return try StudySpec.parse(Data(recorded.study.utf8), baseDirectory: FileManager.default.currentDirectoryPath)
    }
}
