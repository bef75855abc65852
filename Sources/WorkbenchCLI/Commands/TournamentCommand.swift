import ArgumentParser
import Diversity
import EraData
import EvaluationRules
import Foundation
import Mining
import Pipeline
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
        SPEC.json names the study output directory (`study`, relative to the spec file) whose \
        predictions.h5 and study.json are used, the incumbents (count, stake distribution, groups by \
        stake share), the newcomer counts and options, the payout rule and the inference settings \
        (README "A simulated tournament"). Writes DIR/tournament.json, DIR/scores.csv (per incumbent \
        and test era), DIR/report.md and DIR/charts/. Nothing is retrained.
        """
    )

    @Argument(help: "The tournament spec (JSON).")
    var spec: String

    @Option(name: [.customShort("o"), .long], help: "Output directory.")
    var out: String

    @Flag(name: [.customShort("q"), .long], help: "No progress or informational output (errors are still printed).")
    var quiet = false

    func run() throws {
        let started = Date()
        let tournament: TournamentSpec
        tournament = try TournamentSpec.load(spec)
        let studyDir = URL(fileURLWithPath: tournament.study)
        let marker = tournament.farm ? "farm.json" : "predictions.h5"
        guard FileManager.default.fileExists(atPath: studyDir.appendingPathComponent(marker).path) else {
            throw WorkbenchError.tournamentInputMissing(spec: spec, study: tournament.study, farm: tournament.farm)
        }
        let outDir = URL(fileURLWithPath: out).standardized
        if outDir.path == studyDir.standardized.path
            || FileManager.default.fileExists(atPath: outDir.appendingPathComponent("predictions.h5").path)
            || FileManager.default.fileExists(atPath: outDir.appendingPathComponent("farm.json").path) {
            throw WorkbenchError.outputHoldsInputs(out)
        }
        func say(_ s: String) {
            let elapsed = String(format: "%.1f", Date().timeIntervalSince(started))
            if !quiet { FileHandle.standardError.write(Data("tournament: [\(elapsed) s] \(s)\n".utf8)) }
        }
        let source = try tournament.farm ? Self.farmPool(tournament, spec: spec) : Self.studyPool(tournament, directory: studyDir)
        say("loaded \(source.ids.count) models, \(source.rows.count) evaluation rows, \(source.dataset.featureCount) features"
            + (tournament.farm ? " (farm: accepted stakers' saved models and the benchmark, predicted)" : ""))
        let output: TournamentRunner.Output
        do {
            let pool = try ModelPool(ids: source.ids, arms: source.arms, predictions: source.predictions,
                                     rows: source.rows, dataset: source.dataset, targetIndex: source.targetIndex, example: source.example,
                                     split: source.split, neutralContribution: tournament.neutralContribution)
            say("pool gaussianized once" + (pool.neutral != nil ? ", neutralized per test era" : ""))
            output = try TournamentRunner(spec: tournament, pool: pool).run(progress: say)
        } catch let error as StudiesError {
            throw error.inFile(spec)
        }
        try TournamentReport.write(output, to: outDir)
        say("done")
        print("tournament: \(outDir.appendingPathComponent("tournament.json").path)")
        print("report: \(outDir.appendingPathComponent("report.md").path)")
    }

    /// The models a tournament draws from, with their predictions on the evaluation rows.
    struct PoolSource {
        let ids: [String], arms: [String], predictions: [[Float]], rows: [Int32]
        let dataset: Dataset, targetIndex: Int, example: Int?, split: EvaluationSplit
    }

    /// A study's stored predictions, as `workbench report` finds the study: the file given
    /// (`studyFile`), else the copy in DIR/study.json.
    static func studyPool(_ tournament: TournamentSpec, directory: URL) throws -> PoolSource {
        let studySpec = try ReportCommand.parse([directory.path] + (tournament.studyFile.map { ["--study", $0] } ?? [])).loadSpec(directory)
        let dataset: Dataset
        dataset = try studySpec.loadData()
        let stored = try StoredStudy.read(directory: directory)
        let input = try StudyPipeline.prepare(spec: studySpec, stored: stored, dataset: dataset).input
        return PoolSource(ids: input.models.map(\.id), arms: input.models.map(\.arm), predictions: input.predictions, rows: input.rows,
                          dataset: dataset, targetIndex: input.targetIndex, example: input.benchmark, split: input.split)
    }

    /// A mined farm: its accepted stakers' saved models (ids = staker ids, arms = the arms they
    /// were drawn from), then its benchmark (arm "benchmark", the example model), each predicted on
    /// the study's evaluation rows; the farm must have been mined from `studyFile`.
    static func farmPool(_ tournament: TournamentSpec, spec path: String) throws -> PoolSource {
        let studySpec: StudySpec
        studySpec = try StudySpec.load(tournament.studyFile!)
        let dataset = try studySpec.loadData()
        let farm: FarmPredictions
        do {
            farm = try FarmPredictions.load(directory: URL(fileURLWithPath: tournament.study), spec: studySpec, dataset: dataset,
                                            threads: ProcessInfo.processInfo.activeProcessorCount)
        } catch let error as MiningError {
            throw WorkbenchError.at("\(path): $.farm", error.description)
        }
        guard !farm.stakers.isEmpty else {
            throw WorkbenchError.farmWithoutStakers(spec: path, study: tournament.study)
        }
        return PoolSource(ids: farm.stakers + ["benchmark"], arms: farm.arms + ["benchmark"], predictions: farm.predictions + [farm.benchmark],
                          rows: farm.evaluation.rows, dataset: dataset, targetIndex: farm.evaluation.targetIndex,
                          example: farm.stakers.count,
                          split: EvaluationSplit(selectionFraction: studySpec.evaluation.selectionFraction,
                                                 embargoEras: studySpec.evaluation.embargoEras))
    }
}
