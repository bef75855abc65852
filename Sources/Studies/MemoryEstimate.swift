import Boosting
import EraData
import EvaluationRules
import Foundation
import Support

/// Peak resident memory of `workbench run`, phase by phase. The phases follow each other, so
/// the peak is the largest phase, not their sum:
///
///     loading  = 44 MB (runtime, Foundation, libhdf5, OpenBLAS)
///                + rows·features·1.2 + rows·(4·targets + 182)    generated data (1-byte bins plus
///                                                                 the generator's transient values)
///              | 64 MB + rows·features·1.05 + rows·(4·targets + 104)    data read from files (bins
///                                                                 read in place, libhdf5's buffers;
///                                                                 188k × 2,376 from .h5: 536 MB; the
///                                                                 full Numerai shape's import: 8.06 GiB)
///     training = loading + min(jobs, models)·(one model's buffers, `Trainer.workingMemory`)
///                + paused pruning sessions (a pruned study: after the pass to rung r_k, the
///                  candidates of every arm at that rung, `pausedSessions`, each holding
///                  `TrainingSession.pausedStateBytes` + r_k·48·leaves; the largest rung's
///                  total, at most `sessionBudget`)
///     analysis = loading + 26 MB + (models + 1)·evaluationRows·24   predictions: the consolidated
///                                                                 matrix, per-model copies, gaussianized doubles
///                + threads·(13·n·(F + 1) + 8·(F + 1)²)            per-era feature scores (FNC,
///                                                                 exposure) of each analysis thread at
///                                                                 the largest evaluation era (n rows):
///                                                                 the era's column-major design as
///                                                                 doubles, its gathered features, the
///                                                                 Gram matrix of the normal equations
///
/// Fitted by least squares to the peak RSS of synthetic studies (0.04–0.4M rows, 20–2,376
/// features, 5–301 models, 2 jobs, 2 cores; the loading terms to within 2.3 MB) and rounded up:
/// the estimate was 1.04–1.26× the measured peak (1.17× at 188k rows × 2,376 features read from
/// a file). An era whose normal equations are
/// ill-conditioned falls back to dgelsd (an SVD; about 5·n·F more doubles for that era), which
/// the estimate does not count. `MemoryEstimateTests` checks it stays within 1.3× of the peak at
/// two sizes.
public struct MemoryEstimate: Equatable, Sendable {
    /// Runtime and the loaded dataset, with loading's transient buffers.
    public var loading: Int
    /// Loading plus the buffers of the models training at once.
    public var training: Int
    /// Loading plus the analysis (0 when the run does not analyse, e.g. a shard).
    public var analysis: Int
    /// Bytes a pruned run may keep in paused training sessions between rungs: half the room the
    /// estimate leaves below 85 % of the machine's memory (the run refuses above 85 %).
    public var sessionBudget: Int
    /// The run's peak: its largest phase.
    public var peak: Int { max(loading, training, analysis) }

