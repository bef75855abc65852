import ArgumentParser
import Foundation
import Pipeline
import Studies

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the shards of a study (DIR/shards/) into DIR/predictions.h5, then analyse and report.",
        discussion: """
        Refuses shards of different studies; lists missing, unfinished or failed shards by index with \
        the command that completes each, and exits 1.
        """
    )

    @Argument(help: "The study's output directory (the --out of the shard runs).")
    var directory: String

    @Flag(name: [.customShort("q"), .long], help: "No progress or informational output (errors are still printed).")
    var quiet = false

    func run() throws {
        let url = URL(fileURLWithPath: directory)
        if let parent = ReplicateRun.parentSpec(in: url) { return printLines(try ReplicateRun.merge(spec: parent, directory: url)) }
        do {
            let lock = try DirectoryLock(directory: url, command: "merge")
            defer { withExtendedLifetime(lock) {} }
            let spec = try ShardMerger.study(in: url)
            let phases = PhaseProgress(quiet: quiet)
            let dataset = try phases.loadingData { try spec.loadData() }
            let store = try phases.run("merging shards") { try ShardMerger.merge(directory: url, spec: spec, dataset: dataset) }
            let report = try phases.run("analysing") { try StudyPipeline.analyseAndReport(spec: spec, dataset: dataset, directory: url) }
            if quiet { return }
            print("predictions: \(store.predictionsPath)")
            print("report: \(report.path)")
        }
    }
}
