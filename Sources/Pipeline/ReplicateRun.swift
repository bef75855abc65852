import Diversity
import EraData
import Foundation
import PredictionStore
import Reports
import Studies
import Support

/// A study with `replicates`: every replicate is a complete study of its own in
/// `DIR/replicates/<label>/` (its own study.json, predictions.h5, metrics.json, report.md, and
/// `shards/` when sharded), so resume, `--shard`, `merge` and `slurm` work per replicate exactly
/// as for one study. When all are analysed, their metrics are pooled into `DIR/replicates.json`,
/// `DIR/replicates.md`, `DIR/charts/forest-*.svg` and `DIR/metrics.json` (`replicates[]`).
/// Functions that end a command return the lines it prints; the CLI prints them.
public enum ReplicateRun {
    /// Two-sided level of the pooled intervals (the reports' 90%).
    static let level = 0.9

    /// The replicated study `DIR/study.json` records, or nil when DIR holds none.
    public static func parentSpec(in directory: URL) -> StudySpec? {
        guard let record = try? StudyRunner.StudyRecordFile.read(directory), let spec = try? record.spec(),
              spec.replicates != nil else { return nil }
        return spec
    }

    static func replicateDirectory(_ directory: URL, _ cell: ReplicateCell) -> URL {
        directory.appendingPathComponent("replicates").appendingPathComponent(cell.label)
    }

    static func log(_ text: String, quiet: Bool) {
        if !quiet { FileHandle.standardError.write(Data((text + "\n").utf8)) }
    }

    static func cells(_ spec: StudySpec) throws -> [(cell: ReplicateCell, spec: StudySpec)] {
        do { return try spec.replicateStudies() } catch let error as StudiesError { throw located(error, spec) }
    }

    static func loadData(_ child: StudySpec) throws -> Dataset {
        do { return try child.loadData() } catch let error as StudiesError { throw located(error, child) }
    }

    /// A study error named by the study file it came from (when the study was read from one).
    static func located(_ error: StudiesError, _ spec: StudySpec) -> StudiesError {
        guard let file = spec.sourcePath else { return error }
        return error.inFile(file)
    }

