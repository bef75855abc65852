import ArgumentParser
import EraData
import Foundation
import Support

struct DataInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Summarize a dataset file: rows, eras, features, targets, rows per split, NaN targets."
    )

    @Argument(help: "Dataset file (HDF5), a Numerai parquet file, or a directory of Numerai's parquet files.") var file: String
    @Option(help: "Parquet only: a feature set of features.json.") var featureSet: String?
    @Flag(help: "Print JSON: rows, eras, features, targets, splits, nan_targets.") var json = false
    @Flag(help: "Also load the whole dataset and print the load time in seconds.") var timing = false

    func run() throws {
        let inputs = try DataInputs([file])
        var loadSeconds: Double?
        let info: DatasetInfo
        if inputs.isParquet {
            // Parquet has no stored summary: read it (only the chosen features) and summarise.
            let start = DispatchTime.now().uptimeNanoseconds
            let dataset = try inputs.read(featureSet: featureSet, featuresJSON: nil)
            if timing { loadSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
            info = DatasetInfo(dataset)
        } else {
            if featureSet != nil { throw WorkbenchError.featureSetNeedsParquet }
            info = try DatasetFile.info(file)
        }
        if timing && loadSeconds == nil {
            let start = DispatchTime.now().uptimeNanoseconds
            let dataset = try DatasetFile.read(file)
            loadSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            precondition(dataset.rowCount == info.rows)
        }
        if json {
            var object: [String: Any] = [
                "rows": info.rows, "eras": info.eras, "features": info.features,
                "targets": info.targets, "splits": info.splits, "nan_targets": info.nanTargets,
            ]
            if let loadSeconds { object["load_seconds"] = loadSeconds }
            print(String(decoding: try CanonicalJSON.encode(object: object), as: UTF8.self), terminator: "")
            return
        }
        print("file      \(file)")
        print("rows      \(info.rows)")
        print("eras      \(info.eras)" + (info.firstEra.map { " (\($0) … \(info.lastEra!))" } ?? ""))
        print("features  \(info.features)")
        print("targets   \(info.targets.count): \(info.targets.joined(separator: ", "))")
        let splits = info.splits.sorted { (Split(rawValue: $0.key) ?? .test) < (Split(rawValue: $1.key) ?? .test) }
        print("splits    " + splits.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        print("NaN       " + info.targets.map { "\($0) \(info.nanTargets[$0] ?? 0)" }.joined(separator: ", "))
        if info.hasTrueSignal { print("true signal stored (synthetic)") }
        if let loadSeconds { print(String(format: "load      %.3f s (all features and targets)", loadSeconds)) }
    }
}
