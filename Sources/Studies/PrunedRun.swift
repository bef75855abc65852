import Boosting
import EvaluationRules
import EraData
import Foundation
import PredictionStore
import Support

/// Successive halving (`pruning`, see `PruningSpec` and `PruningRecord`): the run goes rung by
/// rung. Pass k trains every arm's undecided candidates to rung r_k (and the models whose
/// `n_estimators` ends by r_k to completion, the benchmark in the first pass), scores them on the
/// selection eras, records the decision in `DIR/pruning.json` and stores the pruned models with
/// their r_k-tree predictions; the last pass trains the survivors to their own `n_estimators`.
///
/// A survivor continues from the trees it has (`TrainingSession`): between passes the runner keeps
/// each candidate's paused session (training scores, bag, LightGBM's generators mid-stream, trees;
/// `TrainingSession.pausedBytes`, about 12 bytes per training row plus the trees) as long as the
/// sessions kept fit in the memory the run's estimate leaves free (half of 85% of the machine's
/// memory minus the rest of the run's peak: `MemoryEstimate.sessionBudget`, counted in its training phase); pruned models' sessions are dropped at each decision. A model
/// whose session was not kept (over that budget, or after an interrupted run) trains again from its
/// first tree, which gives the same bits: a session grown to r and then to R trees is the model
/// trained to R in one go, and a model stopped at r trees is bit for bit the first r trees of the
/// longer one. So a survivor of rung k costs R trees in all instead of r_1 + … + r_k + R (16 models
/// of 25,000 trees at 100/1000/10000, keep 0.5: 74,800 trees instead of 99,600 retraining, 400,000
/// unpruned); the run's log states the trees trained and what retraining would have cost.
/// Decisions depend on the predictions and model ids only, so they are the same at any `--jobs`.
/// Interrupted, the run keeps the decisions already recorded and every stored model; the same
/// command resumes at the pass in flight (its survivors retrain from tree 0: sessions live in memory).
extension StudyRunner {
    /// `sessionBudget` overrides the bytes of paused sessions kept between passes (tests);
    /// `tally` receives the trees trained; `cancelled` is the flag SIGINT/SIGTERM set (a caller
    /// may set it too: the run stops as if interrupted).
    func runPruned(_ pruning: PruningSpec, sessionBudget: Int? = nil, tally: PruningTally = PruningTally(),
                   cancelled: CancellationFlag = CancellationFlag()) throws -> RunSummary {
        guard options.only == nil else {
            throw StudiesError.at("$.pruning", .prunedStudySharded)
        }
        let started = Date()
        let shelf = SessionShelf(budget: sessionBudget ?? estimate.sessionBudget)
        var stored = try store.completed()
        if let note = store.damagedStoreMovedAside {
            FileHandle.standardError.write(Data("warning: \(note)\n".utf8))
        }
        guard let selectionScore else {
            throw StudiesError.pruningWithoutSelectionScore
        }
        let declaredArms = spec.arms.map { (name: $0.name, models: $0.models) }
        var record = try PruningRecord.read(directory: directory)
            ?? PruningRecord(rungs: pruning.rungs, keep: pruning.keep, by: pruning.by)
        guard record.rungs == pruning.rungs, record.keep == pruning.keep, record.by == pruning.by else {
            throw StudiesError.otherPruningSettings(file: directory.appendingPathComponent(PruningRecord.fileName).path)
        }
        record.summarize(arms: declaredArms)

        let benchmark = options.includeBenchmark && stored[-1] == nil ? planner.benchmarkPlan() : nil
        let final = { (i: Int) in stored[i].map { $0.status != .pending } ?? false }
        let resumed = plans.filter { final($0.index) }.count
        progress.start(total: plans.count - resumed + (benchmark == nil ? 0 : 1), resumed: resumed)

        let signalSource = installInterruptHandler(cancelled)
        defer { signalSource?.cancel() }
        var trained = 0
        var failed: [ModelRecord] = []

        /// Stores a final record (done, pruned or failed).
        func keep(_ r: ModelRecord, _ predictions: [Float]) throws {
            try store.save(r, predictions: predictions)
            stored[r.index] = r
            if r.status == .failed { failed.append(r) } else { trained += 1 }
            progress.finished(r, score: r.status == .failed ? nil : score?(predictions))
        }

        var alive = Set(plans.indices.filter { !final($0) })
        for (k, rung) in pruning.rungs.enumerated() {
            // Pruned at an earlier rung (recorded): no longer alive, whether or not stored yet.
            for d in record.decisions where d.rung < rung { for c in d.pruned { alive.remove(c.index) } }
            let declaredTrees = { (p: ModelPlan) in p.parameters.nEstimators }
            let finishing = plans.filter { alive.contains($0.index) && declaredTrees($0) <= rung }
            var undecided: [ModelPlan] = []
            var unstoredPruned: [ModelPlan] = []
            for arm in spec.arms {
                let candidates = plans.filter { $0.arm == arm.name && alive.contains($0.index) && declaredTrees($0) > rung }
                if let d = record.decision(rung: rung, arm: arm.name) {
                    unstoredPruned += d.pruned.filter { !final($0.index) }.map { plans[$0.index] }
                } else {
                    undecided += candidates
                }
            }
            var jobs = finishing.map { ($0, $0.parameters.nEstimators) } + (undecided + unstoredPruned).map { ($0, rung) }
            if k == 0, let benchmark { jobs.insert((benchmark, benchmark.parameters.nEstimators), at: 0) }
            // Candidates that may train on keep their sessions for the next pass.
            let continuing = Set(undecided.map(\.index))
            var atRung: [Int: (trees: Int, predictions: [Float])] = [:]
            let rungCandidates = Set((undecided + unstoredPruned).map(\.index))
            try trainPass(jobs, shelf: shelf, keepSession: continuing, tally: tally, cancelled: cancelled) { plan, trees, predictions, seconds, error in
                if let error {
                    try keep(self.makeRecord(plan, trees: 0, seconds: 0, status: .failed, error: error), [])
                } else if rungCandidates.contains(plan.index), trees! < rung || unstoredPruned.contains(plan) {
                    // Stopped before the rung (no tree could split): it is complete, not a candidate.
                    // A model pruned by a recorded decision is stored as such.
                    let status: ModelRecord.Status = trees! < rung ? .done : .pruned
                    try keep(self.makeRecord(plan, trees: trees!, seconds: seconds, status: status, error: nil), predictions)
                } else if rungCandidates.contains(plan.index) {
                    atRung[plan.index] = (trees!, predictions)
                } else {
                    try keep(self.makeRecord(plan, trees: trees!, seconds: seconds, status: .done, error: nil), predictions)
                }
            }
            for p in finishing { alive.remove(p.index) }
            if cancelled.isSet { break }
            // Decide each undecided arm from its candidates' rung predictions.
            for arm in spec.arms {
                let armCandidates = undecided.filter { $0.arm == arm.name && atRung[$0.index] != nil }
                guard record.decision(rung: rung, arm: arm.name) == nil, !armCandidates.isEmpty else { continue }
                let scores = armCandidates.map { (id: $0.id, index: $0.index, score: selectionScore(atRung[$0.index]!.predictions)) }
                record.decisions.append(PruningRecord.Decision(rung: rung, arm: arm.name,
                                                               candidates: PruningRecord.rank(scores, keep: pruning.keep)))
            }
            record.summarize(arms: declaredArms)
            // Recorded first: a crash before the pruned models are stored retrains them to the rung.
            try record.write(directory: directory)
            for d in record.decisions where d.rung == rung {
                for c in d.pruned where !final(c.index) {
                    guard let result = atRung[c.index] else { continue }
                    try keep(self.makeRecord(plans[c.index], trees: result.trees, seconds: 0, status: .pruned, error: nil), result.predictions)
                }
                for c in d.pruned { alive.remove(c.index); shelf.drop(c.index) }
            }
            for i in alive where final(i) { alive.remove(i) }
            if !cancelled.isSet { progress.write(progressNote(record, rung: rung)) }
        }
        if !cancelled.isSet {
            let survivors = plans.filter { alive.contains($0.index) }
            try trainPass(survivors.map { ($0, $0.parameters.nEstimators) }, shelf: shelf, keepSession: [], tally: tally,
                          cancelled: cancelled) { plan, trees, predictions, seconds, error in
                if let error {
                    try keep(self.makeRecord(plan, trees: 0, seconds: 0, status: .failed, error: error), [])
                } else {
                    try keep(self.makeRecord(plan, trees: trees!, seconds: seconds, status: .done, error: nil), predictions)
                }
            }
        }
        if record.decisions.isEmpty { record.summarize(arms: declaredArms) }
        try record.write(directory: directory)
        if !cancelled.isSet { progress.write(tally.note(interactive: progress.interactive)) }
        progress.stop(interrupted: cancelled.isSet)
        releaseFreedMemory()   // the workers' buffers, before analysis allocates
        try store.consolidate(placeholders: plans.map { makeRecord($0, trees: 0, seconds: 0, status: .pending, error: nil) })
        let complete = try store.completed()
        if plans.allSatisfy({ complete[$0.index].map { $0.status == .done || $0.status == .pruned } ?? false }) {
            try store.removeParts()
        }
        return RunSummary(trained: trained, resumed: resumed, failed: failed,
                          seconds: Date().timeIntervalSince(started), interrupted: cancelled.isSet)
    }

