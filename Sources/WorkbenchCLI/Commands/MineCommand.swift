import ArgumentParser
import Diversity
import EraData
import Foundation
import Mining
import Pipeline
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

    @Option(parsing: .unconditional, help: "Number of stakers named staker-0001, staker-0002, …")
    var count: Int?

    @Option(name: [.customShort("o"), .long], help: "Output directory of the farm.")
    var out: String

    @Option(name: [.customShort("j"), .long], parsing: .unconditional, help: "Candidates trained at once (default: the number of cores).")
    var jobs: Int?

    @Option(name: .customLong("max-attempts"), parsing: .unconditional, help: "Candidates per staker before it is marked not accepted.")
    var maxAttempts: Int = 10

    @Option(name: .customLong("max-corr"), parsing: .unconditional, help: "Accepted models' |corr| with every earlier one must be below this.")
    var maxCorr: Double = 0.95

    @Option(name: .customLong("min-corr"), parsing: .unconditional, help: "Mean per-era corr on the selection eras must exceed this.")
    var minCorr: Double = 0

    @Option(name: .customLong("min-bmc"), parsing: .unconditional, help: "Mean BMC against the example model on the selection eras must exceed this.")
    var minBMC: Double = 0

    @Flag(help: "Replace a farm of a different study or criteria in --out.")
    var force = false

    @Flag(name: [.customShort("q"), .long], help: "No progress or informational output (errors are still printed).")
    var quiet = false

    mutating func validate() throws {
        if (stakers == nil) == (count == nil) { throw ValidationError("give exactly one of --stakers FILE or --count N") }
        try validateStakerCount(count)
        jobs = try validatedJobs(jobs)
        if maxAttempts < 1 { throw ValidationError("--max-attempts must be ≥ 1") }
        if !(maxCorr > 0 && maxCorr <= 1) { throw ValidationError("--max-corr must be in (0, 1]") }
        if !minCorr.isFinite || !minBMC.isFinite { throw ValidationError("--min-corr and --min-bmc must be finite") }
    }

    func run() throws {
        let spec: StudySpec
        spec = try StudySpec.load(study)
        let ids: [String]
        ids = try stakers.map(StakerList.read) ?? StakerList.generated(count: count!)
        let dataset = try PhaseProgress(quiet: quiet).loadingData { try spec.loadData() }
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
        miner = try Miner(spec: spec, dataset: dataset, directory: directory, options: options) { line in
            if !quiet { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        }
        result = try miner.mine(stakers: ids)
        let report = try FarmReport.write(spec: spec, result: result, jobs: options.jobs, maxAttempts: maxAttempts,
                                          to: directory)
        let m = result.manifest
        let accepted = m.accepted.count
        let decided = m.stakers.reduce(0) { $0 + $1.candidates }
        print("\(accepted) of \(m.stakers.count) stakers hold an accepted model (\(decided) candidates decided); farm: \(directory.appendingPathComponent("farm.json").path); report: \(report.path)")
        withExtendedLifetime(miner) {}
    }
}
