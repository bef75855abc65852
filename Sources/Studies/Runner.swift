import Boosting
import EraData
import Foundation
import PredictionStore
import Support

/// Options of one run.
public struct RunOptions: Sendable {
    /// Models trained at once (each single-threaded, the dataset shared).
    public var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
    /// Replace results of a different study in the output directory.
    public var force = false
    /// Indices of the models this run trains (all when nil) — shards pass theirs.
    public var only: Set<Int>? = nil
    /// Train the benchmark model in this run.
    public var includeBenchmark = true
    public init() {}
}

/// What a finished run reports.
public struct RunSummary: Sendable {
    public let trained: Int
    public let resumed: Int
    public let failed: [ModelRecord]
    public let seconds: Double
    public let interrupted: Bool
}

/// The evaluation rows of a dataset: every non-train row, in order.
public func evaluationRows(_ dataset: Dataset) -> [Int32] {
    var out: [Int32] = []
    for (i, s) in dataset.splitOfRow.enumerated() where s != .train { out.append(Int32(i)) }
    return out
}

/// Trains a study's models in parallel with Dispatch over one shared, read-only dataset; one
/// writer stores each finished model; an interrupted run resumes from what was stored.
public final class StudyRunner: @unchecked Sendable {
    public let spec: StudySpec
    public let dataset: Dataset
    public let planner: Planner
    public let plans: [ModelPlan]
    public let directory: URL
    public let options: RunOptions
    public let store: PredictionStore
    /// Plan → trained model, the same path mining takes (`PlanTrainer`).
    public let trainer: PlanTrainer
    /// The rows every model predicts: all non-train rows, in order.
    public let evalRows: [Int32]
    /// `DataFingerprint.of(dataset)`, recorded in `DIR/study.json`.
    public let dataFingerprint: String

    /// Scores a model's evaluation predictions for progress display (higher is better).
    public var score: (@Sendable ([Float]) -> Double)?
    /// Scores a model's evaluation predictions on the selection eras only (successive halving
    /// ranks by it; `StudyPipeline.selectionScore`). A pruned study needs it.
    public var selectionScore: (@Sendable ([Float]) -> Double)?
    public var progress: ProgressReporter

    public init(spec: StudySpec, dataset: Dataset, directory: URL, options: RunOptions,
                progress: ProgressReporter = ProgressReporter()) throws {
        self.spec = spec
        self.dataset = dataset
        self.directory = directory
        self.options = options
        self.progress = progress
        (planner, trainer) = try PlanTrainer.planning(spec, on: dataset)
        plans = planner.plans()
        evalRows = evaluationRows(dataset)
        dataFingerprint = DataFingerprint.of(dataset)
        try Self.prepareDirectory(directory, spec: spec, force: options.force, fingerprint: dataFingerprint)
        store = try PredictionStore(
            directory: directory, studyName: spec.name, studyHash: spec.hash, studyJSON: spec.canonicalJSON,
            rows: evalRows, ids: evalRows.map { dataset.ids[Int($0)] },
            eraOfColumn: evalRows.map { dataset.eras[Int(dataset.eraOfRow[Int($0)])] }, modelCount: plans.count,
            labels: spec.columnLabels(rows: evalRows, dataset: dataset))
    }

    /// What a run, its merge and its analysis write in a study directory besides `study.json`
    /// (`--force` removes them; no other command's output may replace them).
    public static let resultNames = ["parts", "predictions.h5", "predictions.h5.damaged", "metrics.json", "report.md", "charts",
                                     "shards", "models.csv", "per_era.csv", "pruning.json"]

    /// Creates the output directory and records the study and its data fingerprint
    /// (`DataFingerprint`); refuses, unless forced, a directory holding a different study or the
    /// same study trained on different data (resuming would mix models of both). Even forced, it
    /// only ever removes workbench's own outputs, and only in a directory whose `study.json` is a
    /// study record workbench wrote.
    public static func prepareDirectory(_ directory: URL, spec: StudySpec, force: Bool, fingerprint: String? = nil) throws {
        let fm = FileManager.default
        let studyFile = directory.appendingPathComponent("study.json")
        if let existing = fm.contents(atPath: studyFile.path) {
            guard let previous = try? JSONDecoder().decode(StudyRecordFile.self, from: existing) else {
                throw StudiesError.foreignStudyRecord(file: studyFile.path, directory: directory.path)
            }
            var mismatch: StudiesError? = nil
            if previous.hash != spec.hash {
                mismatch = .differentStudy(directory: directory.path, stored: previous.hash, study: spec.hash)
            } else if let before = previous.data, let now = fingerprint, before != now {
                mismatch = .dataChanged(directory: directory.path, stored: before, now: now)
            }
            if let mismatch {
                guard force else { throw mismatch }
                for name in resultNames {
                    try? fm.removeItem(at: directory.appendingPathComponent(name))
                }
            }
        }
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        var record = StudyRecordFile(name: spec.name, hash: spec.hash, study: spec.canonicalJSON, path: spec.sourcePath)
        record.data = fingerprint
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try writeAtomically(try encoder.encode(record), to: studyFile.path)
    }

