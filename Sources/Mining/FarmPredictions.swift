import Boosting
import Diversity
import EraData
import Foundation
import Studies

/// A mined farm read back as stored predictions, for consumers that score its models (the
/// tournament): every accepted staker's saved model, in mining order, and the farm's benchmark
/// (the example model), each predicted on the evaluation rows. Nothing is trained and nothing
/// in the farm directory is written.
public struct FarmPredictions: Sendable {
    public let manifest: FarmManifest
    /// Accepted stakers, in mining order.
    public let stakers: [String]
    public let arms: [String]
    /// predictions[k] is staker k's model on `evaluation.rows`.
    public let predictions: [[Float]]
    /// The benchmark on `evaluation.rows`.
    public let benchmark: [Float]
    public let evaluation: MiningEvaluation

    /// Reads `directory/farm.json`, which must have been mined from `spec` (same study hash), and
    /// predicts with every accepted staker's `model.wbm` (parameters checked against the manifest)
    /// and with `benchmark/model.wbm`.
    public static func load(directory: URL, spec: StudySpec, dataset: Dataset, threads: Int) throws -> FarmPredictions {
        let manifestURL = directory.appendingPathComponent("farm.json")
        guard FileManager.default.fileExists(atPath: manifestURL.path) else {
            throw MiningError("\(manifestURL.path) not found: run `workbench mine` first")
        }
        let manifest = try FarmManifest.read(manifestURL)
        guard manifest.studyHash == spec.hash else {
            throw MiningError("\(directory.path) holds a farm of study '\(manifest.study)' (hash \(manifest.studyHash)), not of this study file ('\(spec.name)', hash \(spec.hash))")
        }
        var options = MiningOptions()
        options.jobs = max(1, threads)
        options.criteria = manifest.criteria
        let miner = try Miner(spec: spec, dataset: dataset, directory: directory, options: options)
        let entries = manifest.stakers.filter { $0.status == .accepted }
        var predictions: [[Float]] = []
        var arms: [String] = []
        for entry in entries {
            let (plan, p) = try miner.storedPredictions(entry, threads: options.jobs)
            predictions.append(p)
            arms.append(plan.arm)
        }
        return FarmPredictions(manifest: manifest, stakers: entries.map(\.id), arms: arms, predictions: predictions,
                               benchmark: try miner.storedBenchmark(manifest, threads: options.jobs),
                               evaluation: miner.evaluation)
    }
}

extension Miner {
    /// An accepted staker's plan (checked against the manifest's hash) and its saved model's
    /// predictions on the evaluation rows.
    func storedPredictions(_ entry: StakerEntry, threads: Int) throws -> (ModelPlan, [Float]) {
        let dir = stakerDirectory(entry.id)
        let paramsURL = dir.appendingPathComponent("params.json")
        let plan: ModelPlan
        do { plan = try JSONDecoder().decode(StakerParams.self, from: Data(contentsOf: paramsURL)).plan } catch {
            throw MiningError("\(paramsURL.path): cannot read the staker's parameters (\(error))")
        }
        guard Recipe(plan).hash == entry.paramsHash else {
            throw MiningError("\(paramsURL.path): parameters do not match farm.json (params hash \(Recipe(plan).hash), recorded \(entry.paramsHash ?? "none"))")
        }
        let booster: Booster
        do { booster = try Booster.load(from: dir.appendingPathComponent("model.wbm").path) } catch {
            throw MiningError("staker \(entry.id): \(error)")
        }
        return (plan, predict(booster, threads: threads))
    }

    /// The saved benchmark's predictions; its recipe must be the study's benchmark and the one the
    /// manifest records (read only: a missing or stale benchmark is an error, never retrained).
    func storedBenchmark(_ manifest: FarmManifest, threads: Int) throws -> [Float] {
        let paramsURL = benchmarkDirectory.appendingPathComponent("params.json")
        guard let plan = planner.benchmarkPlan() else { throw MiningError("the study has no benchmark (example model)") }
        let recorded = try? JSONDecoder().decode(ModelPlan.self, from: Data(contentsOf: paramsURL))
        guard let recorded, Recipe(recorded).hash == Recipe(plan).hash, Recipe(plan).hash == manifest.benchmarkParamsHash else {
            throw MiningError("\(paramsURL.path): missing or not the study's benchmark; run `workbench mine` on the farm again")
        }
        let booster: Booster
        do { booster = try Booster.load(from: benchmarkDirectory.appendingPathComponent("model.wbm").path) } catch {
            throw MiningError("the farm's benchmark: \(error)")
        }
        return predict(booster, threads: threads)
    }
}