    /// - Parameters:
    ///   - plans: the models to train; the study's models without the benchmark when the run
    ///     analyses (the analysis term counts the benchmark's predictions as the `+ 1`).
    ///   - evaluationRows: rows the models predict (every non-train row).
    ///   - jobs: models trained at once.
    ///   - analysisThreads: threads of the analysis (Dispatch uses every core); 0 when the run
    ///     only trains (a shard; its merge analyses).
    ///   - generated: the data is generated in the process (not read from a file).
    ///   - pruning: the study's successive halving, whose survivors' sessions wait between rungs.
    public init(dataset: Dataset, plans: [ModelPlan], evaluationRows: Int, jobs: Int,
                analysisThreads: Int = ProcessInfo.processInfo.activeProcessorCount, generated: Bool = true,
                pruning: PruningSpec? = nil, physicalMemory: Int = Int(ProcessInfo.processInfo.physicalMemory)) {
        let rows = dataset.rowCount, f = dataset.featureCount, targets = dataset.targetNames.count
        loading = generated ? SyntheticConfig.fittedGenerationBytes(rows: rows, features: f, targets: targets)
                            : 64_000_000 + rows * f * 21 / 20 + rows * (4 * targets + 104)

        let maxLeaves = plans.map(\.parameters.numLeaves).max() ?? 31
        let maxBins = dataset.binCounts.max() ?? 5
        let bagging = plans.contains { $0.parameters.subsampleFreq > 0 && $0.parameters.subsample < 1 }
        // Columns a tree samples (the trainer keeps a tree-local copy of them): ⌊F·colsample + 0.5⌋.
        let sampled = plans.map { max(1, Int(Double(f) * $0.parameters.colsampleBytree + 0.5)) }.max() ?? f
        // Per training row: a model trains on train-split rows only (fewer with dropped eras or a stride).
        let trainingRows = dataset.splitOfRow.reduce(0) { $0 + ($1 == .train ? 1 : 0) }
        let concurrent = max(1, min(jobs, plans.count))
        // The trainer packs a tree's sampled 0–4 features two to a byte: at least this many of them
        // are in any sample (the sample with the most of the other features).
        let fiveBin = dataset.binCounts.filter { $0 <= 5 }.count
        let perModel = Trainer.workingMemory(trainingRows: trainingRows, sampledFeatures: min(sampled, f),
                                             sampledFiveBin: max(0, min(sampled, f) - (f - fiveBin)),
                                             histogramBins: f * max(maxBins, 5), numLeaves: maxLeaves,
                                             bagging: bagging, threads: max(1, min(jobs, plans.count + 1)))
        training = loading + concurrent * perModel

        if analysisThreads > 0 {
            let predictions = 26_000_000 + (plans.count + 1) * evaluationRows * 24
            let eraSizes = Self.evaluationEraSizes(dataset)
            let perThread = 13 * (eraSizes.values.max() ?? 0) * (f + 1) + 8 * (f + 1) * (f + 1)
            analysis = loading + predictions + min(analysisThreads, eraSizes.count) * perThread
        } else {
            analysis = 0
        }
        sessionBudget = max(0, Int(MemoryBudget.usable(of: physicalMemory)) - max(loading, training, analysis)) / 2
        if let pruning {
            // After the pass to rung k, its candidates' sessions wait, each holding its state
            // (`TrainingSession.pausedStateBytes`) and its trees (at most 48 bytes per leaf).
            let state = TrainingSession.pausedStateBytes(trainingRows: trainingRows, bagging: bagging)
            let sessions = zip(pruning.rungs, Self.pausedSessions(plans: plans, pruning: pruning))
                .map { trees, count in count * (state + trees * 48 * maxLeaves) }.max() ?? 0
            training += min(sessions, sessionBudget)
        }
    }

    /// Sessions a pruned run keeps paused after each rung's pass (one count per rung), as
    /// `runPruned` keeps them: each arm is pruned on its own, so per arm the candidates at rung
    /// r_k are its models that grow past r_k (`n_estimators` > r_k), at most the survivors of the
    /// rung before, n_0 = the arm's models; the survivors of rung k are `PruningRecord.keepCount`
    /// of its candidates (⌈keep·n⌉, at least 1) — rounded per arm, as the decisions round. Summed
    /// over arms. An upper bound when `n_estimators` differ within an arm (which models survive
    /// depends on their scores).
    public static func pausedSessions(plans: [ModelPlan], pruning: PruningSpec) -> [Int] {
        var sessions = [Int](repeating: 0, count: pruning.rungs.count)
        var arms: [String] = []
        for plan in plans where !arms.contains(plan.arm) { arms.append(plan.arm) }
        for arm in arms {
            let trees = plans.filter { $0.arm == arm }.map(\.parameters.nEstimators)
            var alive = trees.count
            for (k, rung) in pruning.rungs.enumerated() {
                let candidates = min(alive, trees.filter { $0 > rung }.count)
                sessions[k] += candidates
                alive = candidates == 0 ? 0 : PruningRecord.keepCount(candidates, keep: pruning.keep)
            }
        }
        return sessions
    }

    /// Rows per era among the evaluation (non-train) rows.
    private static func evaluationEraSizes(_ dataset: Dataset) -> [Int32: Int] {
        var sizes: [Int32: Int] = [:]
        for (row, split) in dataset.splitOfRow.enumerated() where split != .train { sizes[dataset.eraOfRow[row], default: 0] += 1 }
        return sizes
    }
}