    /// `DIR/study.json`: which study the directory holds, and where its file was.
    public struct StudyRecordFile: Codable {
        public let name: String
        public let hash: String
        public let study: String
        public let path: String?
        /// `DataFingerprint` of the data the models were trained on (absent in older records).
        public var data: String? = nil

        public static func read(_ directory: URL) throws -> StudyRecordFile {
            let url = directory.appendingPathComponent("study.json")
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw StudiesError.noStudyRecord(file: url.path)
            }
            do { return try JSONDecoder().decode(StudyRecordFile.self, from: data) } catch {
                throw StudiesError.unreadableStudyRecord(file: url.path, reason: "\(error)")
            }
        }

        /// The study this directory holds, parsed again from its recorded canonical JSON.
        public func spec() throws -> StudySpec {
            let base = path.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? "."
            var spec = try StudySpec.parse(Data(study.utf8), baseDirectory: base)
            spec.sourcePath = path
            return spec
        }
    }

    /// Training rows of a plan: train-split rows of the eras it keeps.
    public func trainRows(for plan: ModelPlan) -> [Int32] { trainer.trainRows(for: plan) }

    /// Trains one plan (`PlanTrainer.train`) and predicts the evaluation rows. With `threadBudget`
    /// the model may use up to `threads` cores, as many at each node as the budget allows
    /// (results do not depend on it).
    public func train(_ plan: ModelPlan, threads: Int = 1, threadBudget: (@Sendable () -> Int)? = nil,
                      isCancelled: @escaping @Sendable () -> Bool = { false }) throws -> (Booster, [Float], Double) {
        let (booster, seconds) = try trainer.train(plan, threads: threads, threadBudget: threadBudget, isCancelled: isCancelled)
        let predictThreads = min(threads, max(1, threadBudget?() ?? 1))
        return (booster, trainer.predict(booster, rows: evalRows, threads: predictThreads), seconds)
    }

    /// `--jobs` clamped to what can run at once: at most one worker per model (and the benchmark),
    /// so a huge value means "as many as useful", never an overflow or a refusal.
    public var effectiveJobs: Int { max(1, min(options.jobs, plans.count + 1)) }

    /// What the run needs at most, phase by phase. A run that trains a shard does not analyse.
    public var estimate: MemoryEstimate {
        MemoryEstimate(dataset: dataset, plans: plans, evaluationRows: evalRows.count, jobs: effectiveJobs,
                       analysisThreads: options.only == nil ? ProcessInfo.processInfo.activeProcessorCount : 0,
                       generated: spec.data.isGenerated, pruning: spec.pruning)
    }

    /// Bytes the run needs at most (`estimate.peak`), and the machine's memory.
    public func memoryEstimate() -> (needed: Int, available: Int) {
        (estimate.peak, Int(ProcessInfo.processInfo.physicalMemory))
    }

    /// Runs the study (or this run's share of it). Returns when every model is stored or the run
    /// was interrupted (then `interrupted` is true and the finished models are kept).
    public func run() throws -> RunSummary {
        let (needed, available) = memoryEstimate()
        if Double(needed) > MemoryBudget.usable(of: available) {
            throw StudiesError.notEnoughMemory(needed: needed, available: available)
        }
        if let pruning = spec.pruning { return try runPruned(pruning) }   // PrunedRun.swift
        let done = try store.completed()
        if let note = store.damagedStoreMovedAside {
            FileHandle.standardError.write(Data("warning: \(note)\n".utf8))
        }
        var work: [ModelPlan] = plans.filter { (options.only?.contains($0.index) ?? true) && done[$0.index]?.status != .done }
        if options.includeBenchmark, let b = planner.benchmarkPlan(), done[-1] == nil { work.insert(b, at: 0) }
        // Longest first balances the workers (LPT).
        work.sort { planner.cost($0) > planner.cost($1) || (planner.cost($0) == planner.cost($1) && $0.index < $1.index) }
        let resumed = (options.only.map { set in done.keys.filter { set.contains($0) }.count } ?? done.keys.filter { $0 >= 0 }.count)
        let total = work.count
        progress.start(total: total, resumed: resumed)

        let cancelled = CancellationFlag()
        let signalSource = installInterruptHandler(cancelled)
        defer { signalSource?.cancel() }

        let queue = work
        let state = RunState()
        let writer = DispatchQueue(label: "workbench.store.writer")
        let started = Date()
        let jobs = max(1, min(effectiveJobs, total))

        DispatchQueue.concurrentPerform(iterations: jobs) { _ in
            while let plan = state.take(from: queue, unless: cancelled) {
                let record: ModelRecord
                var predictions: [Float] = []
                do {
                    // Every worker's core goes to the models still training: when the queue runs
                    // dry, the last models split the cores that finished workers left.
                    defer { state.doneTraining() }
                    let (booster, preds, seconds) = try train(plan, threads: jobs,
                                                              threadBudget: { state.threadBudget(jobs: jobs) },
                                                              isCancelled: { cancelled.isSet })
                    predictions = preds
                    record = makeRecord(plan, trees: booster.trees.count, seconds: seconds, status: .done, error: nil)
                } catch is CancellationError {
                    return
                } catch {
                    record = makeRecord(plan, trees: 0, seconds: 0, status: .failed, error: "\(error)")
                }
                let value = record.status == .done ? score?(predictions) : nil
                writer.sync {
                    do {
                        try store.save(record, predictions: predictions)
                        state.stored(record)
                        progress.finished(record, score: value)
                    } catch {
                        state.fail(error)
                    }
                }
            }
        }
        let (trained, failed, writeError) = state.result
        if let writeError { throw writeError }
        progress.stop(interrupted: cancelled.isSet)
        releaseFreedMemory()   // the workers' buffers, before analysis allocates
        try store.consolidate(placeholders: plans.map { makeRecord($0, trees: 0, seconds: 0, status: .pending, error: nil) })
        let complete = try store.completed()
        if plans.allSatisfy({ complete[$0.index]?.status == .done }) {
            try store.removeParts()
        }
        return RunSummary(trained: trained, resumed: resumed, failed: failed,
                          seconds: Date().timeIntervalSince(started), interrupted: cancelled.isSet)
    }

    func makeRecord(_ plan: ModelPlan, trees: Int, seconds: Double, status: ModelRecord.Status, error: String?) -> ModelRecord {
        ModelRecord(index: plan.index, id: plan.id, arm: plan.arm, target: plan.target, parameters: plan.parameters.resolved,
                    droppedEras: plan.droppedEras.count, droppedFeatures: plan.droppedFeatures.count,
                    descriptors: plan.descriptors(trainEraCount: planner.trainEras.count, featureCount: dataset.featureCount),
                    trees: trees, trainSeconds: seconds, status: status, error: error)
    }

    func installInterruptHandler(_ flag: CancellationFlag) -> DispatchSourceSignal? {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { flag.set() }
        source.resume()
        let term = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
        term.setEventHandler { flag.set() }
        term.resume()
        // Keep the TERM source alive as long as the INT one.
        source.setCancelHandler { term.cancel(); signal(SIGINT, SIG_DFL); signal(SIGTERM, SIG_DFL) }
        return source
    }
}

