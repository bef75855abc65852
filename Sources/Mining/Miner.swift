import Boosting
import Diversity
import EraData
import Foundation
import Studies
import Support

/// Options of one mining run.
public struct MiningOptions: Sendable {
    /// Candidates trained at once.
    public var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
    /// Candidates decided per staker before it is marked not accepted.
    public var maxAttempts: Int = 10
    public var criteria = MiningCriteria()
    /// Replace a farm of a different study (or different criteria) in the directory.
    public var force = false
    public init() {}
}

/// A model of the farm, as the rotation and the report need it.
public struct FarmModel: Sendable {
    public let staker: String
    public let plan: ModelPlan
    public let scored: ScoredPredictions
}

/// The farm after a run.
public struct FarmResult: Sendable {
    public let manifest: FarmManifest
    /// Accepted models in mining order.
    public let models: [FarmModel]
    public let benchmark: ScoredPredictions
    public let evaluation: MiningEvaluation
}

/// Mines one validated, unique model per staker.
///
/// Stakers are decided strictly in list order, each against the models accepted before it, so the
/// farm is the same whatever `jobs` is: parallelism only trains candidates ahead of the decision
/// (the head staker's next candidate, the next candidate of the stakers after it, then deeper
/// attempts of the head), and a candidate depends only on (study seed, staker id, attempt).
public final class Miner: @unchecked Sendable {
    public let spec: StudySpec
    public let dataset: Dataset
    public let directory: URL
    public let options: MiningOptions
    public let planner: Planner
    public let candidates: CandidatePlanner
    public let evaluation: MiningEvaluation
    /// Plan → trained model, the same path a study's models take (`PlanTrainer`).
    public let trainer: PlanTrainer
    let liveRows: [Int32]
    let log: @Sendable (String) -> Void
    /// The farm directory's lock (`DirectoryLock`, shared with run/merge/report), taken by `mine`
    /// and held while this miner lives, so the caller's writes after `mine` (schemes, report) are
    /// covered too.
    private var directoryLock: DirectoryLock?

    public init(spec: StudySpec, dataset: Dataset, directory: URL, options: MiningOptions,
                log: @escaping @Sendable (String) -> Void = { _ in }) throws {
        guard options.maxAttempts >= 1 else { throw MiningError("--max-attempts must be ≥ 1") }
        guard options.jobs >= 1 else { throw MiningError("--jobs must be ≥ 1") }
        guard options.criteria.maxCorr > 0 else { throw MiningError("--max-corr must be > 0") }
        guard spec.benchmark != nil else {
            throw MiningError("the study has no benchmark ('benchmark': false); mining needs the example model for BMC")
        }
        (planner, trainer) = try PlanTrainer.planning(spec, on: dataset)
        self.spec = spec
        self.dataset = dataset
        self.directory = directory
        self.options = options
        self.log = log
        candidates = CandidatePlanner(planner: planner)
        evaluation = try MiningEvaluation(spec: spec, dataset: dataset)
        liveRows = dataset.rows(in: .live)
    }

    var manifestURL: URL { directory.appendingPathComponent("farm.json") }
    public func stakerDirectory(_ id: String) -> URL { directory.appendingPathComponent("stakers").appendingPathComponent(id) }
    var benchmarkDirectory: URL { directory.appendingPathComponent("benchmark") }

    // MARK: Training

    struct Candidate {
        let plan: ModelPlan
        let booster: Booster?
        let predictions: [Float]
        let scored: ScoredPredictions?
        let seconds: Double
        let error: String?
    }

    /// Trains a candidate (`PlanTrainer.train`) and scores its evaluation predictions; a failure
    /// is kept in the candidate (it is rejected with the reason), not thrown.
    func train(_ plan: ModelPlan, threads: Int) -> Candidate {
        let start = Date()
        do {
            let (booster, seconds) = try trainer.train(plan, threads: threads)
            let predictions = predict(booster, threads: threads)
            return Candidate(plan: plan, booster: booster, predictions: predictions, scored: score(predictions),
                             seconds: seconds, error: nil)
        } catch {
            return Candidate(plan: plan, booster: nil, predictions: [], scored: nil,
                             seconds: Date().timeIntervalSince(start), error: "\(error)")
        }
    }

    func predict(_ booster: Booster, threads: Int) -> [Float] {
        trainer.predict(booster, rows: evaluation.rows, threads: threads)
    }

    func score(_ predictions: [Float]) -> ScoredPredictions? {
        predictions.allSatisfy(\.isFinite) ? evaluation.score(predictions) : nil
    }

    // MARK: Mining

    struct Accepted {
        let model: FarmModel
        let recipe: Recipe
    }

