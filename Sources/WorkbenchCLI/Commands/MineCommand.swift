import ArgumentParser
import Diversity
import EraData
import Foundation
import Reports
import Studies
import Support

struct MineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mine",
        abstract: "Mine a unique, validated model for every staker from a study's grid.",
        discussion: """
        Staker k's candidates are plans drawn from the study's arms by (study seed, staker id, attempt). \
        A candidate is accepted when, on the selection eras, mean corr > --min-corr, mean BMC against the \
        example model > --min-bmc, its recipe is new, and |corr| with every model accepted before it is \
        below --max-corr; otherwise the staker's next candidate is tried (--max-attempts). Stakers are \
        decided in list order, so the farm does not depend on --jobs.

        Output in --out: farm.json (every decision), stakers/<id>/ (model.wbm, model.txt for LightGBM, \
        params.json, metrics.json, live.csv when the data has live rows), schemes.json and report.md with \
        charts/ (acceptance, cost, uniqueness, and keep / rotate / pool on the test eras). \
        Running again with more stakers loads the existing models unchanged and mines only the new ones.
        """
    )

    @Argument(help: "The study file (JSON) whose grid the stakers' models are drawn from.")
    var study: String

    @Option(help: "File of staker ids, one per line (blank lines and # comments ignored).")
    var stakers: String?

    @Option(help: "Number of stakers named staker-0001, staker-0002, …")
    var count: Int?

    @Option(name: [.customShort("o"), .long], help: "Output directory of the farm.")
    var out: String

    @Option(name: [.customShort("j"), .long], help: "Candidates trained at once (default: the number of cores).")
    var jobs: Int?

    @Option(name: .customLong("max-attempts"), help: "Candidates per staker before it is marked not accepted.")
    var maxAttempts: Int = 10

    @Option(name: .customLong("max-corr"), help: "Accepted models' |corr| with every earlier one must be below this.")
    var maxCorr: Double = 0.95

    @Option(name: .customLong("min-corr"), help: "Mean per-era corr on the selection eras must exceed this.")
    var minCorr: Double = 0

    @Option(name: .customLong("min-bmc"), help: "Mean BMC against the example model on the selection eras must exceed this.")
    var minBMC: Double = 0

    @Flag(help: "Replace a farm of a different study or criteria in --out.")
    var force = false

    @Flag(name: [.customShort("q"), .long], help: "No progress or informational output (errors are still printed).")
    var quiet = false

    func validate() throws {
        if (stakers == nil) == (count == nil) { throw ValidationError("give exactly one of --stakers FILE or --count N") }
        if let count, count < 1 { throw ValidationError("--count must be ≥ 1") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be ≥ 1") }
        if maxAttempts < 1 { throw ValidationError("--max-attempts must be ≥ 1") }
        if !(maxCorr > 0 && maxCorr <= 1) { throw ValidationError("--max-corr must be in (0, 1]") }
        if !minCorr.isFinite || !minBMC.isFinite { throw ValidationError("--min-corr and --min-bmc must be finite") }
    }

    func run() throws {
        let spec: StudySpec
        do { spec = try StudySpec.load(study) } catch let error as StudyError { throw WorkbenchError(error.description) }
        let ids: [String]
        do { ids = try stakers.map(StakerList.read) ?? StakerList.generated(count: count!) } catch let error as MiningError {
            throw WorkbenchError(error.description)
        }
        let dataset = try spec.loadData()
        var options = MiningOptions()
        if let jobs { options.jobs = jobs }
        options.maxAttempts = maxAttempts
        options.criteria = MiningCriteria(minCorr: minCorr, minBMC: minBMC, maxCorr: maxCorr)
        options.force = force
        let quiet = self.quiet
        let directory = URL(fileURLWithPath: out)
        let result: FarmResult
        // Kept alive to the end of the command: it holds the farm directory's lock.
        let miner: Miner
        do {
            miner = try Miner(spec: spec, dataset: dataset, directory: directory, options: options) { line in
                if !quiet { FileHandle.standardError.write(Data((line + "\n").utf8)) }
            }
            result = try miner.mine(stakers: ids)
        } catch let error as MiningError {
            throw WorkbenchError(error.description)
        } catch let error as StudyError {
            throw WorkbenchError(error.description)
        }
        let schemes = FarmSimulation.run(evaluation: result.evaluation, models: result.models.map(\.scored),
                                         benchmark: result.benchmark)
        let schemesData = try CanonicalJSON.encode(schemes)
        try writeAtomically(to: directory.appendingPathComponent("schemes.json").path) {
            try schemesData.write(to: URL(fileURLWithPath: $0))
        }
        let report = try MiningReport.write(Self.reportInput(spec: spec, result: result, schemes: schemes, jobs: options.jobs,
                                                             maxAttempts: maxAttempts), to: directory)
        let m = result.manifest
        let accepted = m.accepted.count
        let decided = m.stakers.reduce(0) { $0 + $1.candidates }
        print("\(accepted) of \(m.stakers.count) stakers hold an accepted model (\(decided) candidates decided); farm: \(directory.appendingPathComponent("farm.json").path); report: \(report.path)")
        withExtendedLifetime(miner) {}
    }

    static func reportInput(spec: StudySpec, result: FarmResult, schemes: [SchemeResult], jobs: Int,
                            maxAttempts: Int) -> MiningReportInput {
        let m = result.manifest
        let e = result.evaluation
        let models = result.models
        var pairSelection: [Double] = [], pairTest: [Double] = []
        for i in models.indices {
            for j in (i + 1)..<max(models.count, i + 1) {
                pairSelection.append(e.correlation(models[i].scored.gaussianized, models[j].scored.gaussianized, span: e.selectionSpan))
                pairTest.append(e.correlation(models[i].scored.gaussianized, models[j].scored.gaussianized, span: e.testSpan))
            }
        }
        var counts: [RejectionReason: Int] = [:]
        for s in m.stakers { for r in s.rejections { for reason in r.reasons { counts[reason, default: 0] += 1 } } }
        let stakers = m.stakers.map { s in
            MiningReportInput.Staker(
                id: s.id, accepted: s.status == .accepted, candidates: s.candidates, acceptedAttempt: s.acceptedAttempt,
                arm: s.arm, selectionCorr: s.selection?.corrMean ?? .nan, selectionBMC: s.selection?.bmcMean ?? .nan,
                testCorr: s.test?.corrMean ?? .nan, testBMC: s.test?.bmcMean ?? .nan,
                maxCorrWithEarlier: s.maxCorrWithEarlier ?? .nan, trainSeconds: s.trainSeconds,
                lastRejection: s.rejections.last?.message)
        }
        let data: String
        switch spec.data {
        case .synthetic(let c):
            data = "synthetic, \(c.eras) eras × \(c.rowsPerEra) rows, \(c.features) features, noise \(c.noise), seed \(c.seed)"
        case .files(let paths, _):
            data = paths.joined(separator: ", ")
        }
        return MiningReportInput(
            studyName: m.study, studyHash: m.studyHash, data: data, target: m.target, evaluationSplit: m.evaluationSplit,
            selectionEras: m.selectionEras.count, testEras: m.testEras.count, embargoEras: m.embargoEras,
            minCorr: m.criteria.minCorr, minBMC: m.criteria.minBMC, maxCorr: m.criteria.maxCorr, maxAttempts: maxAttempts,
            stakers: stakers,
            rejectionCounts: RejectionReason.allCases.compactMap { r in counts[r].map { (r.rawValue, $0) } },
            candidatesTrained: m.runs.reduce(0) { $0 + $1.candidatesTrained },
            speculativeUnused: m.runs.reduce(0) { $0 + $1.speculativeUnused },
            wallSeconds: m.runs.reduce(0) { $0 + $1.wallSeconds }, jobs: jobs,
            pairwiseSelection: pairSelection, pairwiseTest: pairTest,
            distinctRecipes: Set(models.map { Recipe($0.plan) }).count,
            distinctRecipesIgnoringSeed: Set(models.map { Recipe($0.plan).ignoringSeed }).count,
            benchmarkSelectionCorr: m.benchmarkSelection.corrMean, benchmarkTestCorr: m.benchmarkTest.corrMean,
            schemes: schemes.map {
                MiningReportInput.Scheme(name: $0.scheme.title, stakerMeans: $0.stakerMeans, fundCorrMean: $0.fundCorrMean,
                                         fundCorrSharpe: $0.fundCorrSharpe, fundBMCMean: $0.fundBMCMean)
            },
            rotationRule: "staker i (mining order) holds model (i + t) mod n in test era t, so each era is a permutation and over any n consecutive eras every staker holds every model once")
    }
}