    /// The plan with `n_estimators` lowered to `trees` (its record keeps the declared value).
    func capped(_ plan: ModelPlan, trees: Int) -> ModelPlan {
        var parameters = plan.parameters
        parameters.nEstimators = trees
        return ModelPlan(index: plan.index, id: plan.id, arm: plan.arm, indexInArm: plan.indexInArm, parameters: parameters,
                         target: plan.target, droppedEras: plan.droppedEras, droppedFeatures: plan.droppedFeatures, notes: plan.notes)
    }

    /// One line per rung for the log: what it pruned in each arm.
    func progressNote(_ record: PruningRecord, rung: Int) -> String {
        let parts = record.decisions.filter { $0.rung == rung }.map { "\($0.arm) \($0.pruned.count) of \($0.candidates.count)" }
        return (progress.interactive ? "\r\u{1B}[K" : "") + "pruned at \(rung) trees: " + (parts.isEmpty ? "none" : parts.joined(separator: ", ")) + "\n"
    }

    /// Grows `jobs` (declared plan, trees) on the workers (longest first, as `run`), each from its
    /// session on `shelf` when one is kept, else from tree 0, and hands each result to `finished`
    /// on one serial queue: (declared plan, trees, evaluation predictions, seconds, error text).
    /// Sessions of `keepSession` models go back on the shelf, paused, when they can grow further.
    /// Stops taking jobs when cancelled.
    func trainPass(_ jobs: [(ModelPlan, Int)], shelf: SessionShelf, keepSession: Set<Int>, tally: PruningTally,
                   cancelled: CancellationFlag,
                   finished: @escaping (ModelPlan, Int?, [Float], Double, String?) throws -> Void) throws {
        guard !jobs.isEmpty else { return }
        // Cost of the trees still to grow (a kept session has some already).
        let remaining = jobs.map { capped($0.0, trees: max(1, $0.1 - shelf.trees($0.0.index))) }
        let order = jobs.indices.sorted { a, b in
            let ca = planner.cost(remaining[a]), cb = planner.cost(remaining[b])
            return ca > cb || (ca == cb && jobs[a].0.index < jobs[b].0.index)
        }
        let queue = order.map { capped(jobs[$0].0, trees: jobs[$0].1) }
        let declared = Dictionary(uniqueKeysWithValues: jobs.map { ($0.0.index, $0.0) })
        let state = RunState()
        let writer = DispatchQueue(label: "workbench.store.writer")
        let workers = max(1, min(effectiveJobs, queue.count))
        let callback = UncheckedBox(finished)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let plan = state.take(from: queue, unless: cancelled) {
                var result: (Int?, [Float], Double, String?)
                do {
                    defer { state.doneTraining() }
                    let kept = shelf.take(plan.index)
                    let session = try kept?.session ?? trainer.session(for: declared[plan.index]!)
                    let before = session.treeCount
                    let start = Date()
                    let booster = try session.grow(to: plan.parameters.nEstimators, threads: workers,
                                                   threadBudget: { state.threadBudget(jobs: workers) }) { _ in
                        if cancelled.isSet { throw CancellationError() }
                    }
                    let seconds = (kept?.seconds ?? 0) + Date().timeIntervalSince(start)
                    tally.add(grown: session.treeCount - before, model: booster.trees.count)
                    if keepSession.contains(plan.index) && !session.isFinished {
                        session.pause()
                        shelf.put(plan.index, session, seconds: seconds)
                    }
                    let predictThreads = min(workers, max(1, state.threadBudget(jobs: workers)))
                    result = (booster.trees.count, trainer.predict(booster, rows: evalRows, threads: predictThreads), seconds, nil)
                } catch is CancellationError {
                    return
                } catch {
                    result = (nil, [], 0, "\(error)")
                }
                writer.sync {
                    do { try callback.value(declared[plan.index]!, result.0, result.1, result.2, result.3) } catch { state.fail(error) }
                }
            }
        }
        if let error = state.result.2 { throw error }
    }
}

