import Boosting
import EraData
import Foundation

/// The one path from a `ModelPlan` to a trained model, shared by `StudyRunner` (a study's models)
/// and `Miner` (a farm's candidates), so both train exactly the same model for the same plan:
///
///     training rows = train-split rows of the planner's train eras, minus the plan's dropped eras
///                     (era by era, rows in data order)
///     features      = every feature not in the plan's dropped features, ascending
///     target        = the dataset's target named by the plan
///     model         = Trainer.train(rows, features, target, plan.parameters)  (typed, checked at parse)
///
/// The dataset is shared read-only; the trainer itself holds only the rows per era, so one value
/// serves every worker.
public struct PlanTrainer: Sendable {
    public let dataset: Dataset
    /// The eras models train on (`Planner.trainEras`), in order.
    public let trainEras: [Int]
    let trainRowsByEra: [Int: [Int32]]

    public init(dataset: Dataset, trainEras: [Int]) {
        self.dataset = dataset
        self.trainEras = trainEras
        var byEra: [Int: [Int32]] = [:]
        for (i, s) in dataset.splitOfRow.enumerated() where s == .train {
            byEra[Int(dataset.eraOfRow[i]), default: []].append(Int32(i))
        }
        trainRowsByEra = byEra
    }

    /// A study's planner on `dataset` and the trainer of its plans: what `StudyRunner` and
    /// `Miner` both start from.
    public static func planning(_ spec: StudySpec, on dataset: Dataset) throws -> (planner: Planner, trainer: PlanTrainer) {
        let planner = try Planner(spec: spec, dataset: dataset)
        return (planner, PlanTrainer(dataset: dataset, trainEras: planner.trainEras))
    }

    /// Training rows of a plan: train-split rows of the eras it keeps.
    public func trainRows(for plan: ModelPlan) -> [Int32] {
        let dropped = Set(plan.droppedEras)
        var rows: [Int32] = []
        for era in trainEras where !dropped.contains(era) { rows += trainRowsByEra[era] ?? [] }
        return rows
    }

    /// Features of a plan: every feature it does not drop, ascending.
    public func features(for plan: ModelPlan) -> [Int] {
        let dropped = Set(plan.droppedFeatures)
        return (0..<dataset.featureCount).filter { !dropped.contains($0) }
    }

    /// Trains one plan. With `threadBudget` the model may use up to `threads` cores, as many at
    /// each node as the budget allows (the model does not depend on it); `isCancelled` is asked
    /// after every tree and stops training with `CancellationError`. Returns the model and the
    /// seconds its training took.
    public func train(_ plan: ModelPlan, threads: Int = 1, threadBudget: (@Sendable () -> Int)? = nil,
                      isCancelled: @escaping @Sendable () -> Bool = { false }) throws -> (booster: Booster, seconds: Double) {
        let start = Date()
        let booster = try session(for: plan).grow(to: plan.parameters.nEstimators, threads: threads,
                                                  threadBudget: threadBudget) { _ in
            if isCancelled() { throw CancellationError() }
        }
        return (booster, Date().timeIntervalSince(start))
    }

    /// A plan's training as a session that can pause and continue (`TrainingSession`); growing it
    /// to `n_estimators` is `train`.
    public func session(for plan: ModelPlan) throws -> TrainingSession {
        guard let target = dataset.targetIndex(plan.target) else {
            throw StudiesError.unknownTarget(plan.target)
        }
        return try TrainingSession(dataset: dataset, rows: trainRows(for: plan), features: features(for: plan),
                                   target: target, parameters: plan.parameters)
    }

    /// A model's predictions on `rows`, as stored (Float).
    public func predict(_ booster: Booster, rows: [Int32], threads: Int) -> [Float] {
        booster.predict(dataset: dataset, rows: rows, threads: threads).map { Float($0) }
    }
}
