import ArgumentParser
import Diversity
import EraData
import Foundation
import PredictionStore
import Studies
import Tournament

/// `workbench tournament SPEC.json --out DIR`: a simulated Numerai tournament over a study's
/// stored predictions (stake-weighted meta model, MMC, payouts, newcomer scenarios).
struct TournamentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tournament",
        abstract: "Simulate a tournament (meta model, MMC, payouts, newcomer scenarios) over a study's predictions.",
        discussion: """
        SPEC.json names the study output directory (`study`, relative to the spec file) whose
        predictions.h5 and study.json are used, the incumbents (count, stake distribution, groups by
        stake share), the newcomer counts and options, the payout rule and the inference settings
        (README "A simulated tournament"). Writes DIR/tournament.json, DIR/scores.csv (per incumbent
        and test era), DIR/report.md and DIR/charts/. Nothing is retrained.
        """
    )

    @Argument(help: "The tournament spec (JSON).")
    var spec: String

    @Option(help: "Output directory.")
    var out: String

    @Flag(help: "No progress output.")
    var quiet = false

    func run() throws {
        let started = Date()
        let tournament: TournamentSpec
        do { tournament = try TournamentSpec.load(spec) } catch let error as StudyError {
            throw WorkbenchError(error.description)
        }
        let studyDir = URL(fileURLWithPath: tournament.study)
        guard FileManager.default.fileExists(atPath: studyDir.appendingPathComponent("predictions.h5").path) else {
            throw WorkbenchError("\(spec): $.study: \(tournament.study)/predictions.h5 not found: run `workbench run` on the study first")
        }
        let outDir = URL(fileURLWithPath: out).standardized
        if outDir.path == studyDir.standardized.path
            || FileManager.default.fileExists(atPath: outDir.appendingPathComponent("predictions.h5").path) {
            throw WorkbenchError.usage("--out \(out) holds a study's predictions; choose another directory (inputs are never overwritten)")
        }
        func say(_ s: String) {
            let elapsed = String(format: "%.1f", Date().timeIntervalSince(started))
            if !quiet { FileHandle.standardError.write(Data("tournament: [\(elapsed) s] \(s)\n".utf8)) }
        }
        // The study as `workbench report` finds it: the file given (`studyFile`), else the copy in DIR/study.json.
        let studySpec = try ReportCommand.parse([studyDir.path] + (tournament.studyFile.map { ["--study", $0] } ?? [])).loadSpec(studyDir)
        let dataset: Dataset
        do { dataset = try studySpec.loadData() } catch let error as StudyError { throw WorkbenchError(error.description) }
        let stored: StoredStudy
        do { stored = try StoredStudy.read(directory: studyDir) } catch let error as StoreError { throw WorkbenchError(error.description) }
        let input = try StudyPipeline.prepare(spec: studySpec, stored: stored, dataset: dataset).input
        say("loaded \(input.models.count) models, \(input.rows.count) evaluation rows, \(dataset.featureCount) features")
        let output: TournamentRunner.Output
        do {
            let pool = try ModelPool(ids: input.models.map(\.id), arms: input.models.map(\.arm), predictions: input.predictions,
                                     rows: input.rows, dataset: dataset, targetIndex: input.targetIndex, example: input.benchmark,
                                     split: input.split, neutralContribution: tournament.neutralContribution)
            say("pool gaussianized once" + (pool.neutral != nil ? ", neutralized per test era" : ""))
            output = try TournamentRunner(spec: tournament, pool: pool).run(progress: say)
        } catch let error as StudyError {
            throw WorkbenchError(error.inFile(spec).description)
        } catch let error as TournamentError {
            throw WorkbenchError(error.description)
        }
        try TournamentReport.write(output, to: outDir)
        say("done")
        print("tournament: \(outDir.appendingPathComponent("tournament.json").path)")
        print("report: \(outDir.appendingPathComponent("report.md").path)")
    }
}
