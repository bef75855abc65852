import EraData
import Foundation

extension DataSource {
    /// Generated in memory (the memory estimate counts the generator's transient values).
    public var isGenerated: Bool {
        if case .synthetic = self { return true }
        return false
    }

    /// Loads the study's dataset: generated, or read from our HDF5 file, Numerai CSV or parquet files,
    /// or a directory of Numerai's files (`featureSet` from its features.json).
    public func load() throws -> Dataset {
        switch self {
        case .synthetic(let config):
            do { try config.checkGenerationFits() } catch let error as EraDataError {
                if case let .generationTooLarge(needed, available) = error.reason {
                    throw StudiesError.notEnoughMemory(needed: needed, available: available)
                }
                throw error
            }
            return SyntheticGenerator.generate(config)
        case .files(let paths, let featureSet):
            for p in paths where !FileManager.default.fileExists(atPath: p) {
                throw StudiesError.at("$.data", .noSuchDataFile(p))
            }
            let inputs: DataInputs
            do { inputs = try DataInputs(paths) } catch let error as EraDataError where error.kind == .inputs {
                throw StudiesError.at("$.data", .unreadableData(error))
            }
            do { return try inputs.read(featureSet: featureSet) } catch let error as EraDataError where error.kind == .inputs {
                throw StudiesError.at("$.data.featureSet", .unreadableData(error))
            }
        }
    }
}
