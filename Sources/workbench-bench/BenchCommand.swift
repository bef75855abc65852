import ArgumentParser
import Boosting
import Dispatch
import EraData
import Foundation
import WorkbenchCLI

/// Hidden benchmark of the GBDT engine, driven by `bench/gbdt` (which times LightGBM on the same bins).
struct BenchGBDTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-gbdt",
        abstract: "Benchmark training and prediction on synthetic era data (prints JSON).",
        shouldDisplay: false
    )

    @Option(help: "Training rows.") var rows = 200_000
    @Option(help: "Features.") var features = 300
    @Option(help: "Trees per model.") var trees = 100
    @Option(help: "Threads per model.") var threads = 1
    @Option(help: "Models trained at once (one thread each when > 1).") var models = 1
    @Option(help: "Rows to predict (0: skip).") var predictRows = 0
    @Option(help: "Held-out rows whose bins, targets and predictions (of the last timed model) go to --binary-out (0: none).")
    var validRows = 0
    @Option(help: "Trees of the prediction model.") var predictTrees = 2000
    @Option(help: "Parameters as JSON (default: Numerai's example model).")
    var params: String?
    /// Numerai's example model (a JSON string is no help-text default: it cannot wrap).
    static let exampleParams = #"{"learning_rate":0.01,"max_depth":5,"num_leaves":31,"colsample_bytree":0.1}"#
    @Option(help: "Write train/predict bins and targets here for LightGBM.") var binaryOut: String?
    @Option(help: "Data seed.") var seed: UInt64 = 1
    @Option(help: "Timed repetitions of training (the median is reported).") var repeats = 1

    func run() throws {
        let rowsPerEra = 2_000
        let trainEras = max(1, rows / rowsPerEra)
        let heldOut = max(predictRows, validRows)
        let predictEras = heldOut > 0 ? max(1, heldOut / rowsPerEra) : 1
        let config = SyntheticConfig(eras: trainEras + predictEras, rowsPerEra: rowsPerEra, features: features,
                                     targets: 1, seed: seed,
                                     validationFraction: Double(predictEras) / Double(trainEras + predictEras),
                                     embargoEras: 0)
        do { try config.validate() } catch let error as EraDataError { throw ValidationError(error.description) }
        let started = DispatchTime.now()
        let dataset = SyntheticGenerator.generate(config)
        let generateSeconds = seconds(since: started)
        let train = dataset.rows(in: .train), predict = Array(dataset.rows(in: .validation).prefix(max(predictRows, 1)))
        let featureList = Array(0..<dataset.featureCount)
        var values = try JSONDecoder().decode([String: Double].self, from: Data((params ?? Self.exampleParams).utf8))
        values["n_estimators"] = Double(trees)
        let parameters = try BoostingParameters(values)

        if let binaryOut {
            let dir = URL(fileURLWithPath: binaryOut)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try writeBins(dataset, rows: train, features: featureList, to: dir.appendingPathComponent("train"))
            try writeBins(dataset, rows: predict, features: featureList, to: dir.appendingPathComponent("predict"))
            // The same parameters under LightGBM's names (from the parameter table), trees aside:
            // the LightGBM side passes those as num_boost_round.
            var lightGBM: [String: Double] = [:]
            for (name, value) in values where name != "n_estimators" {
                lightGBM[ParameterTable.spec(named: name)!.lightGBMName] = value
            }
            try JSONSerialization.data(withJSONObject: lightGBM, options: [.sortedKeys])
                .write(to: dir.appendingPathComponent("lightgbm-params.json"))
        }

        // Training: `models` models at once (different seeds), each on `threads` threads.
        var walls: [Double] = [], cpus: [Double] = []
        var treeCount = 0
        var lastModel: Booster?
        for _ in 0..<(trees > 0 ? repeats : 0) {
            let fitStart = DispatchTime.now(), cpuStart = cpuSeconds()
            let boosters = UnsafeBox<[Booster?]>([Booster?](repeating: nil, count: models))
            let failure = UnsafeBox<Error?>(nil)
            DispatchQueue.concurrentPerform(iterations: models) { m in
                var p = parameters
                p.seed = m
                do {
                    let b = try Trainer.train(dataset: dataset, rows: train, features: featureList, target: 0,
                                              parameters: p, threads: threads)
                    boosters.lock.withLock { boosters.value[m] = b }
                } catch { failure.lock.withLock { failure.value = error } }
            }
            if let error = failure.value { throw error }
            walls.append(seconds(since: fitStart))
            cpus.append(cpuSeconds() - cpuStart)
            treeCount = boosters.value.compactMap { $0?.trees.count }.reduce(0, +)
            lastModel = boosters.value[0]
        }
        func median(_ x: [Double]) -> Double { x.isEmpty ? 0 : x.sorted()[x.count / 2] }
        let fitSeconds = median(walls)
        var result: [String: Any] = [
            "rows": train.count, "features": dataset.featureCount, "models": models, "threads": threads,
            "trees": treeCount, "fit_seconds": fitSeconds, "fit_cpu_seconds": median(cpus),
            "fit_seconds_all": walls, "generate_seconds": generateSeconds,
            "seconds_per_tree": fitSeconds / Double(max(treeCount, 1)) * Double(models),
            "cpu_seconds_per_tree": median(cpus) / Double(max(treeCount, 1)),
            "trees_per_second": Double(treeCount) / max(fitSeconds, 1e-9),
            // The first repeat also pays for first touches and any prefetch trial (the median does not).
            "first_seconds_per_tree": (walls.first ?? 0) / Double(max(treeCount, 1)) * Double(models),
            "prefetch": PrefetchChoice.summary,
        ]

        if validRows > 0, let binaryOut, let model = lastModel {
            // Held-out predictions of the first model (seed 0), for the corr bench/gbdt compares.
            let valid = Array(dataset.rows(in: .validation).prefix(validRows))
            let dir = URL(fileURLWithPath: binaryOut)
            try writeBins(dataset, rows: valid, features: featureList, to: dir.appendingPathComponent("valid"))
            let predictions = model.predict(dataset: dataset, rows: valid, threads: threads)
            try predictions.withUnsafeBytes { try Data($0).write(to: dir.appendingPathComponent("valid.pred")) }
            result["valid_rows"] = valid.count
        }

        if predictRows > 0 {
            // A model with `predictTrees` trees (trained on the same data), then timed prediction.
            var p = parameters
            p.nEstimators = predictTrees
            let model = try Trainer.train(dataset: dataset, rows: train, features: featureList, target: 0,
                                          parameters: p, threads: max(threads, 1))
            var times: [Double] = []
            var predictions: [Double] = []
            for _ in 0..<3 {
                let t0 = DispatchTime.now()
                predictions = model.predict(dataset: dataset, rows: predict, threads: 1)
                times.append(seconds(since: t0))
            }
            result["predict_rows"] = predict.count
            result["predict_trees"] = model.trees.count
            result["predict_seconds"] = times.sorted()[1]
            result["prediction_checksum"] = predictions.reduce(0, +)
        }
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    private func cpuSeconds() -> Double { BenchClock.cpuSeconds() }

    private func seconds(since start: DispatchTime) -> Double { BenchClock.seconds(since: start) }

    /// Row-major uint8 bins and float32 targets (`numpy.fromfile` reads them).
    private func writeBins(_ d: Dataset, rows: [Int32], features: [Int], to url: URL) throws {
        var bytes = [UInt8](repeating: 0, count: rows.count * features.count)
        for (j, f) in features.enumerated() {
            let column = d.features.column(f)
            for (i, r) in rows.enumerated() { bytes[i * features.count + j] = column[Int(r)] }
        }
        try Data(bytes).write(to: url.appendingPathExtension("bins"))
        let y = rows.map { d.targets[0][Int($0)] }
        try y.withUnsafeBytes { try Data($0).write(to: url.appendingPathExtension("target")) }
    }
}

/// A mutable value shared by benchmark workers under a lock.
private final class UnsafeBox<T>: @unchecked Sendable {
    var value: T
    let lock = NSLock()
    init(_ value: T) { self.value = value }
}
