import ArgumentParser
import Boosting
import EraData
import Foundation
import Mining
import Studies

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Apply a saved model (ours or LightGBM's text model) to data: id,prediction CSV.",
        discussion: """
        MODEL is a workbench model file (`train --model`, `mine`) or a LightGBM text model \
        (`Booster.save_model`, `train --lightgbm-model`); its features are matched to the data's by \
        name. INPUT is what `data import` takes: our HDF5 dataset, Numerai parquet files or their \
        directory, or Numerai-layout CSV files (target columns optional). Integer features (Numerai's \
        0..4) and CSV floats are read as they are, and the trees follow LightGBM's numerical decision, \
        so a LightGBM model predicts what lightgbm.Booster.predict does; an HDF5 dataset made from \
        float CSV holds bins only, so other models' thresholds are applied through its bin edges. \
        The output holds the raw model outputs, or with --submission Numerai's submission format \
        (percentile ranks in (0, 1)). Predictions do not depend on --threads.
        """
    )

    @Option(help: "Model file: workbench model (.wbm) or LightGBM text model.") var model: String
    @Argument(help: "Data: an .h5 dataset, parquet files or a Numerai directory, or CSV files.") var inputs: [String]
    @Option(help: "Rows to predict: all, train, validation, live or test.") var split = "all"
    @Option(name: .customLong("feature-set"), help: "Parquet inputs: the features.json feature set to read.")
    var featureSet: String?
    @Option(name: [.customShort("o"), .long], help: "Write the predictions here (id,prediction CSV; default: standard output).") var out: String?
    @Flag(help: "Write Numerai's submission format: percentile ranks in (0, 1) with 10 decimals.") var submission = false
    @Option(name: [.customShort("j"), .customLong("jobs"), .customLong("threads")], parsing: .unconditional, help: "Threads (default: every core).")
    var jobs: Int?
    var threads: Int { jobs ?? ProcessInfo.processInfo.activeProcessorCount }

    mutating func validate() throws {
        jobs = try validatedJobs(jobs)
        guard split == "all" || Split(rawValue: split) != nil else {
            throw ValidationError("unknown --split '\(split)'; choose all, " + Split.allCases.map(\.rawValue).joined(separator: ", "))
        }
    }

    func run() throws {
        try refuseOutputOntoInput([(out, "--out")], inputs: inputs + [model])
        let booster = try Booster.load(modelOrLightGBMText: model)
        let (dataset, rawValues) = try Self.readData(inputs, featureSet: featureSet)
        let rows: [Int32] = split == "all" ? (0..<Int32(dataset.rowCount)).map { $0 } : dataset.rows(in: Split(rawValue: split)!)
        guard !rows.isEmpty else { throw WorkbenchError.noRowsInSplit(inputs.joined(separator: ", "), split: split) }

        let predictions: [Double]
        do {
            predictions = try booster.predict(input: dataset, rows: rows, rawValues: rawValues, threads: threads)
        } catch let error as BoostingError where error.isPredictionInput {
            throw WorkbenchError.predictionInput(model: model, inputs: inputs, reason: error.description)
        }
        let ids = rows.map { dataset.ids[Int($0)] }
        if let out {
            if submission {
                try Submission.write(ids: ids, predictions: predictions, to: out)
            } else {
                try TrainCommand.writePredictions(ids: ids, predictions: predictions, to: out)
            }
            FileHandle.standardError.write(Data("\(rows.count) predictions (\(booster.trees.count) trees, split \(split)): \(out)\n".utf8))
        } else {
            let text = submission ? Submission.csv(ids: ids, predictions: predictions) : Self.csv(ids: ids, predictions: predictions)
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    /// The rows, and for CSV inputs the raw values of float features (binning keeps only bins).
    static func readData(_ inputs: [String], featureSet: String?) throws -> (Dataset, [Int: [Double]]) {
        let data = try DataInputs(inputs)
        if case .csv(let paths) = data {
            if featureSet != nil { throw WorkbenchError.featureSetNeedsParquet }
            return try CSVImporter.readForPrediction(paths: paths)
        }
        return (try data.read(featureSet: featureSet), [:])
    }

    /// `id,prediction` with the model's outputs in shortest round-trip form.
    static func csv(ids: [String], predictions: [Double]) -> String {
        var text = "id,prediction\n"
        text.reserveCapacity(ids.count * 32)
        for (id, p) in zip(ids, predictions) {
            text += id.contains(",") || id.contains("\"") ? "\"" + id.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : id
            text += "," + p.description + "\n"
        }
        return text
    }
}