/// The workers' shared queue position and tallies, behind one lock.
final class RunState: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var training = 0
    private var trained = 0
    private var failed: [ModelRecord] = []
    private var writeError: Error? = nil

    /// The next plan to train, or nil when done, cancelled or the store failed.
    func take(from work: [ModelPlan], unless cancelled: CancellationFlag) -> ModelPlan? {
        lock.lock(); defer { lock.unlock() }
        guard !cancelled.isSet, writeError == nil, next < work.count else { return nil }
        next += 1
        training += 1
        return work[next - 1]
    }

    /// A model taken by `take` has finished training (or failed, or was cancelled).
    func doneTraining() {
        lock.lock(); defer { lock.unlock() }
        training -= 1
    }

    /// Cores per model in training: the workers' `jobs` cores shared by the models in flight.
    func threadBudget(jobs: Int) -> Int {
        lock.lock(); defer { lock.unlock() }
        return max(1, jobs / max(1, training))
    }

    func stored(_ record: ModelRecord) {
        lock.lock(); defer { lock.unlock() }
        if record.status == .failed { failed.append(record) } else { trained += 1 }
    }

    func fail(_ error: Error) {
        lock.lock(); defer { lock.unlock() }
        writeError = error
    }

    var result: (Int, [ModelRecord], Error?) {
        lock.lock(); defer { lock.unlock() }
        return (trained, failed, writeError)
    }
}

/// A thread-safe flag.
final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}
