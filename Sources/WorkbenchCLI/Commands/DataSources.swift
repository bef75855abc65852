import EraData
import Foundation

/// What `data import` and `data info` were given: CSV files, Numerai parquet files, or a directory of
/// Numerai's files (train/validation/live.parquet with features.json).
enum DataInputs {
    case csv([String])
    case parquet([String])
    case directory(String)

    init(_ inputs: [String]) throws {
        let directories = inputs.filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
        if let directory = directories.first {
            guard inputs.count == 1 else {
                throw WorkbenchError.usage("a directory (\(directory)) must be the only input")
            }
            self = .directory(directory)
            return
        }
        let parquet = inputs.filter { $0.lowercased().hasSuffix(".parquet") }
        if parquet.isEmpty { self = .csv(inputs); return }
        guard parquet.count == inputs.count else {
            let others = inputs.filter { !$0.lowercased().hasSuffix(".parquet") }
            throw WorkbenchError.usage("mix of parquet and other inputs (\(others.joined(separator: ", "))): give one kind")
        }
        self = .parquet(inputs)
    }

    var isParquet: Bool {
        if case .csv = self { return false }
        return true
    }

    /// Reads the inputs into a dataset; `featureSet` (parquet only) names a set of features.json.
    func read(featureSet: String?, featuresJSON: String?) throws -> Dataset {
        switch self {
        case .csv(let paths):
            if featureSet != nil || featuresJSON != nil {
                throw WorkbenchError.usage("--feature-set and --features-json apply to Numerai parquet inputs, not CSV")
            }
            return try withDataErrors { try CSVImporter.read(paths: paths) }
        case .parquet(let paths):
            return try withDataErrors { try NumeraiParquet.read(paths: paths, featureSet: featureSet, featuresJSON: featuresJSON) }
        case .directory(let directory):
            return try withDataErrors {
                try NumeraiParquet.readDirectory(directory, featureSet: featureSet, featuresJSON: featuresJSON)
            }
        }
    }
}