    /// Mines every staker of `stakers` not yet in the farm, in list order; earlier stakers are
    /// loaded from the directory unchanged. The list must contain every staker already mined.
    public func mine(stakers: [String]) throws -> FarmResult {
        let wallStart = Date()
        guard Set(stakers).count == stakers.count else { throw MiningError("duplicate staker ids in the list") }
        for id in stakers where !StakerList.isValid(id) { throw MiningError("staker id '\(id)' cannot name a folder") }
        // One writer per farm: a second miner (or a run/report) would interleave decisions and files.
        if directoryLock == nil {
            do { directoryLock = try DirectoryLock(directory: directory, command: "mine") } catch let error as StudiesError {
                throw MiningError(error.description)
            }
        }
        let previous = try existingManifest()
        let listed = Set(stakers)
        if let previous {
            let missing = previous.stakers.map(\.id).filter { !listed.contains($0) }
            if !missing.isEmpty {
                throw MiningError("the farm in \(directory.path) already holds \(missing.count) staker(s) missing from the list (\(missing.prefix(5).joined(separator: ", "))\(missing.count > 5 ? ", …" : "")); a farm only grows: list them too or choose another --out")
            }
        }
        let known = Set(previous?.stakers.map(\.id) ?? [])
        let newStakers = stakers.filter { !known.contains($0) }

        let threads = options.jobs
        let (benchmarkPlan, benchmark) = try benchmark(threads: threads)
        let benchmarkSelection = evaluation.metrics(benchmark, benchmark: benchmark, eras: evaluation.selection)
        let benchmarkTest = evaluation.metrics(benchmark, benchmark: benchmark, eras: evaluation.test)

        var manifest = previous ?? FarmManifest(
            study: spec.name, studyHash: spec.hash, criteria: options.criteria,
            target: dataset.targetNames[evaluation.targetIndex], evaluationSplit: spec.evaluation.split.rawValue,
            selectionEras: evaluation.selectionEraNames, testEras: evaluation.testEraNames,
            embargoEras: spec.evaluation.embargoEras, benchmarkParamsHash: Recipe(benchmarkPlan).hash,
            benchmarkSelection: benchmarkSelection, benchmarkTest: benchmarkTest, stakers: [], runs: [])
        let runIndex = manifest.runs.count
        var run = MiningRun(newStakers: newStakers.count, jobs: options.jobs, maxAttempts: options.maxAttempts,
                            candidatesTrained: 0, speculativeUnused: 0, trainSeconds: 0, wallSeconds: 0)
        manifest.runs.append(run)

        var accepted: [Accepted] = []
        for entry in manifest.stakers where entry.status == .accepted {
            let model = try loadAccepted(entry, threads: threads)
            accepted.append(Accepted(model: model, recipe: Recipe(model.plan)))
        }
        if !known.isEmpty { log("farm: \(known.count) staker(s) loaded (\(accepted.count) with a model), \(newStakers.count) new") }

        // Speculative training ahead of strictly ordered decisions.
        var cache: [Int: [Int: Candidate]] = [:]     // staker position → attempt → candidate
        var trained = [Int](repeating: 0, count: newStakers.count)   // attempts 0..<trained[s] are trained
        var next = [Int](repeating: 0, count: newStakers.count)      // next attempt to decide
        var pending: [StakerEntry] = newStakers.map {
            StakerEntry(id: $0, status: .notAccepted, acceptedAttempt: nil, candidates: 0, arm: nil, paramsHash: nil,
                        selection: nil, test: nil, maxCorrWithEarlier: nil, maxCorrWith: nil, trainSeconds: 0,
                        rejections: [], run: runIndex)
        }
        let lookahead = max(1, 4 * options.jobs)
        var head = 0
        while head < newStakers.count {
            var batch: [(Int, Int)] = []
            func add(_ s: Int) {
                batch.append((s, trained[s]))
                trained[s] += 1
            }
            // The head's next candidate, then the next candidate of the following stakers…
            for s in head..<min(newStakers.count, head + lookahead) where batch.count < options.jobs {
                if trained[s] <= next[s] && trained[s] < options.maxAttempts { add(s) }
            }
            // …then deeper attempts of the head and the stakers after it.
            var s = head
            while batch.count < options.jobs && s < min(newStakers.count, head + lookahead) {
                if trained[s] < options.maxAttempts { add(s) } else { s += 1 }
            }
            let plans = batch.map { candidates.candidate(staker: newStakers[$0.0], attempt: $0.1) }
            let results = CandidateSlots(count: plans.count)
            let perModelThreads = max(1, options.jobs / max(1, plans.count))
            DispatchQueue.concurrentPerform(iterations: plans.count) { i in
                results.set(i, train(plans[i], threads: perModelThreads))
            }
            for (i, (s, k)) in batch.enumerated() {
                let c = results.get(i)
                cache[s, default: [:]][k] = c
                run.candidatesTrained += 1
                run.trainSeconds += c.seconds
            }

            // Decide in staker order while the needed candidate is at hand.
            while head < newStakers.count, let c = cache[head]?[next[head]] {
                let id = newStakers[head]
                let attempt = next[head]
                cache[head]![attempt] = nil
                pending[head].candidates += 1
                pending[head].trainSeconds += c.seconds
                let verdict = decide(c, attempt: attempt, accepted: accepted, benchmark: benchmark)
                if let rejection = verdict.rejection {
                    pending[head].rejections.append(rejection)
                    next[head] += 1
                    log("\(id) #\(attempt): rejected — \(rejection.message)")
                    if next[head] < options.maxAttempts { continue }
                    pending[head].status = .notAccepted
                    log("\(id): not accepted after \(options.maxAttempts) candidate(s)")
                } else {
                    let scored = c.scored!
                    let test = evaluation.metrics(scored, benchmark: benchmark, eras: evaluation.test)
                    try writeStaker(id, attempt: attempt, candidate: c, selection: verdict.selection!, test: test)
                    pending[head].status = .accepted
                    pending[head].acceptedAttempt = attempt
                    pending[head].arm = c.plan.arm
                    pending[head].paramsHash = Recipe(c.plan).hash
                    pending[head].selection = verdict.selection
                    pending[head].test = test
                    pending[head].maxCorrWithEarlier = verdict.maxCorr
                    pending[head].maxCorrWith = verdict.maxCorrWith
                    accepted.append(Accepted(model: FarmModel(staker: id, plan: c.plan, scored: scored), recipe: Recipe(c.plan)))
                    log(String(format: "%@ #%d: accepted (corr %.4f, bmc %.4f%@)", id, attempt,
                               verdict.selection!.corrMean, verdict.selection!.bmcMean,
                               verdict.maxCorr.map { String(format: ", max |corr| %.3f", $0) } ?? ""))
                }
                run.speculativeUnused += cache[head]?.count ?? 0
                cache[head] = nil
                manifest.stakers.append(pending[head])
                run.wallSeconds = Date().timeIntervalSince(wallStart)
                manifest.runs[runIndex] = run
                try manifest.write(manifestURL)
                head += 1
            }
        }
        run.wallSeconds = Date().timeIntervalSince(wallStart)
        manifest.runs[runIndex] = run
        try manifest.write(manifestURL)
        return FarmResult(manifest: manifest, models: accepted.map(\.model), benchmark: benchmark, evaluation: evaluation)
    }

