import EraData
import Foundation

extension DataSource {
    /// Loads the study's dataset: generated, or read from our HDF5 file / Numerai CSV files.
    public func load() throws -> Dataset {
        switch self {
        case .synthetic(let config):
            return SyntheticGenerator.generate(config)
        case .files(let paths, _):
            let fm = FileManager.default
            for p in paths where !fm.fileExists(atPath: p) {
                throw StudyError(path: "$.data", "\(p): no such file or directory")
            }
            if paths.count == 1, paths[0].hasSuffix(".h5") || paths[0].hasSuffix(".hdf5") {
                return try DatasetFile.read(paths[0])
            }
            if paths.allSatisfy({ $0.lowercased().hasSuffix(".csv") }) {
                return try CSVImporter.read(paths: paths)
            }
            throw StudyError(path: "$.data", "cannot read \(paths.joined(separator: ", ")): give our .h5 dataset or Numerai .csv files")
        }
    }
}