/// Paused training sessions kept between the passes of a pruned run (plan index → session and the
/// seconds it has trained), up to `budget` bytes of `TrainingSession.pausedBytes` in all.
final class SessionShelf: @unchecked Sendable {
    let budget: Int
    private var sessions: [Int: (session: TrainingSession, seconds: Double, bytes: Int)] = [:]
    private var bytes = 0
    private let lock = NSLock()

    init(budget: Int) { self.budget = budget }

    /// Keeps `session` (paused) when it fits the budget; otherwise the model retrains from tree 0.
    func put(_ index: Int, _ session: TrainingSession, seconds: Double) {
        let size = session.pausedBytes
        lock.withLock {
            guard bytes + size <= budget else { return }
            sessions[index] = (session, seconds, size)
            bytes += size
        }
    }

    /// Removes and returns the kept session of a model.
    func take(_ index: Int) -> (session: TrainingSession, seconds: Double)? {
        lock.withLock {
            guard let kept = sessions.removeValue(forKey: index) else { return nil }
            bytes -= kept.bytes
            return (kept.session, kept.seconds)
        }
    }

    func drop(_ index: Int) { _ = take(index) }

    /// Trees the kept session of a model has (0 when none is kept).
    func trees(_ index: Int) -> Int { lock.withLock { sessions[index]?.session.treeCount ?? 0 } }
}

/// Trees a pruned run trained, and the trees the same models would have cost trained from tree 0
/// in every pass (the runner before sessions were kept).
public final class PruningTally: @unchecked Sendable {
    private let lock = NSLock()
    private var grownTrees = 0, fromScratch = 0
    public init() {}

    func add(grown: Int, model: Int) { lock.withLock { grownTrees += grown; fromScratch += model } }

    /// Trees grown in this run.
    public var trained: Int { lock.withLock { grownTrees } }
    /// Trees the run would have grown retraining every model from tree 0 in each pass.
    public var retrainingFromZero: Int { lock.withLock { fromScratch } }

    func note(interactive: Bool) -> String {
        let (t, r) = lock.withLock { (grownTrees, fromScratch) }
        return (interactive ? "\r\u{1B}[K" : "") + "pruning trained \(t) trees (retraining survivors from tree 0: \(r), "
            + "\(r - t) saved)\n"
    }
}

/// Carries a non-Sendable closure into the workers; it only ever runs on the serial writer queue.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