    struct Verdict {
        var rejection: Rejection?
        var selection: RangeMetrics?
        var maxCorr: Double?
        var maxCorrWith: String?
    }

    /// Applies the criteria to one candidate against the models accepted so far.
    func decide(_ c: Candidate, attempt: Int, accepted: [Accepted], benchmark: ScoredPredictions) -> Verdict {
        let hash = Recipe(c.plan).hash
        guard let scored = c.scored else {
            let why = c.error ?? "non-finite predictions"
            return Verdict(rejection: Rejection(attempt: attempt, arm: c.plan.arm, paramsHash: hash, reasons: [.trainingFailed],
                                                message: "training failed: \(why)", selectionCorr: .nan, selectionBMC: .nan,
                                                maxCorr: nil, maxCorrWith: nil, trainSeconds: c.seconds))
        }
        let criteria = options.criteria
        let selection = evaluation.metrics(scored, benchmark: benchmark, eras: evaluation.selection)
        var reasons: [RejectionReason] = []
        var notes: [String] = []
        let recipe = Recipe(c.plan)
        if let twin = accepted.first(where: { $0.recipe == recipe }) {
            reasons.append(.duplicateRecipe)
            notes.append("same recipe as \(twin.model.staker)")
        }
        if !(selection.corrMean > criteria.minCorr) {
            reasons.append(.corr)
            notes.append(String(format: "corr %.5f ≤ %g", selection.corrMean, criteria.minCorr))
        }
        if !(selection.bmcMean > criteria.minBMC) {
            reasons.append(.bmc)
            notes.append(String(format: "bmc %.5f ≤ %g", selection.bmcMean, criteria.minBMC))
        }
        var maxCorr: Double? = nil, maxWith: String? = nil
        for a in accepted {
            let r = abs(evaluation.correlation(scored.gaussianized, a.model.scored.gaussianized, span: evaluation.selectionSpan))
            // NaN (a constant model) counts as maximally similar: it cannot be told apart.
            let v = r.isNaN ? 1 : r
            if maxCorr == nil || v > maxCorr! { maxCorr = v; maxWith = a.model.staker }
        }
        if let m = maxCorr, !(m < criteria.maxCorr) {
            reasons.append(.tooCorrelated)
            notes.append(String(format: "|corr| %.4f with %@ ≥ %g", m, maxWith!, criteria.maxCorr))
        }
        if reasons.isEmpty { return Verdict(rejection: nil, selection: selection, maxCorr: maxCorr, maxCorrWith: maxWith) }
        return Verdict(rejection: Rejection(attempt: attempt, arm: c.plan.arm, paramsHash: hash, reasons: reasons,
                                            message: notes.joined(separator: "; "), selectionCorr: selection.corrMean,
                                            selectionBMC: selection.bmcMean, maxCorr: maxCorr, maxCorrWith: maxWith,
                                            trainSeconds: c.seconds),
                       selection: selection, maxCorr: maxCorr, maxCorrWith: maxWith)
    }
}

/// Result slots written by disjoint indices from `concurrentPerform` workers.
final class CandidateSlots: @unchecked Sendable {
    private var slots: [Miner.Candidate?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ c: Miner.Candidate) { lock.lock(); slots[i] = c; lock.unlock() }
    func get(_ i: Int) -> Miner.Candidate { lock.lock(); defer { lock.unlock() }; return slots[i]! }
}
