import Foundation

/// Data given by path, as `data import`, `data info` and a study's `data` take it: our HDF5
/// dataset, CSV files, Numerai parquet files, or a directory of Numerai's files
/// (train/validation/live.parquet with features.json).
public enum DataInputs {
    case hdf5(String)
    case csv([String])
    case parquet([String])
    case directory(String)

    public init(_ inputs: [String]) throws {
        guard !inputs.isEmpty else { throw EraDataError(.noData) }
        let directories = inputs.filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
        if let directory = directories.first {
            guard inputs.count == 1 else {
                throw EraDataError(.directoryNotAlone(directory))
            }
            self = .directory(directory)
            return
        }
        let hdf5 = inputs.filter { $0.lowercased().hasSuffix(".h5") || $0.lowercased().hasSuffix(".hdf5") }
        if let file = hdf5.first {
            guard inputs.count == 1 else { throw EraDataError(.datasetFileNotAlone(file)) }
            self = .hdf5(file)
            return
        }
        let parquet = inputs.filter { $0.lowercased().hasSuffix(".parquet") }
        if parquet.isEmpty { self = .csv(inputs); return }
        guard parquet.count == inputs.count else {
            let others = inputs.filter { !$0.lowercased().hasSuffix(".parquet") }
            throw EraDataError(.mixedInputs(others: others))
        }
        self = .parquet(inputs)
    }

    public var isParquet: Bool {
        switch self {
        case .parquet, .directory: return true
        case .csv, .hdf5: return false
        }
    }

    /// Reads the inputs into a dataset; `featureSet` (parquet only) names a set of features.json.
    public func read(featureSet: String? = nil, featuresJSON: String? = nil) throws -> Dataset {
        switch self {
        case .csv, .hdf5:
            if featureSet != nil || featuresJSON != nil {
                throw EraDataError(.featureSetNeedsParquet)
            }
            if case .hdf5(let path) = self { return try DatasetFile.read(path) }
            if case .csv(let paths) = self { return try CSVImporter.read(paths: paths) }
            fatalError("unreachable")
        case .parquet(let paths):
            return try NumeraiParquet.read(paths: paths, featureSet: featureSet, featuresJSON: featuresJSON)
        case .directory(let directory):
            return try NumeraiParquet.readDirectory(directory, featureSet: featureSet, featuresJSON: featuresJSON)
        }
    }
}
