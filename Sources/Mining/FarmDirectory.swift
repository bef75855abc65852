import Boosting
import Diversity
import EraData
import Foundation
import Studies
import Support

/// The farm directory a `Miner` reads and writes: the manifest, the benchmark, each staker's
/// accepted model and its files.
extension Miner {
    /// Reads the existing manifest, refusing a different study or criteria unless forced.
    func existingManifest() throws -> FarmManifest? {
        let fm = FileManager.default
        guard fm.fileExists(atPath: manifestURL.path) else { return nil }
        let manifest = try FarmManifest.read(manifestURL)
        var mismatch: String? = nil
        if manifest.studyHash != spec.hash {
            mismatch = "\(directory.path) holds a farm of a different study ('\(manifest.study)', hash \(manifest.studyHash); this study \(spec.hash))"
        } else if manifest.criteria != options.criteria {
            let c = manifest.criteria
            mismatch = "\(directory.path) was mined with --min-corr \(c.minCorr) --min-bmc \(c.minBMC) --max-corr \(c.maxCorr); pass the same criteria to extend it"
        }
        guard let mismatch else { return manifest }
        guard options.force else { throw MiningError(mismatch + ", or --force to mine a new farm there") }
        for name in ["farm.json", "stakers", "benchmark", "report.md", "charts"] {
            try? fm.removeItem(at: directory.appendingPathComponent(name))
        }
        return nil
    }

    func writeJSON<T: Encodable>(_ value: T, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data = try encoder.encode(value)
        try writeAtomically(to: url.path) { try data.write(to: URL(fileURLWithPath: $0)) }
    }

    /// The benchmark (the study's example model): loaded from `DIR/benchmark/` when its recipe
    /// matches, else trained and saved there.
    func benchmark(threads: Int) throws -> (ModelPlan, ScoredPredictions) {
        let plan = planner.benchmarkPlan()!
        let hash = Recipe(plan).hash
        let model = benchmarkDirectory.appendingPathComponent("model.wbm")
        let recorded = try? JSONDecoder().decode(ModelPlan.self, from: Data(contentsOf: benchmarkDirectory.appendingPathComponent("params.json")))
        if let recorded, Recipe(recorded).hash == hash, let booster = try? Booster.load(from: model.path),
           let scored = score(predict(booster, threads: threads)) {
            return (plan, scored)
        }
        log("training the benchmark (example model)")
        let c = train(plan, threads: threads)
        guard let booster = c.booster, let scored = c.scored else {
            throw MiningError("the benchmark failed to train: \(c.error ?? "non-finite predictions")")
        }
        try FileManager.default.createDirectory(at: benchmarkDirectory, withIntermediateDirectories: true)
        try booster.save(to: model.path)
        try writeJSON(plan, to: benchmarkDirectory.appendingPathComponent("params.json"))
        return (plan, scored)
    }

    /// An accepted staker of an earlier run, from its files (never retrained).
    func loadAccepted(_ entry: StakerEntry, threads: Int) throws -> FarmModel {
        let (plan, predictions) = try storedPredictions(entry, threads: threads)
        guard let scored = score(predictions) else {
            throw MiningError("staker \(entry.id): the stored model predicts non-finite values")
        }
        return FarmModel(staker: entry.id, plan: plan, scored: scored)
    }

    /// `params.json` of a staker: the plan plus which attempt it came from.
    struct StakerParams: Codable {
        let staker: String
        let attempt: Int
        let paramsHash: String
        let plan: ModelPlan
        /// Dropped eras and features by name, for people reading the file.
        let droppedEraNames: [String]
        let droppedFeatureNames: [String]
        enum CodingKeys: String, CodingKey {
            case staker, attempt, paramsHash = "params_hash", plan
            case droppedEraNames = "dropped_era_names", droppedFeatureNames = "dropped_feature_names"
        }
    }

    struct StakerMetrics: Codable {
        let selection: RangeMetrics
        let test: RangeMetrics
        let selectionEras: [String]
        let testEras: [String]
        let corrPerEra: [String: Double]
        enum CodingKeys: String, CodingKey {
            case selection, test, selectionEras = "selection_eras", testEras = "test_eras", corrPerEra = "corr_per_era"
        }
    }

    /// Writes an accepted staker's files: our model, LightGBM text, parameters, metrics, and the
    /// live submission when the data has live rows.
    func writeStaker(_ id: String, attempt: Int, candidate c: Candidate, selection: RangeMetrics, test: RangeMetrics) throws {
        let dir = stakerDirectory(id)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let booster = c.booster!
        try booster.save(to: dir.appendingPathComponent("model.wbm").path)
        try booster.saveLightGBM(to: dir.appendingPathComponent("model.txt").path)
        let params = StakerParams(staker: id, attempt: attempt, paramsHash: Recipe(c.plan).hash, plan: c.plan,
                                  droppedEraNames: c.plan.droppedEras.map { dataset.eras[$0] },
                                  droppedFeatureNames: c.plan.droppedFeatures.map { dataset.featureNames[$0] })
        try writeJSON(params, to: dir.appendingPathComponent("params.json"))
        var perEra: [String: Double] = [:]
        for (e, era) in evaluation.layout.eras.enumerated() { perEra[era.name] = c.scored!.corrPerEra[e] }
        let metrics = StakerMetrics(selection: selection, test: test, selectionEras: evaluation.selectionEraNames,
                                    testEras: evaluation.testEraNames, corrPerEra: perEra)
        let data = try CanonicalJSON.encode(metrics)
        try writeAtomically(to: dir.appendingPathComponent("metrics.json").path) { try data.write(to: URL(fileURLWithPath: $0)) }
        let live = dir.appendingPathComponent("live.csv")
        if liveRows.isEmpty {
            try? FileManager.default.removeItem(at: live)
        } else {
            let raw = booster.predict(dataset: dataset, rows: liveRows, threads: 1)
            try Submission.write(ids: liveRows.map { dataset.ids[Int($0)] }, predictions: raw, to: live.path)
        }
    }
}
