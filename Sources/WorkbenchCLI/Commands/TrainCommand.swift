import ArgumentParser
import Boosting
import Diversity
import EraData
import Foundation
import Support

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train one GBDT on the train split and score it on the validation split.",
        discussion: """
        Parameters use LightGBM's names, aliases, defaults and ranges (README "Parameters"). \
        Trains on every train-split row with a known target, using all features; predicts every \
        validation row; prints the fit time, the number of trees and the validation per-era \
        numerai_corr mean and sharpe (mean / std, ddof 0).
        """
    )

    @Option(help: "Data: an .h5 dataset (from `workbench data`), a Numerai parquet directory, or a CSV file.") var data: String
    @Option(help: "Parameters as a JSON object: inline ('{\"num_leaves\": 31}') or a file path.") var params: String
    @Option(help: "Target to train on (default: the dataset's first target).") var target: String?
    @Option(help: "Write the validation predictions here as CSV (id,prediction).") var predictions: String?
    @Option(help: "Save the model here (workbench model format).") var model: String?
    @Option(name: .customLong("lightgbm-model"), help: "Export the model here as a LightGBM text model.")
    var lightgbmModel: String?
    @Flag(help: "Print JSON: fit_seconds, trees, corr_mean, corr_sharpe.") var json = false
    @Option(name: [.customShort("j"), .customLong("jobs"), .customLong("threads")], parsing: .unconditional, help: "Threads for training and prediction (results do not depend on it).")
    var threads = 1

    mutating func validate() throws {
        threads = try validatedJobs(threads) ?? 1
    }

    func run() throws {
        let paramsFile = params.trimmingCharacters(in: .whitespaces).hasPrefix("{") ? [] : [params]
        try refuseOutputOntoInput([(predictions, "--predictions"), (model, "--model"), (lightgbmModel, "--lightgbm-model")],
                                  inputs: [data] + paramsFile)
        let parameterObject = try Self.parameterObject(params)
        let parameters: BoostingParameters
        do { parameters = try BoostingParameters(parameterObject) } catch {
            throw WorkbenchError.badParameters("\(error)")
        }
        let input = try DataInputs([data])
        let dataset: Dataset, targetName: String
        if case .hdf5 = input {
            // Only the target trained on is read from our HDF5 layout.
            if let target {
                targetName = target
            } else {
                guard let first = try DatasetFile.info(data).targets.first else {
                    throw WorkbenchError.noTargets(data)
                }
                targetName = first
            }
            dataset = try DatasetFile.read(data, targets: [targetName])
        } else {
            let all = try input.read()
            guard let name = target ?? all.targetNames.first else { throw WorkbenchError.noTargets(data) }
            guard let t = all.targetIndex(name) else {
                throw WorkbenchError.unknownTarget(name, data: data, targets: all.targetNames)
            }
            dataset = all.selectingTarget(t)
            targetName = name
        }
        let labels = dataset.targets[0]
        let trainRows = dataset.rows(in: .train).filter { !labels[Int($0)].isNaN }
        let validationRows = dataset.rows(in: .validation)
        guard !trainRows.isEmpty else { throw WorkbenchError.noTrainRows(data, target: targetName) }
        guard !validationRows.isEmpty else { throw WorkbenchError.noValidationRows(data) }

        let start = DispatchTime.now().uptimeNanoseconds
        let booster = try Trainer.train(dataset: dataset, rows: trainRows, features: Array(0..<dataset.featureCount),
                                        target: 0, parameters: parameters, threads: threads)
        let fitSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let predicted = booster.predict(dataset: dataset, rows: validationRows, threads: threads)

        let score = Self.perEraCorr(dataset: dataset, rows: validationRows, predictions: predicted)
        if let predictions {
            try Self.writePredictions(ids: validationRows.map { dataset.ids[Int($0)] }, predictions: predicted,
                                      to: predictions)
        }
        if let model { try booster.save(to: model) }
        if let lightgbmModel { try booster.saveLightGBM(to: lightgbmModel) }

        if json {
            let object: [String: Any] = ["fit_seconds": fitSeconds, "trees": booster.trees.count,
                                         "corr_mean": score.mean, "corr_sharpe": score.sharpe]
            print(String(decoding: try CanonicalJSON.encode(object: object), as: UTF8.self), terminator: "")
        } else {
            print(String(format: "fit         %.3f s", fitSeconds))
            print("trees       \(booster.trees.count)")
            print(String(format: "validation  per-era corr mean %.5f, sharpe %.3f (%d eras, target %@)",
                         score.mean, score.sharpe, score.eras, targetName))
        }
    }

    /// `--params`: an inline JSON object of numbers, or the path of a file holding one.
    static func parameterObject(_ argument: String) throws -> [String: Double] {
        let trimmed = argument.trimmingCharacters(in: .whitespacesAndNewlines)
        let text: Data, origin: String
        if trimmed.hasPrefix("{") {
            text = Data(trimmed.utf8)
            origin = "--params"
        } else {
            guard FileManager.default.fileExists(atPath: argument) else {
                throw WorkbenchError.parametersNotFound(argument)
            }
            do { text = try Data(contentsOf: URL(fileURLWithPath: argument)) } catch {
                throw WorkbenchError.unreadableParameters(argument, reason: error.localizedDescription)
            }
            origin = argument
        }
        // JSONDecoder keeps numbers and booleans apart (JSONSerialization bridges both to NSNumber).
        let decoded: [String: ParameterValue]
        do { decoded = try JSONDecoder().decode([String: ParameterValue].self, from: text) } catch DecodingError.typeMismatch {
            throw WorkbenchError.parametersNotAnObject(origin: origin)
        } catch {
            throw WorkbenchError.parametersNotJSON(origin: origin, reason: Self.reason(error))
        }
        var values: [String: Double] = [:]
        for (name, value) in decoded {
            guard case .number(let number) = value else {
                throw WorkbenchError.parameterNotANumber(origin: origin, name: name, value: "\(value)")
            }
            values[name] = number
        }
        return values
    }

    /// A parameter's JSON value: only numbers are parameters; the rest is kept for the message.
    enum ParameterValue: Decodable, CustomStringConvertible {
        case number(Double), other(String)
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let bool = try? container.decode(Bool.self) { self = .other(String(bool)); return }
            if let number = try? container.decode(Double.self) { self = .number(number); return }
            if let string = try? container.decode(String.self) { self = .other("\"\(string)\""); return }
            self = container.decodeNil() ? .other("null") : .other("an array or object")
        }
        var description: String {
            switch self {
            case .number(let x): return String(x)
            case .other(let text): return text
            }
        }
    }

    static func reason(_ error: Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            return (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
                ?? context.debugDescription
        }
        return error.localizedDescription
    }

    /// Per-era numerai_corr over the rows with a known target; summary over eras (std ddof 0).
    static func perEraCorr(dataset: Dataset, rows: [Int32], predictions: [Double]) -> SeriesSummary {
        let labels = dataset.targets[0]
        var series: [Double] = []
        for (_, range) in dataset.eraGroups(of: rows) {
            var p: [Double] = [], t: [Double] = []
            for i in range where !labels[Int(rows[i])].isNaN {
                p.append(predictions[i])
                t.append(Double(labels[Int(rows[i])]))
            }
            guard p.count >= 2 else { continue }
            series.append(Scoring.numeraiCorr(predictions: p, target: t))
        }
        return SeriesSummary(series)
    }

    /// `id,prediction` rows, predictions in shortest round-trip form; written atomically.
    static func writePredictions(ids: [String], predictions: [Double], to path: String) throws {
        let text = PredictCommand.csv(ids: ids, predictions: predictions)
        try writeAtomically(to: path) { temporary in
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        }
    }
}
