import ArgumentParser
import Diversity
import EraData
import Foundation
import Support

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score predictions per era with Numerai's metrics (numerai-tools semantics).",
        discussion: """
        Prediction files are CSV with the header `id,prediction`. Prints per-era numerai_corr mean, std, \
        sharpe and max drawdown, feature-neutral corr, feature exposure, and BMC / MMC against the \
        benchmark / meta model when given. Eras without targets are skipped.
        """
    )

    @Option(help: "Data with the targets: an .h5 dataset, a Numerai parquet file or directory, or a CSV file.") var data: String
    @Option(help: "Predictions CSV (id,prediction).") var predictions: String
    @Option(help: "Benchmark predictions CSV, for BMC.") var benchmark: String?
    @Option(name: .customLong("meta-model"), help: "Meta model predictions CSV, for MMC.") var metaModel: String?
    @Option(help: "Target name (default: `target` if present, else the first target).") var target: String?
    @Option(help: "Rows to score: a split (train, validation, live, test).") var split: String = "validation"
    @Flag(help: "Print JSON: corr_mean, corr_std, corr_sharpe, max_drawdown, fnc_mean, max_feature_exposure, bmc_mean, mmc_mean, per_era.")
    var json = false

    func run() throws {
        guard let splitValue = Split(rawValue: split) else {
            throw WorkbenchError.unknownSplit(split)
        }
        let dataset = try DataInputs([data]).read()
        let targetIndex: Int
        if let target {
            guard let t = dataset.targetIndex(target) else {
                throw WorkbenchError.unknownTarget(target, data: data, targets: dataset.targetNames)
            }
            targetIndex = t
        } else {
            guard !dataset.targetNames.isEmpty else { throw WorkbenchError.noTargets(data) }
            targetIndex = dataset.targetIndex("target") ?? 0
        }
        let rows = dataset.rows(in: splitValue)
        guard !rows.isEmpty else { throw WorkbenchError.noRowsInSplit(data, split: split) }
        let rowsName = "split \(split)"
        let p = try PredictionFile(path: predictions).aligned(to: dataset, rows: rows, rowsName: rowsName)
        let b = try benchmark.map { try PredictionFile(path: $0).aligned(to: dataset, rows: rows, rowsName: rowsName) }
        let m = try metaModel.map { try PredictionFile(path: $0).aligned(to: dataset, rows: rows, rowsName: rowsName) }
        let score = try PredictionScore.compute(dataset: dataset, rows: rows, targetIndex: targetIndex, predictions: p,
                                                benchmark: b, meta: m)
        if json {
            print(String(decoding: try CanonicalJSON.encode(score), as: UTF8.self), terminator: "")
            return
        }
        func f(_ x: Double?) -> String {
            guard let x, x.isFinite else { return "—" }
            return String(format: "%+.5f", x)
        }
        print("target \(score.target) · split \(split) · \(score.eras) eras · \(score.rows) rows with a target")
        print("corr mean        \(f(score.corrMean))")
        print("corr std         \(f(score.corrStd))")
        print("corr sharpe      \(f(score.corrSharpe))")
        print("max drawdown     \(f(score.maxDrawdown))")
        print("FNC mean         \(f(score.fncMean))")
        print("max feature exp. \(f(score.featureExposure))")
        if let b = score.bmcMean { print("BMC mean         \(f(b))") }
        if let m = score.mmcMean { print("MMC mean         \(f(m))") }
        print("")
        var header = "era        corr       fnc        exposure"
        if score.bmcMean != nil { header += "   bmc" + String(repeating: " ", count: 8) }
        if score.mmcMean != nil { header += "   mmc" }
        print(header)
        for e in score.perEra {
            var line = e.era.padding(toLength: 10, withPad: " ", startingAt: 0) + " " + f(e.corr) + "   " + f(e.fnc) + "   " + f(e.featureExposure)
            if let b = e.bmc { line += "   " + f(b) }
            if let m = e.mmc { line += "   " + f(m) }
            print(line)
        }
    }
}