    /// `workbench run --check`: the replicates and, per walk-forward fold, its eras.
    public static func check(_ spec: StudySpec) throws -> String {
        let cells = try cells(spec)
        var lines = ["replicates: \(cells.count) (limit \(Replicates.maxCount)), each in replicates/<label>/:"]
        var cached: [UInt64?: Dataset] = [:]
        for (cell, child) in cells {
            var line = "  \(cell.label): data seed \(cell.dataSeed.map(String.init) ?? "of the study"), study seed \(cell.studySeed)"
            if let fold = cell.fold {
                let d = try replicateData(cell, child, cache: &cached)
                let (train, eval) = foldSpans(d, child)
                line += ", fold \(fold.index)/\(fold.of): train \(train.map(spanText) ?? "—"), evaluation \(eval.map(spanText) ?? "—") (selection, embargo \(child.evaluation.embargoEras), test inside it)"
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// `workbench run --check --json`: every replicate's cell, study and data (what `run
    /// --replicate` would train on), handed to `body` one at a time, in order.
    public static func checkEach(_ spec: StudySpec, _ body: (ReplicateCell, StudySpec, Dataset) throws -> Void) throws {
        var cached: [UInt64?: Dataset] = [:]
        for (cell, child) in try cells(spec) { try body(cell, child, try replicateData(cell, child, cache: &cached)) }
    }

    /// A replicate's data: its data seed's dataset, cut to its fold. Fold cuts depend on the
    /// data's eras only, so one dataset per data seed is loaded; `cache` keeps the latest one
    /// (cells come data seed by data seed).
    static func replicateData(_ cell: ReplicateCell, _ child: StudySpec, cache: inout [UInt64?: Dataset]) throws -> Dataset {
        let full: Dataset
        if let d = cache[cell.dataSeed] { full = d } else {
            full = try loadData(child.withoutFold)
            cache = [cell.dataSeed: full]
        }
        guard let fold = cell.fold else { return full }
        return try foldData(fold, full, child)
    }

    /// The train eras and the evaluation eras (selection, embargo and test) of a replicate's data.
    public static func foldSpans(_ d: Dataset, _ child: StudySpec) -> (train: EraSpan?, evaluation: EraSpan?) {
        (EraSpan(d.eraIndices(in: .train).map { d.eras[$0] }), EraSpan(d.eraIndices(in: child.evaluation.split).map { d.eras[$0] }))
    }

    static func foldData(_ fold: WalkForwardFold, _ full: Dataset, _ child: StudySpec) throws -> Dataset {
        do { return try fold.apply(to: full, evaluation: child.evaluation) } catch let error as StudiesError {
            throw located(error, child)
        }
    }

    static func spanText(_ s: EraSpan) -> String { s.count == 1 ? "\(s.first) (1 era)" : "\(s.first)–\(s.last) (\(s.count) eras)" }

    /// Prepares `DIR` for the replicated study (refusing another study unless `force`), then runs
    /// every replicate in order, each in a process of its own (`workbench run STUDY --replicate
    /// LABEL`, the same binary): a replicate's memory is returned when it ends, and Ctrl-C reaches
    /// the one replicate in flight, which keeps what it stored and exits 130; so does this run.
    /// `executable`: the path of the `workbench` binary that runs each replicate.
    public static func run(spec: StudySpec, directory: URL, options: RunOptions, shard: Shard?, quiet: Bool,
                           executable: String) throws -> [String] {
        let cells = try cells(spec)
        guard let studyPath = spec.sourcePath else { throw PipelineError.replicatedStudyWithoutFile }
        let fm = FileManager.default
        // With walk-forward folds the first replicate's data is cut before anything is written:
        // its fold has the fewest training eras and every fold's window has the same size, so a
        // data set too small for the folds is refused here, with nothing created.
        if spec.replicates?.walkForwardFolds != nil, let first = cells.first { _ = try loadData(first.spec) }
        if options.force, let previous = try? StudyRunner.StudyRecordFile.read(directory), previous.hash != spec.hash {
            // Replicates the changed study no longer has go; a replicate it still has is kept
            // when its own study is unchanged (same hash: the same results) and replaced by its
            // own run otherwise.
            let labels = Set(cells.map { $0.cell.label })
            let root = directory.appendingPathComponent("replicates")
            for name in (try? fm.contentsOfDirectory(atPath: root.path)) ?? [] where !labels.contains(name) {
                try? fm.removeItem(at: root.appendingPathComponent(name))
            }
            for name in ["replicates.json", "replicates.md"] { try? fm.removeItem(at: directory.appendingPathComponent(name)) }
        }
        try StudyRunner.prepareDirectory(directory, spec: spec, force: options.force)
        let interrupt = InterruptForwarder()
        defer { interrupt.stop() }
        for (i, (cell, _)) in cells.enumerated() {
            log("replicate \(i + 1)/\(cells.count): \(cell.label)", quiet: quiet)
            var arguments = ["run", studyPath, "--out", directory.path, "--replicate", cell.label, "--jobs", String(options.jobs)]
            if let shard { arguments += ["--shard", "\(shard.index)/\(shard.count)"] }
            if quiet { arguments.append("--quiet") }
            if options.force { arguments.append("--force") }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            try interrupt.run(process)
            if interrupt.isSet || process.terminationStatus == 130 {
                throw PipelineError.interrupted(replicate: cell.label)
            }
            // The replicate printed its own error.
            guard process.terminationStatus == 0 else {
                throw PipelineError.replicateProcessFailed(replicate: cell.label, exitCode: process.terminationStatus)
            }
        }
        if let shard {
            return ["shard \(shard) of \(cells.count) replicate(s) stored under \(directory.appendingPathComponent("replicates").path); when every shard is done: workbench merge \(shellQuote(directory.path))"]
        }
        let runs = try cells.map { try readRunSummary(directory, $0.cell) }
        return try pool(spec: spec, runs: runs, directory: directory)
    }

    /// One replicate in this process (`workbench run STUDY --replicate LABEL`, as `run` starts
    /// it): trains it (its shard) into `DIR/replicates/<label>/`, analyses it unless sharded or
    /// already analysed, and records its eras in `replicate.json`.
    public static func runOne(spec: StudySpec, label: String, directory: URL, options: RunOptions, shard: Shard?, quiet: Bool) throws {
        let cells = try cells(spec)
        guard let (cell, child) = cells.first(where: { $0.cell.label == label }) else {
            throw PipelineError.unknownReplicate(label, known: cells.map { $0.cell.label })
        }
        let dir = replicateDirectory(directory, cell)
        let dataset = try PhaseProgress(quiet: quiet).loadingData { try loadData(child) }
        var childOptions = options
        var target = dir
        if let shard {
            let planner = try Planner(spec: child, dataset: dataset)
            childOptions.only = planner.models(of: shard)
            childOptions.includeBenchmark = shard.index == 0
            target = shard.directory(in: dir)
        }
        let summary: RunSummary
        do {
            let runner = try StudyRunner(spec: child, dataset: dataset, directory: target, options: childOptions,
                                         progress: ProgressReporter(quiet: quiet))
            runner.selectionScore = try StudyPipeline.selectionScore(spec: child, dataset: dataset, evaluationRows: runner.evalRows)
            summary = try runner.run()
        } catch let error as StudiesError {
            throw PipelineError.inReplicate(cell.label, error.description)
        }
        if summary.interrupted { throw PipelineError.interrupted(replicate: cell.label) }
        if !summary.failed.isEmpty {
            throw PipelineError.modelsFailed(replicate: cell.label, summary.failed.map { "\($0.id): \($0.error ?? "")" })
        }
        if shard == nil {
            // A replicate finished by an earlier run keeps its analysis; one whose analysis was
            // cut short (report.md is written last) is analysed again.
            let upToDate = summary.trained == 0 && ["metrics.json", "report.md", "models.csv", "per_era.csv"].allSatisfy {
                FileManager.default.fileExists(atPath: dir.appendingPathComponent($0).path)
            }
            if !upToDate { try StudyPipeline.analyseAndReport(spec: child, dataset: dataset, directory: dir) }
        }
        try writeRunSummary(runSummary(cell, dataset: dataset, directory: directory), directory: directory)
    }

    /// `DIR/replicates/<label>/replicate.json`: the replicate's seeds, fold and training eras,
    /// written by whichever step loaded its data, read when pooling.
    static func writeRunSummary(_ run: ReplicateRunSummary, directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try Charts.write(String(decoding: try encoder.encode(run), as: UTF8.self) + "\n",
                         to: directory.appendingPathComponent(run.directory).appendingPathComponent("replicate.json"))
    }

    static func readRunSummary(_ directory: URL, _ cell: ReplicateCell) throws -> ReplicateRunSummary {
        let file = replicateDirectory(directory, cell).appendingPathComponent("replicate.json")
        guard let data = FileManager.default.contents(atPath: file.path),
              let run = try? JSONDecoder().decode(ReplicateRunSummary.self, from: data) else {
            throw PipelineError.inReplicate(cell.label, "\(file.path) missing or unreadable; run the same command again")
        }
        return run
    }

    /// `workbench merge DIR` of a replicated study: merges each replicate's shards and analyses
    /// it; missing shards of any replicate are listed together with the one command per shard
    /// that completes them all (a shard run resumes every replicate it touches).
    public static func merge(spec: StudySpec, directory: URL) throws -> [String] {
        let cells = try cells(spec)
        var problems: [String] = []
        var missingShards = Set<Int>(), shardCount = 0
        var runs: [ReplicateRunSummary] = []
        for (cell, child) in cells {
            let dir = replicateDirectory(directory, cell)
            let dataset = try loadData(child)
            do {
                _ = try ShardMerger.merge(directory: dir, spec: child, dataset: dataset)
            } catch let StudiesError.incompleteShards(incomplete) {
                shardCount = incomplete.shardCount
                for p in incomplete.problems {
                    missingShards.insert(p.shard)
                    problems.append("  replicate \(cell.label), shard \(p.shard): \(p.state)")
                }
                continue
            } catch let error as StudiesError {
                throw PipelineError.inReplicate(cell.label, error.description)
            }
            try StudyPipeline.analyseAndReport(spec: child, dataset: dataset, directory: dir)
            let run = runSummary(cell, dataset: dataset, directory: directory)
            try writeRunSummary(run, directory: directory)
            runs.append(run)
        }
        if !problems.isEmpty {
            let script = directory.appendingPathComponent("slurm/shards.sbatch").path
            throw PipelineError.replicateShardsMissing(problems, study: spec.sourcePath ?? "STUDY.json", directory: directory.path,
                                                       shards: missingShards.sorted(), shardCount: shardCount,
                                                       slurmScript: FileManager.default.fileExists(atPath: script) ? script : nil)
        }
        return try pool(spec: spec, runs: runs, directory: directory)
    }

    /// `workbench report DIR` of a replicated study: re-analyses every replicate from its stored
    /// predictions, then pools again.
    public static func report(spec: StudySpec, directory: URL) throws -> [String] {
        var runs: [ReplicateRunSummary] = []
        for (cell, child) in try cells(spec) {
            let dir = replicateDirectory(directory, cell)
            guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("predictions.h5").path) else {
                throw PipelineError.inReplicate(cell.label, "\(dir.path)/predictions.h5 not found: run (or merge) the study first")
            }
            let dataset = try loadData(child)
            do { try StudyPipeline.analyseAndReport(spec: child, dataset: dataset, directory: dir) } catch let error as StoreError {
                throw PipelineError.inReplicate(cell.label, "\(error)")
            }
            let run = runSummary(cell, dataset: dataset, directory: directory)
            try writeRunSummary(run, directory: directory)
            runs.append(run)
        }
        return try pool(spec: spec, runs: runs, directory: directory)
    }

    static func runSummary(_ cell: ReplicateCell, dataset: Dataset, directory: URL) -> ReplicateRunSummary {
        let train = dataset.eraIndices(in: .train).map { dataset.eras[$0] }
        return ReplicateRunSummary(label: cell.label, dataSeed: cell.dataSeed, studySeed: cell.studySeed,
                                   fold: cell.fold.map { "\($0.index)/\($0.of)" },
                                   directory: "replicates/\(cell.label)", train: EraSpan(train), selection: nil, test: nil)
    }

    /// Reads every replicate's metrics.json, pools, writes the outputs and returns the verdicts to print.
    static func pool(spec: StudySpec, runs: [ReplicateRunSummary], directory: URL) throws -> [String] {
        var evidence = ReplicateEvidence()
        var completed: [ReplicateRunSummary] = []
        for var run in runs {
            let file = directory.appendingPathComponent(run.directory).appendingPathComponent("metrics.json")
            guard let data = FileManager.default.contents(atPath: file.path) else {
                throw PipelineError.inReplicate(run.label, "\(file.path) not found")
            }
            do { try evidence.add(metricsJSON: data, replicate: run.label, level: level) } catch {
                throw PipelineError.inReplicate(run.label, "\(file.path): \(error)")
            }
            if let split = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["split"] as? [String: Any] {
                run.selection = EraSpan((split["selection_eras"] as? [String]) ?? [])
                run.test = EraSpan((split["test_eras"] as? [String]) ?? [])
            }
            completed.append(run)
        }
        let pooled = ReplicatePooling.pool(evidence, replicates: completed.map(\.label), level: level)
        let summary = ReplicateSummary(study: spec.name, level: level, replicates: completed, rows: evidence.estimates, pooled: pooled)
        let report = try ReplicateReport.write(summary, description: spec.description, to: directory)
        return verdictLines(summary) + ["replicates: \(directory.appendingPathComponent("replicates.json").path)",
                                        "report: \(report.path)"]
    }

    /// The pooled verdicts as `workbench run` prints them at the end.
    static func verdictLines(_ s: ReplicateSummary) -> [String] {
        var lines = ["pooled over \(s.replicates.count) replicate(s) (DerSimonian–Laird random effects, \(NumberFormat.compact(100 * s.level, 1))% intervals; robust = interval excludes 0 and the sign agrees in ≥ ⌈2k/3⌉ of k replicates):"]
        for p in s.pooled {
            let ci = ReplicateReport.interval(p.random.mean, p.random.ciLow, p.random.ciHigh)
            lines.append("  \(p.name): \(ci), τ² \(NumberFormat.metric(p.random.tau2, digits: 4)), I² \(NumberFormat.fixed(100 * p.random.i2, 0))%, sign agrees in \(p.signAgreement) of \(p.k) (needs \(p.signNeeded)): \(p.verdict)" + holmNote(p))
        }
        return lines
    }

    /// Contrasts: "; Holm over the pooled contrasts: p X, TOST p Y → verdict" (the call to quote among many).
    static func holmNote(_ p: PooledEstimate) -> String {
        guard let ph = p.pHolm, let v = p.verdictHolm else { return "" }
        let tost = p.tostPHolm.map { ", TOST p \(NumberFormat.metric($0, digits: 3))" } ?? ""
        return "; Holm over the pooled contrasts: p \(NumberFormat.metric(ph, digits: 3))\(tost) → \(v)"
    }
}

extension StudySpec {
    /// The same study on the whole data (for `--check`, which cuts the folds itself).
    var withoutFold: StudySpec {
        var s = self
        s.fold = nil
        return s
    }
}

/// Runs replicate processes one at a time and passes SIGINT/SIGTERM that reach this process on
/// to the one running (a terminal's Ctrl-C reaches both; `kill` may reach only this one).
final class InterruptForwarder: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    private var current: Process?
    private var sources: [DispatchSourceSignal] = []

    init() {
        // A signal source needs the default action (terminate) off; this process trains nothing.
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in self?.received(sig) }
            source.resume()
            sources.append(source)
        }
    }

    private func received(_ sig: Int32) {
        lock.lock(); defer { lock.unlock() }
        flag = true
        if let p = current, p.isRunning { kill(p.processIdentifier, sig) }
    }

    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return flag }

    /// Starts `process` (unless interrupted already) and waits for it.
    func run(_ process: Process) throws {
        lock.lock()
        if flag { lock.unlock(); return }
        current = process
        do { try process.run() } catch { current = nil; lock.unlock(); throw error }
        lock.unlock()
        process.waitUntilExit()
        lock.lock(); current = nil; lock.unlock()
    }

    func stop() {
        for s in sources { s.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
