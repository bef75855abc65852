import ArgumentParser
import EraData
import Foundation

struct DataImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import Numerai-layout CSV or parquet files into a dataset file.",
        discussion: """
        Columns: id, era, optional data_type (train/validation/live/test; else the file name says), \
        feature_* and target*. CSV: integer features 0..254 are used as bins; float features are \
        quantile-binned (at most 255 bins, edges kept). Empty or NaN targets are unknown. \
        Parquet (Numerai v5, read natively): int8 features 0..4 are the bins, a null feature is bin 2; \
        give .parquet files or one directory holding train/validation/live.parquet and features.json; \
        --feature-set picks a set from features.json (small, medium, all, ...).
        """
    )

    @Option(name: [.customShort("o"), .long], help: "Output dataset file (HDF5).") var out: String
    @Argument(help: "CSV files, Numerai parquet files, or a directory of Numerai's parquet files.") var inputs: [String]
    @Option(help: "Parquet only: a feature set of features.json (e.g. small, medium, all).") var featureSet: String?
    @Option(help: "Parquet only: features.json to use (default: the one next to the parquet files).") var featuresJson: String?
    @Flag(help: "Print the seconds spent reading the CSV and writing the file, and the CSV MB/s.") var timing = false
    @Flag(name: [.customShort("q"), .long], help: "No progress or informational output (errors are still printed).")
    var quiet = false

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("give at least one CSV or parquet file, or a directory") }
    }

    func run() throws {
        try refuseOutputOntoInput([(out, "--out")], inputs: inputs + (featuresJson.map { [$0] } ?? []))
        let start = DispatchTime.now().uptimeNanoseconds
        let dataset = try DataInputs(inputs).read(featureSet: featureSet, featuresJSON: featuresJson)
        let parsed = DispatchTime.now().uptimeNanoseconds
        try DatasetFile.write(dataset, to: out)
        let written = DispatchTime.now().uptimeNanoseconds
        let splits = dataset.splitCounts.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }
        if !quiet { print("wrote \(out): \(dataset.rowCount) rows, \(dataset.eras.count) eras, \(dataset.featureCount) features, "
              + "\(dataset.targetNames.count) targets (\(splits.joined(separator: ", ")))") }
        if timing {
            let bytes = inputs.reduce(0.0) { total, path in
                total + ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.doubleValue ?? 0)
            }
            let read = Double(parsed - start) / 1e9, write = Double(written - parsed) / 1e9
            print(String(format: "read %.3f s (%.0f MB/s of input), write %.3f s", read, bytes / 1e6 / read, write))
        }
    }
}
