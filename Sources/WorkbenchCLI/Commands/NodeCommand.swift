import ArgumentParser
import Foundation
import Node

struct NodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run one round for a farm's stakers: predict the live data, write and submit every staker's submission.",
        discussion: """
        NODE.json names the farm (made by `workbench mine`), the stakers (farm staker id → Numerai model id), \
        the live data (a path, or {"download": "v5.0/live.parquet"}) and the policy: keep (each staker its own \
        model), rotate (staker i submits the model of accepted staker (i + round) mod n) or pool (everyone the \
        ensemble). One round per invocation, for cron or a scheduler; everything is recorded in \
        FARM/rounds/<n>/ (round.json, submissions/, live/). Running the same round again submits only what is \
        missing and never a staker twice. The API key comes only from NUMERAI_PUBLIC_ID and NUMERAI_SECRET_KEY; \
        WORKBENCH_NUMERAI_API overrides the API's URL. Exit 1 when a staker is not submitted.
        """
    )

    @Argument(help: "The node file (JSON).") var node: String
    @Flag(name: .customLong("dry-run"), help: "No network: predict and write the submissions under rounds/<n>/dry-run/, print what would be submitted.")
    var dryRun = false
    @Option(parsing: .unconditional, help: "The round (required with --dry-run; otherwise it must be Numerai's open round).") var round: Int?
    @Option(name: [.customShort("j"), .customLong("jobs"), .customLong("threads")], parsing: .unconditional, help: "Threads for prediction (default: every core).")
    var jobs: Int?
    var threads: Int { jobs ?? ProcessInfo.processInfo.activeProcessorCount }
    @Flag(name: [.customShort("q"), .long], help: "No progress lines, only the summary and errors.") var quiet = false

    mutating func validate() throws {
        jobs = try validatedJobs(jobs)
        if let round, round < 0 { throw ValidationError("--round must be ≥ 0") }
    }

    func run() throws {
        let quiet = self.quiet
        let config = try NodeConfig.load(node)
        var options = NodeOptions()
        options.dryRun = dryRun
        options.round = round
        options.threads = threads
        let result = try Node.run(config: config, options: options) { line in
            if !quiet { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        }
        if dryRun {
            print("round \(result.round), dry run (nothing sent):")
            for line in result.plan { print("  " + line) }
            return
        }
        let submitted = result.submittedNow.count + result.submittedBefore.count
        print("round \(result.round): \(submitted) of \(submitted + result.notSubmitted.count) stakers submitted (\(result.submittedNow.count) now, \(result.submittedBefore.count) earlier): \(result.recordPath)")
        guard result.notSubmitted.isEmpty else {
            throw WorkbenchError.notSubmitted(round: result.round, result.notSubmitted.map { "\($0.id) (\($0.error))" })
        }
    }
}
